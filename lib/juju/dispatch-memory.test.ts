/**
 * dispatch with a hook memory (memory/): a unit's successive hooks over fake hook-tool
 * executables, counting the calls each hook makes and the reconciles it runs.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineCharm, dispatch, main } from './dispatch.ts';
import type { CharmContext, CharmDefinition, CharmSource } from './dispatch.ts';
import { InMemoryStore } from './memory/store.ts';
import { active, BlockedStatus } from './status.ts';
import { FakeTools, type ArgMatcher, type FakeAnswer } from './testing/fake-tools.ts';

const ANY: ArgMatcher = { prefix: '' };
const BASE = {
  JUJU_UNIT_NAME: 'ams/0',
  JUJU_MODEL_NAME: 'edge',
  JUJU_MODEL_UUID: '8a0b6c4e-1d2f-4a3b-9c8d-7e6f5a4b3c2d',
  JUJU_VERSION: '3.6.1',
};
const REL = ['-r', 'client:4'];
const OWN_BAG = ['relation-get', ...REL, '--format=json', '-', 'ams/0'];
const bagOf = (unit: string): string[] => ['relation-get', ...REL, '--format=json', '-', unit];

interface HookResult {
  readonly code: number;
  /** `tool arg…` of every call, in order. */
  readonly argvs: string[][];
  readonly stdins: string[];
  readonly stderr: string[];
}

/**
 * One unit: its memory store, and the answers its (fake) Juju gives now. Each hook gets fresh
 * fake tools from the current answers, so a test changes what Juju answers between hooks.
 */
class Unit {
  readonly store = new InMemoryStore();
  readonly #answers = new Map<string, [string, readonly ArgMatcher[], FakeAnswer]>();
  readonly #fakes: FakeTools[] = [];

  constructor() {
    UNITS.push(this);
    this.answer('status-set', ['active', ANY]).answer('status-set', ['blocked', ANY])
      .answer('juju-log', ['--log-level', ANY, ANY]).answer('application-version-set', ['1.0']);
  }

  /** From now on `tool args` answers `stdout` (exit 0). */
  answer(tool: string, args: readonly ArgMatcher[], stdout?: string): this {
    this.#answers.set(JSON.stringify([tool, args]), [tool, args, stdout === undefined ? {} : { stdout }]);
    return this;
  }

  async run(source: CharmSource, env: Record<string, string>): Promise<HookResult> {
    const fake = FakeTools.create();
    this.#fakes.push(fake);
    for (const [tool, args, answer] of this.#answers.values()) fake.on(tool, args, answer);
    const stderr: string[] = [];
    const code = await dispatch(source, { env: { ...fake.env(), ...env }, memory: this.store, stderr: (l) => void stderr.push(l) });
    const calls = fake.calls();
    return { code, argvs: calls.map((c) => [c.tool, ...c.args]), stdins: calls.map((c) => c.stdin), stderr };
  }

  hook(source: CharmSource, name: string, extra: Record<string, string> = {}): Promise<HookResult> {
    return this.run(source, { ...BASE, JUJU_DISPATCH_PATH: `hooks/${name}`, JUJU_HOOK_NAME: name, ...extra });
  }

  /** `client-relation-<kind>` of relation client:4 with agent, naming `remoteUnit` ('' for none). */
  relationHook(source: CharmSource, kind: string, remoteUnit: string): Promise<HookResult> {
    return this.hook(source, `client-relation-${kind}`, { JUJU_RELATION: 'client', JUJU_RELATION_ID: 'client:4', JUJU_REMOTE_APP: 'agent', JUJU_REMOTE_UNIT: remoteUnit });
  }

  action(source: CharmSource, name: string): Promise<HookResult> {
    return this.run(source, { ...BASE, JUJU_DISPATCH_PATH: `actions/${name}`, JUJU_HOOK_NAME: '', JUJU_ACTION_NAME: name, JUJU_ACTION_UUID: '7' });
  }

  cleanup(): void {
    for (const f of this.#fakes.splice(0)) f.cleanup();
  }
}

const UNITS: Unit[] = [];
afterEach(() => { for (const u of UNITS.splice(0)) u.cleanup(); });

/** Juju's answers for the reader charm: config, relation client:4 with agent/0 and agent/1. */
function readerWorld(): Unit {
  return new Unit()
    .answer('config-get', ['--format=json'], '{"port":8080}')
    .answer('relation-ids', ['--format=json', 'client'], '["client:4"]')
    .answer('relation-list', [...REL, '--format=json'], '["agent/0","agent/1"]')
    .answer('relation-get', [...REL, '--format=json', '-', 'agent/0'], '{"host":"a0"}')
    .answer('relation-get', [...REL, '--format=json', '-', 'agent/1'], '{"host":"a1"}');
}

/** Reads config and every remote unit's bag, writes nothing, returns a status made of them. */
function readerCharm(runs: { n: number }, extra: Partial<CharmDefinition> = {}): CharmDefinition {
  return defineCharm({
    ...extra,
    reconcile: (ctx: CharmContext) => {
      runs.n++;
      const port = Number(ctx.tools.configGet()['port']);
      if (port === 9999) throw new Error('port 9999 refused');
      const [rid] = ctx.tools.relationIds('client');
      const hosts = rid ? ctx.tools.relationList(rid).map((u) => ctx.tools.relationGet(rid, u)['host']) : [];
      return active(`port ${port}: ${hosts.join(',')}`);
    },
  });
}

const COLD_READS = [
  ['config-get', '--format=json'],
  ['relation-ids', '--format=json', 'client'],
  ['relation-list', ...REL, '--format=json'],
  bagOf('agent/0'),
  bagOf('agent/1'),
];

describe('dispatch with a hook memory: the fixpoint skip', () => {
  it('a reconcile that read config and bags and wrote nothing: the next update-status makes no call and does not run it', async () => {
    const unit = readerWorld();
    const runs = { n: 0 };
    const charm = readerCharm(runs);
    const first = await unit.hook(charm, 'start');
    expect(first.code).toBe(0);
    expect(first.argvs).toEqual([...COLD_READS, ['status-set', 'active', 'port 8080: a0,a1']]);
    expect(runs.n).toBe(1);

    for (let i = 0; i < 2; i++) {
      const again = await unit.hook(charm, 'update-status');
      expect(again.code).toBe(0);
      expect(again.argvs).toEqual([]); // no config-get, no relation-get, no status-set
      expect(runs.n).toBe(1);
      expect(unit.store.peek()).toBeDefined();
    }
  });

  it('config-changed re-reads config only, and skips when it is the same', async () => {
    const unit = readerWorld();
    const runs = { n: 0 };
    const charm = readerCharm(runs);
    await unit.hook(charm, 'start');
    const same = await unit.hook(charm, 'config-changed');
    expect(same.argvs).toEqual([['config-get', '--format=json']]);
    expect(runs.n).toBe(1);

    unit.answer('config-get', ['--format=json'], '{"port":8081}');
    const changed = await unit.hook(charm, 'config-changed');
    expect(changed.argvs).toEqual([['config-get', '--format=json'], ['status-set', 'active', 'port 8081: a0,a1']]);
    expect(runs.n).toBe(2);
  });

  it('relation-changed naming a unit re-reads only that unit\'s bag: skipped when equal, run when different', async () => {
    const unit = readerWorld();
    const runs = { n: 0 };
    const charm = readerCharm(runs);
    await unit.hook(charm, 'start');

    const equal = await unit.relationHook(charm, 'changed', 'agent/0');
    expect(equal.code).toBe(0);
    expect(equal.argvs).toEqual([bagOf('agent/0')]);
    expect(runs.n).toBe(1);

    unit.answer('relation-get', [...REL, '--format=json', '-', 'agent/0'], '{"host":"a0-moved"}');
    const different = await unit.relationHook(charm, 'changed', 'agent/0');
    expect(different.argvs).toEqual([bagOf('agent/0'), ['status-set', 'active', 'port 8080: a0-moved,a1']]);
    expect(runs.n).toBe(2);

    // That run wrote nothing: a new fixpoint, so the next hooks skip again.
    expect((await unit.hook(charm, 'update-status')).argvs).toEqual([]);
    expect((await unit.relationHook(charm, 'changed', 'agent/1')).argvs).toEqual([bagOf('agent/1')]);
    expect(runs.n).toBe(2);
  });

  it('a bag compared on the fields the charm declared: an unused key never runs the reconcile, also after a run caused by a used one', async () => {
    const unit = readerWorld();
    const runs = { n: 0 };
    // As lib/relations' Databag/codec do: fetch with usage 'declared', then name the fields used.
    const charm = defineCharm({
      reconcile: (ctx: CharmContext) => {
        runs.n++;
        const [rid] = ctx.tools.relationIds('client');
        const hosts = rid ? ctx.tools.relationList(rid).map((u) => {
          const bag = ctx.tools.relationGet(rid, u, { usage: 'declared' });
          ctx.tools.relationFieldsUsed?.(rid, u, {}, ['host']);
          return bag['host'];
        }) : [];
        return active(hosts.join(','));
      },
    });
    await unit.hook(charm, 'start');
    const nonce = (n: number, host = 'a0'): string => JSON.stringify({ host, nonce: String(n) });
    unit.answer('relation-get', [...REL, '--format=json', '-', 'agent/0'], nonce(1));
    expect((await unit.relationHook(charm, 'changed', 'agent/0')).argvs).toEqual([bagOf('agent/0')]);
    expect(runs.n).toBe(1);
    unit.answer('relation-get', [...REL, '--format=json', '-', 'agent/0'], nonce(2, 'a0-moved'));
    await unit.relationHook(charm, 'changed', 'agent/0');
    expect(runs.n).toBe(2);
    // The re-read made for the check declared nothing, so the new fixpoint is still narrowed to `host`.
    unit.answer('relation-get', [...REL, '--format=json', '-', 'agent/0'], nonce(3, 'a0-moved'));
    expect((await unit.relationHook(charm, 'changed', 'agent/0')).argvs).toEqual([bagOf('agent/0')]);
    expect(runs.n).toBe(2);
  });

  it('relation-joined re-reads the unit list and the joining unit\'s bag', async () => {
    const unit = readerWorld();
    const runs = { n: 0 };
    const charm = readerCharm(runs);
    await unit.hook(charm, 'start');
    unit.answer('relation-list', [...REL, '--format=json'], '["agent/0","agent/1","agent/2"]')
      .answer('relation-get', [...REL, '--format=json', '-', 'agent/2'], '{"host":"a2"}');
    const joined = await unit.relationHook(charm, 'joined', 'agent/2');
    expect(joined.argvs).toEqual([['relation-list', ...REL, '--format=json'], bagOf('agent/2'), ['status-set', 'active', 'port 8080: a0,a1,a2']]);
    expect(runs.n).toBe(2);
  });

  it('a lazy loader is not called at all when the hook is skipped', async () => {
    const unit = readerWorld();
    const runs = { n: 0 };
    const charm = readerCharm(runs);
    let loads = 0;
    const loader = async (): Promise<CharmDefinition> => { loads++; return charm; };
    expect((await unit.hook(loader, 'start')).code).toBe(0);
    expect([loads, runs.n]).toEqual([1, 1]);
    expect((await unit.hook(loader, 'update-status')).argvs).toEqual([]);
    expect((await unit.relationHook(loader, 'changed', 'agent/1')).argvs).toEqual([bagOf('agent/1')]);
    expect([loads, runs.n]).toEqual([1, 1]);

    unit.answer('config-get', ['--format=json'], '{"port":8081}');
    expect((await unit.hook(loader, 'config-changed')).code).toBe(0);
    expect([loads, runs.n]).toEqual([2, 2]);
  });

  it('a charm with a hooks handler for the hook is never skipped (other hooks still are)', async () => {
    const unit = readerWorld();
    const runs = { n: 0 };
    let handled = 0;
    const charm = readerCharm(runs, { hooks: { 'update-status': () => { handled++; } } });
    await unit.hook(charm, 'start');
    expect((await unit.relationHook(charm, 'changed', 'agent/0')).argvs).toEqual([bagOf('agent/0')]);
    expect([handled, runs.n]).toEqual([0, 1]);
    const handledHook = await unit.hook(charm, 'update-status');
    expect(handledHook.code).toBe(0);
    expect([handled, runs.n]).toEqual([1, 2]);
    expect(handledHook.argvs).toEqual([]); // it ran on remembered reads, and the status is unchanged
  });
});

describe('dispatch with a hook memory: writes', () => {
  /** Publishes its URL in its own bag of client:4 (read first, so an unchanged write is elided). */
  function writerCharm(runs: { n: number }): CharmDefinition {
    return defineCharm({
      reconcile: (ctx) => {
        runs.n++;
        const port = String(ctx.tools.configGet()['port']);
        const [rid] = ctx.tools.relationIds('client');
        if (!rid) return;
        ctx.tools.relationGet(rid, ctx.hook.unit.name);
        ctx.tools.relationSet(rid, { url: `http://10.1.1.1:${port}` });
      },
    });
  }
  const writerWorld = (ownBag: string): Unit => new Unit()
    .answer('config-get', ['--format=json'], '{"port":8080}')
    .answer('relation-ids', ['--format=json', 'client'], '["client:4"]')
    .answer('relation-get', [...REL, '--format=json', '-', 'ams/0'], ownBag)
    .answer('relation-set', [...REL, '--file', '-']);

  it('a reconcile that wrote is not a fixpoint: the next hook runs it, and its unchanged relation-set makes no call', async () => {
    const unit = writerWorld('{"private-address":"10.1.1.1"}');
    const runs = { n: 0 };
    const charm = writerCharm(runs);
    const first = await unit.hook(charm, 'start');
    expect(first.argvs).toEqual([
      ['config-get', '--format=json'], ['relation-ids', '--format=json', 'client'], OWN_BAG, ['relation-set', ...REL, '--file', '-'],
    ]);
    expect(first.stdins.at(-1)).toBe('{"url":"http://10.1.1.1:8080"}');
    expect(runs.n).toBe(1);

    unit.answer('relation-get', [...REL, '--format=json', '-', 'ams/0'], '{"private-address":"10.1.1.1","url":"http://10.1.1.1:8080"}'); // committed
    const second = await unit.hook(charm, 'update-status');
    expect(runs.n).toBe(2); // not a fixpoint: it ran
    // ... on remembered reads, except our own bag: a buffered write is read back once (Juju may
    // discard it at commit, contract §0.4), and the same relation-set is not made again.
    expect(second.argvs).toEqual([OWN_BAG]);

    const third = await unit.hook(charm, 'update-status');
    expect(runs.n).toBe(2); // the second run wrote nothing: now a fixpoint
    expect(third.argvs).toEqual([]);

    unit.answer('config-get', ['--format=json'], '{"port":8081}');
    const changed = await unit.hook(charm, 'config-changed');
    expect(runs.n).toBe(3);
    expect(changed.argvs).toEqual([['config-get', '--format=json'], OWN_BAG, ['relation-set', ...REL, '--file', '-']]);
    expect(changed.stdins.at(-1)).toBe('{"url":"http://10.1.1.1:8081"}');
  });

  it('relation-set of what the bag already holds makes no call, and is a fixpoint', async () => {
    const unit = writerWorld('{"private-address":"10.1.1.1","url":"http://10.1.1.1:8080"}');
    const runs = { n: 0 };
    const charm = writerCharm(runs);
    const first = await unit.hook(charm, 'start');
    expect(first.argvs).toEqual([['config-get', '--format=json'], ['relation-ids', '--format=json', 'client'], OWN_BAG]);
    await unit.hook(charm, 'update-status');
    expect(runs.n).toBe(1);
  });

  it('state-set of unchanged values makes no call', async () => {
    const unit = new Unit().answer('state-get', ['--format=json'], 'null').answer('state-set', ['--file', '-']);
    const runs = { n: 0 };
    const charm = defineCharm({ reconcile: (ctx) => { runs.n++; ctx.tools.stateGet(); ctx.tools.stateSet({ seen: 'yes' }); } });
    const first = await unit.hook(charm, 'start');
    expect(first.argvs).toEqual([['state-get', '--format=json'], ['state-set', '--file', '-']]);
    expect(first.stdins.at(-1)).toBe('{"seen":"yes"}');
    unit.answer('state-get', ['--format=json'], '{"seen":"yes"}');
    const second = await unit.hook(charm, 'update-status');
    expect([runs.n, second.argvs]).toEqual([2, [['state-get', '--format=json']]]);
    const third = await unit.hook(charm, 'update-status');
    expect([runs.n, third.argvs]).toEqual([2, []]);
  });

  // Our own buffered writes are not remembered as done: Juju can still fail the hook at commit
  // after exit 0 (contract §0.4 last bullet: e.g. a secret label clash) and discard them (§1.5).
  it('a hook that Juju failed at commit (after exit 0) repeats its buffered writes when retried', async () => {
    const unit = new Unit().answer('state-get', ['--format=json'], 'null').answer('state-set', ['--file', '-']);
    const charm = defineCharm({ reconcile: (ctx) => { ctx.tools.stateGet(); ctx.tools.stateSet({ seen: 'yes' }); } });
    expect((await unit.hook(charm, 'config-changed')).code).toBe(0);
    // Juju discarded the state-set at commit: state-get still answers null, and the hook is retried.
    const retry = await unit.hook(charm, 'config-changed');
    expect(retry.argvs).toContainEqual(['state-set', '--file', '-']);
  });
});

describe('dispatch with a hook memory: secrets', () => {
  const TOKEN = 'tok-5f2e9a-very-secret';
  const secretWorld = (): Unit => new Unit()
    .answer('config-get', ['--format=json'], '{"port":8080}')
    .answer('secret-get', ['--label', 'nats-token', '--format=json'], `{"token":"${TOKEN}"}`)
    .answer('secret-get', ['--label', 'nats-token', '--refresh', '--format=json'], `{"token":"${TOKEN}"}`);

  it('a secret read leaves no value in the memory; it is trusted until a hook that can move it, which runs the reconcile', async () => {
    const unit = secretWorld();
    const runs = { n: 0 };
    const charm = defineCharm({
      reconcile: (ctx) => {
        runs.n++;
        ctx.tools.configGet();
        return active(ctx.tools.secretGet({ label: 'nats-token' })['token'] ? 'connected' : 'no token');
      },
    });
    const first = await unit.hook(charm, 'start');
    expect(first.argvs).toEqual([['config-get', '--format=json'], ['secret-get', '--label', 'nats-token', '--format=json'], ['status-set', 'active', 'connected']]);
    expect(unit.store.peek()).toBeDefined();
    expect(unit.store.peek()).not.toContain(TOKEN);
    expect(unit.store.peek()).not.toContain('5f2e9a');

    expect((await unit.hook(charm, 'update-status')).argvs).toEqual([]);
    expect(runs.n).toBe(1);

    // leader-settings-changed can have moved the secret: no skip (re-reading a secret is not
    // side-effect free), the reconcile runs and reads it again; config is still remembered.
    const leadership = await unit.hook(charm, 'leader-settings-changed');
    expect(runs.n).toBe(2);
    expect(leadership.argvs).toEqual([['secret-get', '--label', 'nats-token', '--format=json']]);
    expect(unit.store.peek()).not.toContain(TOKEN);

    const changed = await unit.hook(charm, 'secret-changed', { JUJU_SECRET_ID: 'secret:cn1', JUJU_SECRET_LABEL: 'nats-token' });
    expect(runs.n).toBe(3);
    expect(changed.argvs).toEqual([['secret-get', '--label', 'nats-token', '--format=json']]);
  });

  it('secret-get --refresh is not a write for the memory: skipped until a secret hook, which refreshes again', async () => {
    const unit = secretWorld();
    const runs = { n: 0 };
    const charm = defineCharm({ reconcile: (ctx) => { runs.n++; ctx.tools.secretGet({ label: 'nats-token', refresh: true }); } });
    await unit.hook(charm, 'start');
    expect((await unit.hook(charm, 'update-status')).argvs).toEqual([]);
    expect(runs.n).toBe(1);
    const changed = await unit.hook(charm, 'secret-changed', { JUJU_SECRET_ID: 'secret:cn1', JUJU_SECRET_LABEL: 'nats-token' });
    expect(runs.n).toBe(2);
    expect(changed.argvs).toEqual([['secret-get', '--label', 'nats-token', '--refresh', '--format=json']]);
    expect(unit.store.peek()).not.toContain(TOKEN);
  });
});

describe('dispatch with a hook memory: what is not remembered', () => {
  it('a failed hook leaves the store empty: the next hook is cold (every call again, the status set again)', async () => {
    const unit = readerWorld();
    const runs = { n: 0 };
    const charm = readerCharm(runs);
    await unit.hook(charm, 'start');
    unit.answer('config-get', ['--format=json'], '{"port":9999}');
    const failed = await unit.hook(charm, 'config-changed');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toEqual(['config-changed failed: Error: port 9999 refused']);
    expect(unit.store.peek()).toBeUndefined();
    expect(runs.n).toBe(2);

    unit.answer('config-get', ['--format=json'], '{"port":8080}');
    const next = await unit.hook(charm, 'update-status');
    expect(next.code).toBe(0);
    expect(next.argvs).toEqual([...COLD_READS, ['status-set', 'active', 'port 8080: a0,a1']]);
    expect(runs.n).toBe(3);
    expect(unit.store.peek()).toBeDefined();
  });

  it('an action never uses the memory, and clears it', async () => {
    const unit = readerWorld().answer('action-get', ['--format=json'], '{}');
    const runs = { n: 0 };
    const charm = readerCharm(runs, { actions: { show: (ctx) => ({ port: String(ctx.tools.configGet()['port']) }) } });
    unit.answer('action-set', ['port=8080']);
    await unit.hook(charm, 'start');
    expect(unit.store.peek()).toBeDefined();
    const action = await unit.action(charm, 'show');
    expect(action.code).toBe(0);
    expect(action.argvs).toEqual([['action-get', '--format=json'], ['config-get', '--format=json'], ['action-set', 'port=8080']]);
    expect(unit.store.peek()).toBeUndefined();
    expect(runs.n).toBe(1);

    const next = await unit.hook(charm, 'update-status');
    expect(next.argvs).toEqual([...COLD_READS, ['status-set', 'active', 'port 8080: a0,a1']]);
    expect(runs.n).toBe(2);
  });

  it('Juju 2.9 (no secrets) never uses the memory, and clears it', async () => {
    const unit = readerWorld();
    const runs = { n: 0 };
    const charm = readerCharm(runs);
    await unit.hook(charm, 'start');
    expect(unit.store.peek()).toBeDefined();
    for (let i = 2; i <= 3; i++) {
      const old = await unit.hook(charm, 'update-status', { JUJU_VERSION: '2.9.44' });
      expect(old.code).toBe(0);
      expect(old.argvs).toEqual([...COLD_READS, ['status-set', 'active', 'port 8080: a0,a1']]);
      expect(runs.n).toBe(i);
      expect(unit.store.peek()).toBeUndefined();
    }
  });

  it('Juju 3.0.2 (before secrets, as ops counts them) does not use it either; 3.0.3 does', async () => {
    const unit = readerWorld();
    const runs = { n: 0 };
    const charm = readerCharm(runs);
    await unit.hook(charm, 'start', { JUJU_VERSION: '3.0.2' });
    expect(unit.store.peek()).toBeUndefined();
    await unit.hook(charm, 'start', { JUJU_VERSION: '3.0.3' });
    expect((await unit.hook(charm, 'update-status', { JUJU_VERSION: '3.0.3' })).argvs).toEqual([]);
    expect(runs.n).toBe(2);
  });

  it('a corrupt memory makes a cold hook, not a failed one', async () => {
    const unit = readerWorld();
    const runs = { n: 0 };
    const charm = readerCharm(runs);
    await unit.hook(charm, 'start');
    unit.store.save('{"v":1,"unit":"ams/0"');
    const next = await unit.hook(charm, 'update-status');
    expect([next.code, next.argvs.length, runs.n]).toEqual([0, COLD_READS.length + 1, 2]);
  });

  // `typeof null === 'object'`: a `"reads": null` memory must be cold, not a rejected dispatch.
  it('a memory whose reads are null makes a cold hook, not a rejected dispatch', async () => {
    const unit = readerWorld();
    const runs = { n: 0 };
    const charm = readerCharm(runs);
    await unit.hook(charm, 'start');
    const saved = JSON.parse(unit.store.peek() ?? '{}') as Record<string, unknown>;
    unit.store.save(JSON.stringify({ ...saved, reads: null }));
    const next = await unit.hook(charm, 'update-status');
    expect([next.code, next.argvs.length, runs.n]).toEqual([0, COLD_READS.length + 1, 2]);
  });
});

describe('dispatch with a hook memory: ctx.memo', () => {
  /** Always writes (application-version-set), so it runs in every hook; records the memo it saw. */
  function memoCharm(seen: string[][], plan: { fail?: 'error' | 'blocked'; set: string }): CharmDefinition {
    return defineCharm({
      reconcile: (ctx) => {
        seen.push(ctx.memo.keys().sort());
        ctx.memo.set(plan.set, 'v');
        ctx.tools.applicationVersionSet('1.0');
        if (plan.fail === 'error') throw new Error('boom');
        if (plan.fail === 'blocked') throw new BlockedStatus('waiting for a database');
      },
    });
  }

  it('survives to the next hook only when the hook succeeded (a StatusError is a success)', async () => {
    const unit = new Unit();
    const seen: string[][] = [];
    const plan: { fail?: 'error' | 'blocked'; set: string } = { set: 'a' };
    const charm = memoCharm(seen, plan);
    expect((await unit.hook(charm, 'start')).code).toBe(0);
    plan.set = 'b';
    expect((await unit.hook(charm, 'update-status')).code).toBe(0);
    plan.set = 'c';
    plan.fail = 'blocked';
    const blocked = await unit.hook(charm, 'update-status');
    expect(blocked.code).toBe(0);
    expect(blocked.argvs).toContainEqual(['status-set', 'blocked', 'waiting for a database']);
    plan.set = 'd';
    plan.fail = 'error';
    expect((await unit.hook(charm, 'update-status')).code).toBe(1);
    plan.set = 'e';
    delete plan.fail;
    expect((await unit.hook(charm, 'update-status')).code).toBe(0);
    expect(seen).toEqual([[], ['a'], ['a', 'b'], ['a', 'b', 'c'], []]);
  });

  it('without a store the memo lives for one hook only', async () => {
    const fake = FakeTools.create();
    try {
      fake.on('application-version-set', ['1.0']);
      const seen: string[][] = [];
      const charm = memoCharm(seen, { set: 'a' });
      const env = { ...fake.env(), ...BASE, JUJU_DISPATCH_PATH: 'hooks/update-status', JUJU_HOOK_NAME: 'update-status' };
      expect(await dispatch(charm, { env })).toBe(0);
      expect(await dispatch(charm, { env })).toBe(0);
      expect(seen).toEqual([[], []]);
    } finally {
      fake.cleanup();
    }
  });
});

describe('main: the unit\'s memory file', () => {
  it('keeps the memory in a 0600 file in the charm directory between hooks; a failed hook removes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'charm-dir-'));
    const before = process.exitCode;
    const fake = FakeTools.create();
    try {
      fake.on('config-get', ['--format=json'], { stdout: '{"port":8080}' })
        .on('relation-ids', ['--format=json', 'client'], { stdout: '[]' })
        .on('status-set', ['active', 'port 8080: '])
        .on('juju-log', ['--log-level', ANY, ANY]);
      const runs = { n: 0 };
      const charm = readerCharm(runs);
      const env = (hook: string): Record<string, string> => ({ ...fake.env(), ...BASE, JUJU_CHARM_DIR: dir, JUJU_DISPATCH_PATH: `hooks/${hook}`, JUJU_HOOK_NAME: hook });
      const file = join(dir, '.hook-memory-unit-ams-0.json');

      await main(charm, { env: env('start'), stderr: () => undefined });
      expect(process.exitCode).toBe(0);
      expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
      expect(fake.argvs()).toHaveLength(3);

      fake.reset();
      await main(charm, { env: env('update-status'), stderr: () => undefined });
      expect([process.exitCode, fake.argvs(), runs.n]).toEqual([0, [], 1]);
      expect(readdirSync(dir)).toEqual(['.hook-memory-unit-ams-0.json']);

      await main(defineCharm({ reconcile: () => { throw new Error('boom'); } }), { env: env('update-status'), stderr: () => undefined });
      expect(process.exitCode).toBe(1);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      process.exitCode = before;
      fake.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
