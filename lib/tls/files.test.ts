import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdtemp, rm, readFile, stat, readdir, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKeyFile, writeCertFile } from './files.ts';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'tls-files-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const mode = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;

describe('workload files', () => {
  it('writes keys 0600 and certs 0644, creating parent dirs, and reports changes', async () => {
    const key = join(dir, 'etc/nats/tls/server.key');
    const cert = join(dir, 'etc/nats/tls/server.crt');
    expect(await writeKeyFile(key, 'KEY1\n')).toBe(true);
    expect(await writeCertFile(cert, 'CERT1\n')).toBe(true);
    expect(await mode(key)).toBe(0o600);
    expect(await mode(cert)).toBe(0o644);
    expect(await writeKeyFile(key, 'KEY1\n')).toBe(false);
    expect(await writeCertFile(cert, 'CERT2\n')).toBe(true);
    expect(await readFile(cert, 'utf8')).toBe('CERT2\n');
    expect((await readdir(join(dir, 'etc/nats/tls'))).sort()).toEqual(['server.crt', 'server.key']); // no temp files left
  });

  it('replaces by rename (new inode) and fixes a loosened mode without reporting a change', async () => {
    const key = join(dir, 'k');
    await writeKeyFile(key, 'A');
    const before = (await stat(key)).ino;
    await writeKeyFile(key, 'B');
    expect((await stat(key)).ino).not.toBe(before);
    await chmod(key, 0o644);
    expect(await writeKeyFile(key, 'B')).toBe(false);
    expect(await mode(key)).toBe(0o600);
  });
});
