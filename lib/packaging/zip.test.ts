import { describe, it, expect } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { unzipSync } from 'fflate';
import { deflateEntry, writeZip, zipMtime } from './zip.ts';
import { listZip, readZipEntry } from './zip-listing.ts';
import { REPO_ROOT } from './runtime.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const entries = () => [
  { path: 'src/charm.mjs', mode: 0o644, data: enc('console.log(1)') },
  { path: 'dispatch', mode: 0o755, data: enc('#!/bin/sh\n') },
  deflateEntry('runtime/node', 0o755, enc('pretend binary'), 6),
];
const EPOCH = 1_700_000_000; // 2023-11-14T22:13:20Z

describe('writeZip', () => {
  it('gives the same bytes for the same entries, whatever their order', () => {
    const a = writeZip(entries(), EPOCH);
    const b = writeZip([...entries()].reverse(), EPOCH);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('gives different bytes for another timestamp', () => {
    expect(Buffer.from(writeZip(entries(), EPOCH)).equals(Buffer.from(writeZip(entries(), EPOCH + 2)))).toBe(false);
  });

  it('sorts entries and records Unix modes in the external attributes', () => {
    expect(listZip(writeZip(entries(), EPOCH)).map(({ path, mode, type }) => ({ path, mode, type }))).toEqual([
      { path: 'dispatch', mode: 0o755, type: 'file' },
      { path: 'runtime/node', mode: 0o755, type: 'file' },
      { path: 'src/charm.mjs', mode: 0o644, type: 'file' },
    ]);
  });

  it('round-trips content through fflate, pre-deflated entries included', () => {
    const out = unzipSync(writeZip(entries(), EPOCH));
    expect(new TextDecoder().decode(out['runtime/node'])).toBe('pretend binary');
    expect(new TextDecoder().decode(out['dispatch'])).toBe('#!/bin/sh\n');
  });

  it('reads each entry back with node:zlib, checking its CRC', () => {
    const zip = writeZip(entries(), EPOCH);
    const listing = listZip(zip);
    expect(listing.map((e) => readZipEntry(zip, e).toString())).toEqual(['#!/bin/sh\n', 'pretend binary', 'console.log(1)']);
    const corrupt = Uint8Array.from(zip);
    const node = listing[1]!;
    corrupt[node.localHeaderOffset + 30 + 'runtime/node'.length + 2]! ^= 0xff;
    expect(() => readZipEntry(corrupt, node)).toThrow();
  });

  it('rejects duplicate paths', () => {
    expect(() => writeZip([...entries(), { path: 'dispatch', mode: 0o644, data: enc('') }], EPOCH)).toThrow("duplicate zip entry 'dispatch'");
  });

  it('does not depend on the time zone of the packing process', () => {
    const script = `import { writeZip } from './lib/packaging/zip.ts';
      const z = writeZip([{ path: 'a', mode: 0o644, data: new Uint8Array([1]) }], ${EPOCH});
      process.stdout.write(Buffer.from(z).toString('hex'));`;
    const run = (tz: string) => execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, env: { ...process.env, TZ: tz }, encoding: 'utf8' });
    expect(run('America/Los_Angeles')).toBe(run('Asia/Tokyo'));
  });
});

describe('zipMtime', () => {
  it('carries the UTC fields of the epoch as local fields (fflate writes local time)', () => {
    const d = zipMtime(EPOCH);
    expect([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()]).toEqual([2023, 10, 14, 22, 13, 20]);
  });

  it('clamps times before the zip epoch to 1980-01-01', () => {
    expect(zipMtime(0).getFullYear()).toBe(1980);
  });
});
