/**
 * HookMemory: what survives from one successful hook to the next (hook-memory.ts). Every test
 * goes through serialise() and a new HookMemory, as two hooks (two processes) do.
 */
import { describe, expect, it } from '@jest/globals';
import type { HookKind } from '../context.ts';
import { HookMemory, MAX_AGE_MS, MEMORY_FORMAT } from './hook-memory.ts';
import { memoryKey as K, type MemoryEvent } from './invalidation.ts';

const UNIT = 'ams/0';
const T0 = 1_700_000_000_000;
const MINUTE = 60_000;
const event = (kind: HookKind, extra: Partial<MemoryEvent> = {}): MemoryEvent => ({ kind, unitName: UNIT, appName: 'ams', ...extra });
const relationChanged = (remoteUnit?: string): MemoryEvent => event('relation-changed', { relation: { endpoint: 'db', id: 3 }, ...(remoteUnit ? { remoteUnit } : {}) });

const CONFIG = { port: 8080, location: 'edge' };
const BAG = K.bag(3, 'unit', 'pg/0');

/** A cold hook at `at` that read config and pg/0's bag, reconciled, and wrote nothing. */
function quiescent(at = T0, configure: (m: HookMemory) => void = () => undefined): string {
  const m = new HookMemory(undefined, event('start'), { now: at });
  m.observe(K.config(), 'value', CONFIG);
  m.observe(BAG, 'value', { host: 'a' });
  configure(m);
  return m.serialise('reconciled', at);
}

/** The saved text as an object, to corrupt one field. */
const fields = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

describe('HookMemory: cold start', () => {
  const saved = quiescent();
  const expectCold = (m: HookMemory): void => {
    expect(m.cold).toBe(true);
    expect(m.recall(K.config())).toBeUndefined();
    expect(m.skipPlan()).toBeUndefined();
    expect(m.sameStatus('active', '')).toBe(false);
    expect(m.memo.keys()).toEqual([]);
  };

  it('a saved memory is warm (the control for the cases below)', () => {
    const m = new HookMemory(saved, event('update-status'), { now: T0 + MINUTE });
    expect(m.cold).toBe(false);
    expect(m.recall(K.config())).toEqual(CONFIG);
  });

  it.each<[string, string | undefined]>([
    ['no text', undefined],
    ['empty text', ''],
    ['not JSON', '{"v":1,'],
    ['JSON null', 'null'],
    ['a JSON number', '42'],
    ['an object without fields', '{}'],
    ['another unit\'s memory', JSON.stringify({ ...fields(saved), unit: 'ams/1' })],
    ['another format', JSON.stringify({ ...fields(saved), v: MEMORY_FORMAT + 1 })],
    ['savedAt not a number', JSON.stringify({ ...fields(saved), savedAt: String(T0) })],
    ['bornAt missing', JSON.stringify({ ...fields(saved), bornAt: undefined })],
    ['reads not an object', JSON.stringify({ ...fields(saved), reads: 'x' })],
    ['derived not an object', JSON.stringify({ ...fields(saved), derived: 3 })],
  ])('%s: cold', (_title, text) => {
    expectCold(new HookMemory(text, event('update-status'), { now: T0 + MINUTE }));
  });

  // `typeof null === 'object'`: a null reads/endpoints/derived must make a cold memory, not a crash.
  it.each<[string]>([['reads'], ['endpoints'], ['derived']])('%s: null is cold, not a crash', (field) => {
    expectCold(new HookMemory(JSON.stringify({ ...fields(saved), [field]: null }), event('update-status'), { now: T0 + MINUTE }));
  });

  it('a memory made by other charm code (options.charm): cold', () => {
    const mine = quiescent(T0, () => undefined);
    expect(new HookMemory(mine, event('update-status'), { now: T0 + 1, charm: '' }).cold).toBe(false);
    expectCold(new HookMemory(mine, event('update-status'), { now: T0 + 1, charm: '2' }));
    const theirs = new HookMemory(undefined, event('start'), { now: T0, charm: '2' }).serialise('other', T0);
    expectCold(new HookMemory(theirs, event('update-status'), { now: T0 + 1, charm: '3' }));
    expect(new HookMemory(theirs, event('update-status'), { now: T0 + 1, charm: '2' }).cold).toBe(false);
  });

  it(`older than MAX_AGE_MS (${MAX_AGE_MS} ms) since it was born: cold; at exactly MAX_AGE_MS: warm`, () => {
    expect(new HookMemory(saved, event('update-status'), { now: T0 + MAX_AGE_MS }).cold).toBe(false);
    expectCold(new HookMemory(saved, event('update-status'), { now: T0 + MAX_AGE_MS + 1 }));
  });

  it('a clock that went backwards (now before savedAt): cold', () => {
    expect(new HookMemory(saved, event('update-status'), { now: T0 }).cold).toBe(false);
    expectCold(new HookMemory(saved, event('update-status'), { now: T0 - 1 }));
  });

  it('a hook that resets the view (install, upgrade-charm, action, ...): cold even with a good memory', () => {
    for (const kind of ['install', 'start', 'upgrade-charm', 'action', 'other'] as const) {
      expectCold(new HookMemory(saved, event(kind), { now: T0 + MINUTE }));
    }
  });
});

describe('HookMemory: reads', () => {
  it('recalls what a previous hook observed, through serialise(); a stale key is not recalled', () => {
    const saved = quiescent(T0, (m) => {
      m.observe(K.relationList(3), 'value', ['pg/0']);
      m.observe(K.unitGet('public-address'), 'value', null);
    });
    const later = new HookMemory(saved, event('update-status'), { now: T0 + MINUTE });
    expect(later.recall(K.config())).toEqual(CONFIG);
    expect(later.recall(BAG)).toEqual({ host: 'a' });
    expect(later.recall(K.relationList(3))).toEqual(['pg/0']);
    expect(later.recall(K.unitGet('public-address'))).toBeNull(); // "no address" is an answer
    expect(later.recall(K.state())).toBeUndefined(); // never read

    const configChanged = new HookMemory(saved, event('config-changed'), { now: T0 + MINUTE });
    expect(configChanged.recall(K.config())).toBeUndefined();
    expect(configChanged.recall(BAG)).toEqual({ host: 'a' });

    const aboutPg0 = new HookMemory(saved, relationChanged('pg/0'), { now: T0 + MINUTE });
    expect(aboutPg0.recall(BAG)).toBeUndefined();
    expect(aboutPg0.recall(K.relationList(3))).toEqual(['pg/0']); // -changed keeps the unit list
  });

  it('update() (our own buffered write) is recalled in this hook but read again by the next (Juju may discard it at commit, §0.4); forget() drops by prefix', () => {
    const m = new HookMemory(quiescent(), event('update-status'), { now: T0 + MINUTE });
    m.update(K.state(), { seen: 'yes' });
    expect(m.recall(K.state())).toEqual({ seen: 'yes' });
    m.forget('bag|3|');
    const next = new HookMemory(m.serialise('other', T0 + 2 * MINUTE), event('update-status'), { now: T0 + 3 * MINUTE });
    expect(next.recall(K.state())).toBeUndefined();
    expect(next.recall(BAG)).toBeUndefined();
    expect(next.recall(K.config())).toEqual(CONFIG);
  });

  it('a secret read stores no value and is never recalled', () => {
    const token = 'tok-3b9f1c0e-very-secret';
    const key = K.secret('secret:cn1', 'nats-token', 'get');
    const m = new HookMemory(undefined, event('start'), { now: T0 });
    m.observe(key, 'secret', { token });
    m.observe(K.config(), 'value', CONFIG);
    expect(m.recall(key)).toBeUndefined();
    const text = m.serialise('reconciled', T0);
    expect(text).not.toContain(token);
    expect(text).not.toContain('tok-3b9f1c0e');
    const next = new HookMemory(text, event('update-status'), { now: T0 + MINUTE });
    expect(next.recall(key)).toBeUndefined();
    expect(next.recall(K.config())).toEqual(CONFIG); // the control: value reads are recalled
    expect(next.serialise('skipped', T0 + MINUTE)).not.toContain(token);
  });

  it('is-leader: a true is never recalled, a false is recalled until a leadership hook', () => {
    const leader = new HookMemory(undefined, event('start'), { now: T0 });
    leader.observe(K.isLeader(), 'value', true);
    expect(leader.recall(K.isLeader())).toBeUndefined();
    expect(new HookMemory(leader.serialise('reconciled', T0), event('update-status'), { now: T0 + 1 }).recall(K.isLeader())).toBeUndefined();

    const follower = new HookMemory(undefined, event('start'), { now: T0 });
    follower.observe(K.isLeader(), 'value', false);
    const text = follower.serialise('reconciled', T0);
    expect(new HookMemory(text, event('update-status'), { now: T0 + 1 }).recall(K.isLeader())).toBe(false);
    expect(new HookMemory(text, event('leader-settings-changed'), { now: T0 + 1 }).recall(K.isLeader())).toBeUndefined();
    expect(new HookMemory(text, event('leader-elected'), { now: T0 + 1 }).recall(K.isLeader())).toBeUndefined();

    // A false then a true in one hook: the true wins, nothing is remembered.
    const became = new HookMemory(text, event('update-status'), { now: T0 + 1 });
    became.observe(K.isLeader(), 'value', true);
    expect(new HookMemory(became.serialise('other', T0 + 2), event('update-status'), { now: T0 + 3 }).recall(K.isLeader())).toBeUndefined();
  });

  it('endpoints learnt in one hook are known in the next', () => {
    const m = new HookMemory(undefined, event('start'), { now: T0 });
    m.rememberEndpoint(3, 'db');
    const next = new HookMemory(m.serialise('other', T0), event('update-status'), { now: T0 + 1 });
    expect(next.endpoint(3)).toBe('db');
    expect(next.endpoint(4)).toBeUndefined();
  });
});

describe('HookMemory: fixpoint', () => {
  it('a reconcile that wrote nothing is a fixpoint: an update-status has nothing to re-read', () => {
    const m = new HookMemory(quiescent(), event('update-status'), { now: T0 + MINUTE });
    expect(m.skipPlan()).toEqual([]);
    expect(m.unchangedSince()).toBe(true);
  });

  it('no fixpoint after a write, after a non-reconcile outcome, or without a memory', () => {
    const wrote = quiescent(T0, (m) => m.wrote('relation-set'));
    expect(new HookMemory(wrote, event('update-status'), { now: T0 + 1 }).skipPlan()).toBeUndefined();
    const other = new HookMemory(undefined, event('start'), { now: T0 });
    other.observe(K.config(), 'value', CONFIG);
    expect(new HookMemory(other.serialise('other', T0), event('update-status'), { now: T0 + 1 }).skipPlan()).toBeUndefined();
    const none = new HookMemory(undefined, event('update-status'), { now: T0 });
    expect(none.skipPlan()).toBeUndefined();
    expect(none.unchangedSince()).toBe(false);
  });

  it('wroteSomething names the first write', () => {
    const m = new HookMemory(undefined, event('start'), { now: T0 });
    expect(m.wroteSomething).toBeUndefined();
    m.wrote('state-set');
    m.wrote('relation-set');
    expect(m.wroteSomething).toBe('state-set');
  });

  it('the plan is the fixpoint\'s stale keys; unchangedSince compares the re-read hashes', () => {
    const saved = quiescent();
    const same = new HookMemory(saved, relationChanged('pg/0'), { now: T0 + MINUTE });
    expect(same.skipPlan()).toEqual([BAG]);
    expect(same.unchangedSince()).toBe(false); // not re-read yet
    same.observe(BAG, 'value', { host: 'a' });
    expect(same.unchangedSince()).toBe(true);

    const changed = new HookMemory(saved, relationChanged('pg/0'), { now: T0 + MINUTE });
    changed.observe(BAG, 'value', { host: 'b' });
    expect(changed.unchangedSince()).toBe(false);

    const config = new HookMemory(saved, event('config-changed'), { now: T0 + MINUTE });
    expect(config.skipPlan()).toEqual([K.config()]);
    config.observe(K.config(), 'value', { ...CONFIG, port: 8081 });
    expect(config.unchangedSince()).toBe(false);

    // A hook about another unit has nothing of the fixpoint to re-read.
    expect(new HookMemory(saved, relationChanged('pg/1'), { now: T0 + MINUTE }).skipPlan()).toEqual([]);
  });

  it('\'skipped\' keeps the previous fixpoint; \'reconciled\' replaces it with this hook\'s reads', () => {
    const first = quiescent();
    const skipped = new HookMemory(first, event('update-status'), { now: T0 + MINUTE });
    const keep = skipped.serialise('skipped', T0 + MINUTE);
    expect(new HookMemory(keep, relationChanged('pg/0'), { now: T0 + 2 * MINUTE }).skipPlan()).toEqual([BAG]);

    // The same hook saved as 'reconciled' with no reads: an empty fixpoint, nothing to re-read.
    const replaced = new HookMemory(first, event('update-status'), { now: T0 + MINUTE }).serialise('reconciled', T0 + MINUTE);
    expect(new HookMemory(replaced, relationChanged('pg/0'), { now: T0 + 2 * MINUTE }).skipPlan()).toEqual([]);
  });

  it('a stale secret read forbids the skip (re-reading it is not side-effect free); a valid one does not', () => {
    const saved = quiescent(T0, (m) => m.observe(K.secret('secret:cn1', '', 'get'), 'secret'));
    expect(new HookMemory(saved, event('leader-settings-changed'), { now: T0 + 1 }).skipPlan()).toBeUndefined();
    expect(new HookMemory(saved, event('relation-broken', { relation: { endpoint: 'db', id: 3 } }), { now: T0 + 1 }).skipPlan()).toBeUndefined();
    expect(new HookMemory(saved, event('update-status'), { now: T0 + 1 }).skipPlan()).toEqual([]);
    expect(new HookMemory(saved, event('config-changed'), { now: T0 + 1 }).skipPlan()).toEqual([K.config()]);
  });

  it('a secret hook never skips, even when no secret was read', () => {
    expect(new HookMemory(quiescent(), event('secret-changed'), { now: T0 + 1 }).skipPlan()).toBeUndefined();
    expect(new HookMemory(quiescent(), event('secret-rotate'), { now: T0 + 1 }).skipPlan()).toBeUndefined();
  });

  it('is-leader in the fixpoint: re-read only in a leadership hook (a skip writes nothing, so a lost lease cannot be acted on)', () => {
    const asLeader = quiescent(T0, (m) => m.observe(K.isLeader(), 'value', true));
    expect(new HookMemory(asLeader, event('update-status'), { now: T0 + 1 }).skipPlan()).toEqual([]);
    const plan = new HookMemory(asLeader, event('leader-settings-changed'), { now: T0 + 1 });
    expect(plan.skipPlan()).toEqual(expect.arrayContaining([K.isLeader()]));
    plan.observe(K.isLeader(), 'value', true);
    const lost = new HookMemory(asLeader, event('leader-settings-changed'), { now: T0 + 1 });
    lost.observe(K.isLeader(), 'value', false);
    expect(lost.unchangedSince()).toBe(false);

    const asFollower = quiescent(T0, (m) => m.observe(K.isLeader(), 'value', false));
    expect(new HookMemory(asFollower, event('update-status'), { now: T0 + 1 }).skipPlan()).toEqual([]);
    expect(new HookMemory(asFollower, event('leader-elected'), { now: T0 + 1 }).skipPlan()).toEqual(expect.arrayContaining([K.isLeader()]));
  });
});

describe('HookMemory: status and derived data', () => {
  it('sameStatus is true only for the exact status the last hook set', () => {
    const first = new HookMemory(undefined, event('start'), { now: T0 });
    expect(first.sameStatus('active', 'ready')).toBe(false);
    first.statusSet('active', 'ready');
    expect(first.sameStatus('active', 'ready')).toBe(true);
    const next = new HookMemory(first.serialise('other', T0), event('update-status'), { now: T0 + 1 });
    expect(next.sameStatus('active', 'ready')).toBe(true);
    expect(next.sameStatus('active', 'ready now')).toBe(false);
    expect(next.sameStatus('blocked', 'ready')).toBe(false);
    next.statusSet('blocked', 'no db');
    const third = new HookMemory(next.serialise('other', T0 + 1), event('update-status'), { now: T0 + 2 });
    expect(third.sameStatus('blocked', 'no db')).toBe(true);
    expect(third.sameStatus('active', 'ready')).toBe(false);
  });

  it('memo get/set/delete/keys survive serialise(), and a cold hook forgets them', () => {
    const first = new HookMemory(undefined, event('start'), { now: T0 });
    first.memo.set('verdict:ab12', 'trusted');
    first.memo.set('verdict:cd34', 'expired');
    first.memo.set('tmp', 'x');
    first.memo.delete('tmp');
    expect(first.memo.get('tmp')).toBeUndefined();
    const text = first.serialise('other', T0);
    const next = new HookMemory(text, event('update-status'), { now: T0 + 1 });
    expect(next.memo.keys().sort()).toEqual(['verdict:ab12', 'verdict:cd34']);
    expect(next.memo.get('verdict:ab12')).toBe('trusted');
    expect(next.memo.get('tmp')).toBeUndefined();
    next.memo.delete('verdict:cd34');
    const third = new HookMemory(next.serialise('skipped', T0 + 1), event('update-status'), { now: T0 + 2 });
    expect(third.memo.keys()).toEqual(['verdict:ab12']);
    expect(new HookMemory(text, event('upgrade-charm'), { now: T0 + 1 }).memo.keys()).toEqual([]);
  });
});

describe('HookMemory: age', () => {
  it('bornAt is carried over a warm hook, so MAX_AGE_MS counts from the last cold hook', () => {
    const born = quiescent(T0);
    const warm = new HookMemory(born, event('update-status'), { now: T0 + 50 * MINUTE });
    expect(warm.cold).toBe(false);
    const text = warm.serialise('skipped', T0 + 50 * MINUTE);
    expect(new HookMemory(text, event('update-status'), { now: T0 + 70 * MINUTE }).cold).toBe(true);
  });

  it('bornAt is reset by a cold hook', () => {
    const born = quiescent(T0);
    const cold = new HookMemory(born, event('start'), { now: T0 + 50 * MINUTE });
    expect(cold.cold).toBe(true);
    cold.observe(K.config(), 'value', CONFIG);
    const text = cold.serialise('reconciled', T0 + 50 * MINUTE);
    const later = new HookMemory(text, event('update-status'), { now: T0 + 70 * MINUTE });
    expect(later.cold).toBe(false);
    expect(later.recall(K.config())).toEqual(CONFIG);
  });
});

describe('HookMemory: fields used (lib/relations Databag declares them)', () => {
  const withBag = (usage: readonly string[] | 'all'): string => {
    const m = new HookMemory(undefined, event('start'), { now: T0 });
    m.observe(BAG, 'value', { url: 'tls://10.0.0.1:4222', 'private-address': '10.0.0.1' });
    m.used(BAG, usage);
    return m.serialise('reconciled', T0);
  };
  const recheck = (saved: string, bag: Record<string, string>): boolean => {
    const m = new HookMemory(saved, relationChanged('pg/0'), { now: T0 + MINUTE });
    expect(m.skipPlan()).toContain(BAG);
    m.observe(BAG, 'value', bag);
    return m.unchangedSince();
  };

  it('a change to a field the charm did not use does not stop the skip; a change to a used one does', () => {
    const saved = withBag(['url']);
    expect(recheck(saved, { url: 'tls://10.0.0.1:4222', 'private-address': '10.0.0.1', 'bench-nonce': '7' })).toBe(true);
    expect(recheck(saved, { url: 'tls://10.0.0.1:4222' })).toBe(true);
    expect(recheck(saved, { url: 'tls://10.0.0.2:4222', 'private-address': '10.0.0.1' })).toBe(false);
    expect(recheck(saved, { 'private-address': '10.0.0.1' })).toBe(false); // a used field removed
  });

  it('"all" (or no declaration) compares the whole bag', () => {
    const saved = withBag('all');
    expect(recheck(saved, { url: 'tls://10.0.0.1:4222', 'private-address': '10.0.0.1', 'bench-nonce': '7' })).toBe(false);
    expect(recheck(saved, { url: 'tls://10.0.0.1:4222', 'private-address': '10.0.0.1' })).toBe(true);
    const m = new HookMemory(undefined, event('start'), { now: T0 });
    m.observe(BAG, 'value', { url: 'a' });
    const undeclared = m.serialise('reconciled', T0);
    expect(recheck(undeclared, { url: 'a', extra: 'b' })).toBe(false);
  });

  it('usage accumulates over the hook, and "all" wins', () => {
    const m = new HookMemory(undefined, event('start'), { now: T0 });
    m.observe(BAG, 'value', { a: '1', b: '2', c: '3' });
    m.used(BAG, ['a']);
    m.used(BAG, ['b']);
    const saved = m.serialise('reconciled', T0);
    expect(recheck(saved, { a: '1', b: '2', c: 'changed' })).toBe(true);
    expect(recheck(saved, { a: '1', b: 'changed', c: '3' })).toBe(false);
    m.used(BAG, 'all');
    expect(recheck(m.serialise('reconciled', T0), { a: '1', b: '2', c: 'changed' })).toBe(false);
  });
});

describe('HookMemory: the prefetch plan (lib/juju/prefetch.ts)', () => {
  const SECRET = K.secret('', 'ca', 'refresh');
  /** A hook that fetched config, pg/0's bag and the ca secret from tools, and wrote. */
  const fetchedAll = (): string => {
    const m = new HookMemory(undefined, event('start'), { now: T0 });
    m.observe(K.config(), 'value', CONFIG);
    m.fetched(K.config(), ['config-get', '--format=json']);
    m.observe(BAG, 'value', { host: 'a' });
    m.fetched(BAG, ['relation-get', '-r', 'db:3', '--format=json', '-', 'pg/0']);
    m.observe(SECRET, 'secret');
    m.fetched(SECRET, ['secret-get', '--label', 'ca', '--refresh', '--format=json']);
    m.wrote('state-set');
    return m.serialise('reconciled', T0);
  };

  it('plans what the last hook fetched and this hook cannot recall: secrets always, a bag only when the event made it stale', () => {
    const other = new HookMemory(fetchedAll(), relationChanged('pg/1'), { now: T0 + MINUTE });
    expect(other.prefetchPlan()).toEqual([['secret-get', '--label', 'ca', '--refresh', '--format=json']]);
    const same = new HookMemory(fetchedAll(), relationChanged('pg/0'), { now: T0 + MINUTE });
    expect(same.prefetchPlan()).toEqual([
      ['relation-get', '-r', 'db:3', '--format=json', '-', 'pg/0'],
      ['secret-get', '--label', 'ca', '--refresh', '--format=json'],
    ]);
  });

  it('leaves out what this hook already read (the skip check), and a reset hook plans everything', () => {
    const m = new HookMemory(fetchedAll(), relationChanged('pg/0'), { now: T0 + MINUTE });
    m.observe(BAG, 'value', { host: 'b' });
    expect(m.prefetchPlan()).toEqual([['secret-get', '--label', 'ca', '--refresh', '--format=json']]);
    expect(new HookMemory(fetchedAll(), event('upgrade-charm'), { now: T0 + MINUTE }).prefetchPlan()).toHaveLength(3);
  });

  it('saves commands only, never an answer; a skipped hook keeps the reconcile\'s list', () => {
    const text = fetchedAll();
    expect(fields(text)['prefetch']).toHaveLength(3);
    const skipped = new HookMemory(text, event('update-status'), { now: T0 + MINUTE });
    const again = new HookMemory(skipped.serialise('skipped'), relationChanged('pg/0'), { now: T0 + 2 * MINUTE });
    expect(again.prefetchPlan()).toHaveLength(2);
  });

  it('a malformed list makes a cold hook', () => {
    const bad = { ...fields(fetchedAll()), prefetch: [['only-a-key']] };
    expect(new HookMemory(JSON.stringify(bad), relationChanged('pg/0'), { now: T0 + MINUTE }).cold).toBe(true);
  });
});
