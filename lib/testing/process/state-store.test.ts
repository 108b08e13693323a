import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HomeLock, readState, writeState } from './state-store.ts';

const root = mkdtempSync(join(tmpdir(), 'jujusim-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('state.json', () => {
  it('round-trips and leaves no temp file behind (atomic rename)', () => {
    const home = join(root, 'a');
    expect(readState(home)).toBeUndefined();
    writeState(home, { format: 1, currentModel: 'm', engine: { x: [1, 2] } });
    expect(readState(home)).toEqual({ format: 1, currentModel: 'm', engine: { x: [1, 2] } });
    expect(readdirSync(home)).toEqual(['state.json']);
  });
});

describe('HomeLock', () => {
  it('serialises two holders and is re-entrant within one', async () => {
    const home = join(root, 'b');
    const a = new HomeLock(home);
    const b = new HomeLock(home);
    await a.acquire();
    await a.acquire();
    let bGot = false;
    const pending = b.acquire().then(() => { bGot = true; });
    await new Promise((r) => setTimeout(r, 50));
    a.release();
    await new Promise((r) => setTimeout(r, 50));
    expect(bGot).toBe(false);
    a.release();
    await pending;
    expect(bGot).toBe(true);
    b.release();
    expect(existsSync(a.path)).toBe(false);
  });

  it('takes over a lock whose owner process is dead', async () => {
    const home = join(root, 'c');
    const dead = await new Promise<number>((ok) => { const c = spawn('true'); c.on('exit', () => ok(c.pid!)); });
    const lock = new HomeLock(home);
    await lock.acquire(1); // creates home
    lock.release();
    writeFileSync(lock.path, String(dead));
    await lock.acquire(2000);
    lock.release();
  });

  it('times out on a live foreign owner', async () => {
    const home = join(root, 'd');
    const lock = new HomeLock(home);
    await lock.acquire();
    writeFileSync(lock.path, String(process.ppid));
    await expect(new HomeLock(home).acquire(100)).rejects.toThrow(`held by process ${process.ppid}`);
  });
});
