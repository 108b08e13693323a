/** Where a unit's hook memory lives between hooks (store.ts). */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileMemoryStore, InMemoryStore, MemoryBank, memoryFilePath } from './store.ts';

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe('FileMemoryStore', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'hook-memory-store-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('take() of a missing file is undefined', () => {
    expect(new FileMemoryStore(join(dir, 'none.json')).take()).toBeUndefined();
    expect(new FileMemoryStore(join(dir, 'no-dir', 'none.json')).take()).toBeUndefined();
  });

  it('save() writes a 0600 file atomically (no temporary file left); take() returns it and removes it', () => {
    const path = join(dir, '.hook-memory-unit-ams-0.json');
    const store = new FileMemoryStore(path);
    store.save('{"v":1}');
    expect(mode(path)).toBe('600');
    expect(readdirSync(dir)).toEqual(['.hook-memory-unit-ams-0.json']);
    expect(store.take()).toBe('{"v":1}');
    expect(existsSync(path)).toBe(false);
    expect(store.take()).toBeUndefined();
  });

  it('putBack() keeps the taken text without rewriting it; discard() forgets it; save() after take() leaves one file', () => {
    const path = join(dir, 'm.json');
    const store = new FileMemoryStore(path);
    store.save('{"v":1}');
    const ino = statSync(path).ino;
    expect(store.take()).toBe('{"v":1}');
    expect(existsSync(path)).toBe(false); // a crash now leaves no memory for the next hook
    store.putBack();
    expect(statSync(path).ino).toBe(ino); // the same file, not a rewrite
    expect(store.take()).toBe('{"v":1}');
    store.discard();
    expect(readdirSync(dir)).toEqual([]);
    expect(store.take()).toBeUndefined();
    store.save('{"v":2}');
    store.take();
    store.save('{"v":3}');
    expect(readdirSync(dir)).toEqual(['m.json']);
    const mem = new InMemoryStore();
    mem.save('a');
    mem.take();
    mem.putBack();
    expect(mem.peek()).toBe('a');
    mem.take();
    mem.discard();
    mem.putBack();
    expect(mem.peek()).toBeUndefined();
  });

  it('save() replaces what is there, and another store on the same path takes it', () => {
    const path = join(dir, 'm.json');
    writeFileSync(path, 'old', { mode: 0o644 });
    new FileMemoryStore(path).save('new');
    expect(mode(path)).toBe('600'); // the rename replaced the 0644 file, not its content
    expect(readdirSync(dir)).toEqual(['m.json']);
    expect(new FileMemoryStore(path).take()).toBe('new');
  });

  it('save() creates missing directories 0700', () => {
    const path = join(dir, 'var/lib/juju/agents/unit-ams-0/hook-memory.json');
    new FileMemoryStore(path).save('x');
    expect(mode(join(dir, 'var/lib/juju/agents/unit-ams-0'))).toBe('700');
    expect(mode(path)).toBe('600');
    expect(readdirSync(join(dir, 'var/lib/juju/agents/unit-ams-0'))).toEqual(['hook-memory.json']);
  });

  it('take() of something that is not a readable file is undefined (a directory)', () => {
    const path = join(dir, 'adir');
    mkdirSync(path);
    expect(new FileMemoryStore(path).take()).toBeUndefined();
    expect(existsSync(path)).toBe(true);
  });
});

describe('InMemoryStore and MemoryBank', () => {
  it('InMemoryStore: take() removes, peek() does not', () => {
    const s = new InMemoryStore();
    expect(s.take()).toBeUndefined();
    s.save('a');
    expect(s.peek()).toBe('a');
    expect(s.peek()).toBe('a');
    expect(s.take()).toBe('a');
    expect(s.take()).toBeUndefined();
    expect(s.peek()).toBeUndefined();
  });

  it('forEnv keys by JUJU_MODEL_UUID + JUJU_UNIT_NAME: two models\' same unit name are apart', () => {
    const bank = new MemoryBank();
    const a = { JUJU_MODEL_UUID: 'uuid-a', JUJU_MODEL_NAME: 'edge', JUJU_UNIT_NAME: 'ams/0' };
    const b = { JUJU_MODEL_UUID: 'uuid-b', JUJU_MODEL_NAME: 'edge', JUJU_UNIT_NAME: 'ams/0' };
    bank.forEnv(a).save('model a');
    bank.forEnv(b).save('model b');
    bank.forEnv({ ...a, JUJU_UNIT_NAME: 'ams/1' }).save('other unit');
    expect(bank.forEnv({ ...a }).peek()).toBe('model a');
    expect(bank.forEnv(b).peek()).toBe('model b');
    expect(bank.forEnv({ ...a, JUJU_UNIT_NAME: 'ams/1' }).peek()).toBe('other unit');
    expect(bank.forEnv(a)).toBe(bank.for('uuid-a', 'ams/0'));
  });

  it('forEnv falls back to JUJU_MODEL_NAME without a UUID', () => {
    const bank = new MemoryBank();
    bank.forEnv({ JUJU_MODEL_NAME: 'edge', JUJU_UNIT_NAME: 'ams/0' }).save('x');
    expect(bank.for('edge', 'ams/0').peek()).toBe('x');
    expect(bank.forEnv({ JUJU_MODEL_NAME: 'core', JUJU_UNIT_NAME: 'ams/0' }).peek()).toBeUndefined();
  });

  it('model and unit cannot be confused by joining them', () => {
    const bank = new MemoryBank();
    bank.for('a', 'b/0').save('x');
    expect(bank.for('a/b', '0').peek()).toBeUndefined();
    expect(bank.for('ab', '/0').peek()).toBeUndefined();
  });

  it('clear() forgets every unit; snapshot()/restore() round-trip', () => {
    const bank = new MemoryBank();
    bank.for('m', 'ams/0').save('0');
    bank.for('m', 'ams/1').save('1');
    const snap = bank.snapshot();
    bank.clear();
    expect(bank.for('m', 'ams/0').peek()).toBeUndefined();
    bank.for('m', 'ams/2').save('2');
    bank.restore(snap);
    expect(bank.for('m', 'ams/0').peek()).toBe('0');
    expect(bank.for('m', 'ams/1').peek()).toBe('1');
    expect(bank.for('m', 'ams/2').peek()).toBeUndefined();
  });
});

describe('memoryFilePath', () => {
  it('CHARM_WORKLOAD_ROOT (emulated machines): the unit\'s agent directory under the root, even with a charm dir', () => {
    expect(memoryFilePath({ JUJU_UNIT_NAME: 'ams/0', CHARM_WORKLOAD_ROOT: '/srv/m1', JUJU_CHARM_DIR: '/charm' }))
      .toBe('/srv/m1/var/lib/juju/agents/unit-ams-0/hook-memory.json');
  });

  it('JUJU_CHARM_DIR (real unit): a dot file in the charm directory, named by the unit', () => {
    expect(memoryFilePath({ JUJU_UNIT_NAME: 'ams/12', JUJU_CHARM_DIR: '/var/lib/juju/agents/unit-ams-12/charm', CHARM_DIR: '/other' }))
      .toBe('/var/lib/juju/agents/unit-ams-12/charm/.hook-memory-unit-ams-12.json');
    expect(memoryFilePath({ JUJU_UNIT_NAME: 'ams/0', CHARM_DIR: '/c' })).toBe('/c/.hook-memory-unit-ams-0.json');
  });

  it('no charm directory or no unit: no file (no memory)', () => {
    expect(memoryFilePath({ JUJU_UNIT_NAME: 'ams/0' })).toBeUndefined();
    expect(memoryFilePath({ JUJU_CHARM_DIR: '/c' })).toBeUndefined();
    expect(memoryFilePath({ JUJU_UNIT_NAME: '', CHARM_WORKLOAD_ROOT: '/r' })).toBeUndefined();
  });
});
