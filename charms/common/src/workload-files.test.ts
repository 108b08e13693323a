import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, chmodSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyFiles, PendingAction, pemText, readIfExists, resolveWorkloadDir, writeAtomic } from './workload-files.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wl-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (p: string) => statSync(join(dir, p)).mode & 0o777;
const managed = ['a.cfg', 'sub/key.pem'];

describe('applyFiles', () => {
  it('creates files with exact modes, including nested directories', () => {
    const changes = applyFiles(dir, [{ path: 'a.cfg', content: 'x\n', mode: 0o644 }, { path: 'sub/key.pem', content: 'k\n', mode: 0o600 }], managed);
    expect(changes).toEqual([{ path: 'a.cfg', kind: 'created' }, { path: 'sub/key.pem', kind: 'created' }]);
    expect(readFileSync(join(dir, 'a.cfg'), 'utf8')).toBe('x\n');
    expect(mode('a.cfg')).toBe(0o644);
    expect(mode('sub/key.pem')).toBe(0o600);
  });

  it('removes temp files a killed hook left beside a managed file, even when the file is unchanged; nothing else', () => {
    const files = [{ path: 'a.cfg', content: 'x\n', mode: 0o644 as const }, { path: 'sub/key.pem', content: 'k\n', mode: 0o600 as const }];
    applyFiles(dir, files, managed);
    const leftovers = ['a.cfg.4242-1-abc123.tmp', 'sub/key.pem.77-2z-9x.tmp'];
    const others = ['a.cfg.bak', 'other.cfg.4242-1-abc123.tmp', 'a.cfg.tmp', 'sub/notes.txt'];
    for (const f of [...leftovers, ...others]) writeFileSync(join(dir, f), 'old token\n', { mode: 0o600 });
    expect(applyFiles(dir, files, managed)).toEqual([]);
    for (const f of leftovers) expect(existsSync(join(dir, f))).toBe(false);
    for (const f of others) expect(existsSync(join(dir, f))).toBe(true);
  });

  it('changes nothing the second time', () => {
    const files = [{ path: 'a.cfg', content: 'x\n', mode: 0o644 as const }];
    applyFiles(dir, files, managed);
    const before = statSync(join(dir, 'a.cfg')).mtimeMs;
    expect(applyFiles(dir, files, managed)).toEqual([]);
    expect(statSync(join(dir, 'a.cfg')).mtimeMs).toBe(before);
  });

  it('updates content atomically and leaves no temp file behind', () => {
    applyFiles(dir, [{ path: 'a.cfg', content: 'x\n', mode: 0o644 }], managed);
    expect(applyFiles(dir, [{ path: 'a.cfg', content: 'y\n', mode: 0o644 }], managed)).toEqual([{ path: 'a.cfg', kind: 'updated' }]);
    expect(readdirSync(dir)).toEqual(['a.cfg']);
  });

  it('repairs a mode that drifted, reporting it as a mode change only', () => {
    applyFiles(dir, [{ path: 'sub/key.pem', content: 'k\n', mode: 0o600 }], managed);
    chmodSync(join(dir, 'sub/key.pem'), 0o644);
    expect(applyFiles(dir, [{ path: 'sub/key.pem', content: 'k\n', mode: 0o600 }], managed)).toEqual([{ path: 'sub/key.pem', kind: 'mode' }]);
    expect(mode('sub/key.pem')).toBe(0o600);
  });

  it('tightens the mode when the content changes to hold a secret', () => {
    applyFiles(dir, [{ path: 'a.cfg', content: 'plain\n', mode: 0o644 }], managed);
    applyFiles(dir, [{ path: 'a.cfg', content: 'token: s\n', mode: 0o600 }], managed);
    expect(mode('a.cfg')).toBe(0o600);
  });

  it('removes a managed file that is no longer desired, and leaves unmanaged files alone', () => {
    writeFileSync(join(dir, 'other'), 'mine');
    applyFiles(dir, [{ path: 'sub/key.pem', content: 'k\n', mode: 0o600 }], managed);
    expect(applyFiles(dir, [], managed)).toEqual([{ path: 'sub/key.pem', kind: 'removed' }]);
    expect(existsSync(join(dir, 'sub/key.pem'))).toBe(false);
    expect(existsSync(join(dir, 'other'))).toBe(true);
  });

  it('refuses unmanaged or escaping paths', () => {
    expect(() => applyFiles(dir, [{ path: 'x', content: '', mode: 0o644 }], managed)).toThrow(/not in the managed list/);
    expect(() => applyFiles(dir, [{ path: '../x', content: '', mode: 0o644 }], ['../x'])).toThrow(/relative/);
  });
});

describe('writeAtomic', () => {
  it('creates a 0600 file even under a permissive umask', () => {
    const old = process.umask(0);
    try {
      writeAtomic(join(dir, 'k'), 'secret', 0o600);
    } finally {
      process.umask(old);
    }
    expect(mode('k')).toBe(0o600);
  });
});

describe('resolveWorkloadDir', () => {
  it('uses the real path without CHARM_WORKLOAD_ROOT and prefixes it with one', () => {
    expect(resolveWorkloadDir('/var/snap/nats/common/server', {})).toBe('/var/snap/nats/common/server');
    expect(resolveWorkloadDir('/var/snap/nats/common/server', { CHARM_WORKLOAD_ROOT: '/tmp/u0' })).toBe('/tmp/u0/var/snap/nats/common/server');
  });
});

describe('readIfExists / pemText', () => {
  it('returns undefined for a missing file', () => {
    expect(readIfExists(dir, 'nope')).toBeUndefined();
  });
  it('normalises PEM to exactly one trailing newline', () => {
    expect(pemText('A')).toBe('A\n');
    expect(pemText('A\n\n')).toBe('A\n');
  });
});

describe('PendingAction', () => {
  it('stays recorded when the action fails, and is cleared when it succeeds', async () => {
    const pending = new PendingAction<'restart'>(dir, 'svc');
    await expect(pending.run('restart', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(pending.read()).toBe('restart');
    await pending.run('restart', async () => {});
    expect(pending.read()).toBeUndefined();
  });
});
