/**
 * dispatch's read prefetch (prefetch.ts) and deferred writes (write-queue.ts): with a hook
 * memory, the reads the last reconcile had to ask a tool for are asked in one batch before the
 * charm runs, and the charm's own reads of them are answered from it; the writes whose answer
 * nobody reads go out in one batch at the end.
 */
import { describe, expect, it } from '@jest/globals';
import { defineCharm, dispatch, type CharmContext, type CharmDefinition } from './dispatch.ts';
import { InMemoryStore } from './memory/store.ts';
import { active } from './status.ts';
import type { ToolBatchItem, ToolResult, ToolRunner, ToolRunOptions } from './types.ts';

const ENV = {
  JUJU_UNIT_NAME: 'agent/0',
  JUJU_MODEL_NAME: 'edge',
  JUJU_MODEL_UUID: '8a0b6c4e-1d2f-4a3b-9c8d-7e6f5a4b3c2d',
  JUJU_VERSION: '3.6.1',
};
const ok = (stdout: string): ToolResult => ({ stdout, stderr: '', exitCode: 0 });

/** Juju's answers, and which commands came one by one (`run`) and which in a batch. */
class SpyJuju implements ToolRunner {
  readonly single: string[] = [];
  /** Read batches (the prefetch). */
  readonly batches: string[][] = [];
  /** Write batches (the end of the hook). */
  readonly writeBatches: string[][] = [];
  /** stdin each write got, by command. */
  readonly inputs: string[] = [];
  fail = new Set<string>();
  state: Record<string, string> = {};
  #n = 0;

  answer(tool: string, args: readonly string[]): ToolResult {
    if (this.fail.has(tool)) return { stdout: '', stderr: `ERROR ${tool}: boom\n`, exitCode: 1 };
    switch (tool) {
      case 'is-leader': return ok('true');
      case 'config-get': return ok('{"port":8080}');
      case 'secret-get': return ok(args.includes('--label') && args[args.indexOf('--label') + 1] === 'ca' ? '{"ca":"pem"}' : '{"token":"t"}');
      case 'relation-get': return ok('{"url":"tls://n:4222"}');
      case 'relation-ids': return ok('["nats:3"]');
      case 'state-get': return ok(JSON.stringify(this.state));
      default: return ok('');
    }
  }

  run(tool: string, args: readonly string[], options?: ToolRunOptions): ToolResult {
    this.single.push([tool, ...args].join(' '));
    return this.#write(tool, args, options?.input);
  }

  async runMany(items: ReadonlyArray<ToolBatchItem>): Promise<ToolResult[]> {
    const writes = items.some((i) => i.capture === 'stderr');
    (writes ? this.writeBatches : this.batches).push(items.map((i) => i.command.join(' ')));
    return items.map(({ command: [tool, ...args], input }) => this.#write(tool, args, input));
  }

  #write(tool: string, args: readonly string[], input: string | undefined): ToolResult {
    if (input !== undefined) this.inputs.push(`${tool} ${input}`);
    const result = this.answer(tool, args);
    if (tool === 'state-set' && result.exitCode === 0) Object.assign(this.state, JSON.parse(input ?? '{}') as Record<string, string>);
    return result;
  }

  /** A fresh log for the next hook. */
  next(): this {
    this.single.length = 0;
    this.batches.length = 0;
    this.writeBatches.length = 0;
    this.inputs.length = 0;
    return this;
  }

  /** A value that differs each hook, so the reconcile always writes (never a fixpoint). */
  get counter(): string { return String(++this.#n); }
}

function agentCharm(juju: SpyJuju, log: string[]): CharmDefinition {
  return defineCharm({
    reconcile: (ctx) => {
      log.push(`reconcile after ${juju.single.length} single calls`);
      ctx.tools.isLeader();
      ctx.tools.configGet();
      ctx.tools.secretGet({ label: 'ca', refresh: true });
      for (const id of ctx.tools.relationIds('nats')) ctx.tools.relationGet(id, 'nats/0');
      ctx.tools.secretGet({ id: 'secret:tok', label: 'nats.3.token' });
      if (ctx.hook.kind === 'secret-changed') ctx.tools.secretGet({ id: 'secret:tok', refresh: true });
      ctx.tools.stateSet({ n: juju.counter });
      return active();
    },
  });
}

const hook = (juju: SpyJuju, store: InMemoryStore, charm: CharmDefinition, name: string, extra: Record<string, string> = {}): Promise<number> =>
  dispatch(charm, { env: { ...ENV, JUJU_DISPATCH_PATH: `hooks/${name}`, ...extra }, runner: juju, memory: store, stderr: () => {} });

const natsChanged = { JUJU_RELATION: 'nats', JUJU_RELATION_ID: 'nats:3', JUJU_REMOTE_APP: 'nats', JUJU_REMOTE_UNIT: 'nats/0' };

describe('dispatch: read prefetch', () => {
  it('asks the last reconcile\'s tool reads in one batch before the charm runs; the charm then asks none of them itself', async () => {
    const juju = new SpyJuju();
    const store = new InMemoryStore();
    const log: string[] = [];
    const charm = agentCharm(juju, log);
    expect(await hook(juju, store, charm, 'start')).toBe(0);
    expect(juju.batches).toEqual([]); // no memory yet: nothing to prefetch
    // Its writes went out together at the end, each with its own stdin.
    expect(juju.writeBatches).toEqual([['state-set --file -', 'status-set active']]);
    expect(juju.inputs).toEqual(['state-set {"n":"1"}']);

    expect(await hook(juju.next(), store, charm, 'nats-relation-changed', natsChanged)).toBe(0);
    // config is remembered (not stale for a relation hook): not asked at all. is-leader `true`,
    // secrets and the bag the event names are asked, in the reconcile's order.
    expect(juju.batches).toEqual([[
      'is-leader --format=json',
      'secret-get --label ca --refresh --format=json',
      'relation-get -r nats:3 --format=json - nats/0',
      'secret-get secret:tok --label nats.3.token --format=json',
    ]]);
    expect(log.at(-1)).toBe('reconcile after 0 single calls');
    // One write left (the status is the one the last hook set): sent alone, no batch needed.
    expect(juju.single).toEqual(['state-set --file -']);
    expect(juju.writeBatches).toEqual([]);
  });

  it('never prefetches a consumer refresh: the charm asks it itself, on secret-changed only', async () => {
    const juju = new SpyJuju();
    const store = new InMemoryStore();
    const charm = agentCharm(juju, []);
    await hook(juju, store, charm, 'start');
    await hook(juju.next(), store, charm, 'secret-changed', { JUJU_SECRET_ID: 'secret:tok', JUJU_SECRET_LABEL: 'nats.3.token' });
    expect(juju.single).toContain('secret-get secret:tok --refresh --format=json');
    await hook(juju.next(), store, charm, 'nats-relation-changed', natsChanged);
    expect(juju.batches.flat().some((c) => c.includes('secret:tok --refresh'))).toBe(false);
    expect(juju.single.some((c) => c.includes('secret:tok --refresh'))).toBe(false);
  });

  it('a read that failed in the batch is asked again by the charm, which sees the real error; a failed hook leaves nothing to prefetch', async () => {
    const juju = new SpyJuju();
    const store = new InMemoryStore();
    const charm = agentCharm(juju, []);
    await hook(juju, store, charm, 'start');
    juju.next().fail.add('relation-get');
    expect(await hook(juju, store, charm, 'nats-relation-changed', natsChanged)).toBe(1);
    expect(juju.single).toEqual(['relation-get -r nats:3 --format=json - nats/0', expect.stringMatching(/^juju-log --log-level ERROR nats-relation-changed failed: .*relation-get.*boom$/)]);
    juju.next().fail.clear();
    expect(await hook(juju, store, charm, 'nats-relation-changed', natsChanged)).toBe(0);
    expect(juju.batches).toEqual([]);
  });
});

describe('dispatch: deferred writes', () => {
  const writer = (juju: SpyJuju, body: (ctx: CharmContext) => void): CharmDefinition => defineCharm({
    reconcile: (ctx) => {
      body(ctx);
      ctx.log.info(`wrote ${juju.counter}`);
      return active('ready');
    },
  });

  it('a read after a write sees it: the queue goes out before any call that is not deferred', async () => {
    const juju = new SpyJuju();
    const store = new InMemoryStore();
    const seen: string[] = [];
    const charm = writer(juju, (ctx) => {
      ctx.tools.stateSet({ a: '1' });
      ctx.tools.statusSet('maintenance', 'working');
      // A status is for the operator to see now: sent at once, ahead of the queued state-set.
      expect(juju.single).toEqual(['status-set maintenance working']);
      seen.push(ctx.tools.stateGet()['a'] ?? 'missing');
    });
    expect(await hook(juju, store, charm, 'start')).toBe(0);
    expect(seen).toEqual(['1']);
    expect(juju.single).toEqual(['status-set maintenance working', 'state-set --file -', 'state-get --format=json', 'juju-log --log-level INFO wrote 1', 'status-set active ready']);
    expect(juju.writeBatches).toEqual([]);
  });

  it('a deferred write that fails fails the hook with its own error, saves no memory, and its stdin is in no message', async () => {
    const juju = new SpyJuju();
    const store = new InMemoryStore();
    const errors: string[] = [];
    juju.fail.add('relation-set');
    const charm = writer(juju, (ctx) => { ctx.tools.relationSet('nats:3', { token_hint: 'tok-very-secret-value' }); });
    const code = await dispatch(charm, { env: { ...ENV, JUJU_DISPATCH_PATH: 'hooks/start' }, runner: juju, memory: store, stderr: (l) => void errors.push(l) });
    expect(code).toBe(1);
    expect(errors.join('\n')).toMatch(/start failed: .*relation-set.*boom/);
    expect(errors.join('\n')).not.toContain('tok-very-secret-value');
    expect(store.peek()).toBeUndefined();
    // The ERROR line was logged after the failed batch: it reached Juju too.
    expect(juju.single.at(-1)).toMatch(/^juju-log --log-level ERROR start failed/);
  });

  it('a juju-log line that cannot be sent goes to stderr and fails nothing', async () => {
    const juju = new SpyJuju();
    const errors: string[] = [];
    juju.fail.add('juju-log');
    const charm = writer(juju, () => undefined);
    const code = await dispatch(charm, { env: { ...ENV, JUJU_DISPATCH_PATH: 'hooks/start' }, runner: juju, memory: new InMemoryStore(), stderr: (l) => void errors.push(l) });
    expect(code).toBe(0);
    expect(errors).toEqual(['INFO wrote 1']);
  });

  it('without a memory (Juju 2.9, actions) every write is sent when made', async () => {
    const juju = new SpyJuju();
    const charm = writer(juju, (ctx) => { ctx.tools.stateSet({ a: '1' }); });
    await dispatch(charm, { env: { ...ENV, JUJU_VERSION: '2.9.45', JUJU_DISPATCH_PATH: 'hooks/start' }, runner: juju, stderr: () => {} });
    expect(juju.writeBatches).toEqual([]);
    expect(juju.single).toEqual(['state-set --file -', 'juju-log --log-level INFO wrote 1', 'status-set active ready']);
  });
});
