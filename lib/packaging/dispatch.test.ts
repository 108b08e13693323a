import { describe, it, expect, afterAll } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dispatchScript } from './dispatch.ts';

const root = mkdtempSync(join(tmpdir(), 'dispatch-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A charm dir whose "runtime" is a shell script printing what it was given. */
function fakeCharm(): string {
  const dir = mkdtempSync(join(root, 'd-'));
  mkdirSync(join(dir, 'runtime'));
  mkdirSync(join(dir, 'hooks'));
  writeFileSync(join(dir, 'dispatch'), dispatchScript(), { mode: 0o755 });
  writeFileSync(join(dir, 'runtime/node'), '#!/bin/sh\necho "runtime=$0 script=$1 path=$JUJU_DISPATCH_PATH cwd=$(pwd)"\n', { mode: 0o755 });
  symlinkSync('../dispatch', join(dir, 'hooks/install'));
  return dir;
}

const run = (file: string, cwd: string, env: Record<string, string>) =>
  execFileSync(file, [], { cwd, env: { PATH: '/usr/bin:/bin', ...env }, encoding: 'utf8' }).trim();

describe('dispatch script (contract §1.1)', () => {
  it('starts with a POSIX sh shebang', () => {
    expect(dispatchScript().startsWith('#!/bin/sh\n')).toBe(true);
  });

  it('keeps the JUJU_DISPATCH_PATH Juju sets and runs the bundled runtime on the bundle', () => {
    const dir = fakeCharm();
    expect(run(join(dir, 'dispatch'), dir, { JUJU_DISPATCH_PATH: 'hooks/config-changed' }))
      .toBe(`runtime=${dir}/runtime/node script=${dir}/src/charm.mjs path=hooks/config-changed cwd=${dir}`);
  });

  it('derives JUJU_DISPATCH_PATH from $0 when run through a hooks/<name> symlink', () => {
    const dir = fakeCharm();
    expect(run('hooks/install', dir, {})).toBe(`runtime=${dir}/runtime/node script=${dir}/src/charm.mjs path=hooks/install cwd=${dir}`);
  });

  it('enables source maps only when asked', () => {
    expect(dispatchScript()).not.toContain('--enable-source-maps');
    expect(dispatchScript({ sourceMaps: true })).toContain('/runtime/node" --enable-source-maps "$charm_dir/src/charm.mjs"');
  });

  it('finds its runtime even when started from another directory', () => {
    const dir = fakeCharm();
    expect(run(join(dir, 'dispatch'), tmpdir(), { JUJU_DISPATCH_PATH: 'actions/say' })).toContain(`runtime=${dir}/runtime/node`);
  });
});
