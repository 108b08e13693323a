import { describe, it, expect, afterAll } from '@jest/globals';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { unpackCharm, unpackCharmBytes } from './unpack.ts';
import { writeZip } from './zip.ts';

const root = mkdtempSync(join(tmpdir(), 'unpack-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const enc = (s: string) => new TextEncoder().encode(s);
const tmp = () => mkdtempSync(join(root, 'd-'));

describe('unpackCharm', () => {
  it('restores files with the modes recorded in the archive', () => {
    const file = join(tmp(), 'x.charm');
    writeFileSync(file, writeZip([
      { path: 'dispatch', mode: 0o755, data: enc('#!/bin/sh\n') },
      { path: 'src/charm.mjs', mode: 0o644, data: enc('1') },
    ], 1_700_000_000));
    const dest = join(tmp(), 'charm');
    const entries = unpackCharm(file, dest);
    expect(entries.map((e) => [e.path, e.mode])).toEqual([['dispatch', 0o755], ['src/charm.mjs', 0o644]]);
    expect(statSync(join(dest, 'dispatch')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dest, 'src/charm.mjs')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(dest, 'dispatch'), 'utf8')).toBe('#!/bin/sh\n');
  });

  it('makes dispatch and hooks executable when the archive carries no Unix modes', () => {
    // fflate's default "made by" OS is MS-DOS: no Unix mode in the external attributes.
    const bytes = zipSync({ dispatch: enc('#!/bin/sh\n'), 'hooks/install': enc('#!/bin/sh\n'), 'metadata.yaml': enc('name: x\n') });
    const dest = tmp();
    unpackCharmBytes(bytes, dest);
    expect(statSync(join(dest, 'dispatch')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dest, 'hooks/install')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dest, 'metadata.yaml')).mode & 0o777).toBe(0o644);
  });

  it('restores a symlink inside the charm (hooks/<name> -> ../dispatch)', () => {
    const bytes = zipSync({
      dispatch: [enc('#!/bin/sh\n'), { os: 3, attrs: (0o100755 * 0x10000) >>> 0 }],
      'hooks/install': [enc('../dispatch'), { os: 3, attrs: (0o120777 * 0x10000) >>> 0 }],
    });
    const dest = tmp();
    unpackCharmBytes(bytes, dest);
    expect(lstatSync(join(dest, 'hooks/install')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dest, 'hooks/install'))).toBe('../dispatch');
  });

  it('refuses an entry that escapes the destination (zip slip)', () => {
    const dest = join(tmp(), 'charm');
    expect(() => unpackCharmBytes(zipSync({ '../evil': enc('x') }), dest)).toThrow(/outside/);
    expect(existsSync(join(dest, '..', 'evil'))).toBe(false);
  });

  it('refuses a symlink that points outside the charm', () => {
    const bytes = zipSync({ 'hooks/install': [enc('../../etc/passwd'), { os: 3, attrs: (0o120777 * 0x10000) >>> 0 }] });
    expect(() => unpackCharmBytes(bytes, tmp())).toThrow(/points outside the charm/);
  });
});
