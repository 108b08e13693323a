/**
 * The deployment story the reliability tests share, in-process against the simulator engine
 * (charms/common/src/testing/charm-harness.ts): nats (2 units) offered from model `msg`,
 * consumed in model `cloud` by anbox-stream-agent (2 units), related both ways to ams.
 * EC P-384 keys everywhere (tooling.md: RSA 4096 is ~2 s per key).
 *
 * `run()` plays the unit agent with a runner wrapper, so a test can make chosen hook-tool
 * calls fail (fault injection) and `resolve` units in error like an operator (contract §1.5).
 * Each unit keeps its hook memory (lib/juju/memory) in `h.memory` between hooks, as its charm
 * directory would; `memory: false` runs every hook without one (every hook reads everything),
 * and a function may hand dispatch a wrapped store (faults of the memory itself).
 */
import { rmSync } from 'node:fs';
import { dispatch } from '../../../lib/juju/dispatch.ts';
import type { InMemoryStore, MemoryStore } from '../../../lib/juju/memory/store.ts';
import type { ToolResult, ToolRunner, ToolRunOptions } from '../../../lib/juju/types.ts';
import type { Engine, HookInvocation } from '../../../lib/testing/engine/api.ts';
import type { WorldState } from '../../../lib/testing/engine/state.ts';
import { runNextHook, type HookRun } from '../../../lib/testing/in-process.ts';
import { CharmHarness } from '../../../charms/common/src/testing/charm-harness.ts';

export const AGENT = 'anbox-stream-agent';
export const EC = { key_algorithm: 'ec-p384' } as const;
export const NATS_EC = { 'ca-key-algorithm': 'ec-p384' } as const;
/** Juju runs update-status every 5 minutes (contract §1.4). */
export const UPDATE_STATUS_MS = 5 * 60 * 1000 + 1000;

export interface StoryOptions { readonly seed?: number; readonly natsUnits?: number; readonly agentUnits?: number }

/** A harness with no model yet. */
export function newBareHarness(options: { seed?: number } = {}): CharmHarness {
  return new CharmHarness(options.seed === undefined ? {} : { seed: options.seed });
}

/** Enqueue the story (operator verbs only); nothing has run yet. */
export function newStory(options: StoryOptions = {}): CharmHarness {
  const h = newBareHarness(options);
  h.engine.addModel('msg');
  h.engine.addModel('cloud');
  h.deploy('msg', 'nats', { units: options.natsUnits ?? 2, config: NATS_EC });
  h.deploy('cloud', 'ams', { config: EC });
  h.deploy('cloud', AGENT, { units: options.agentUnits ?? 2, config: EC });
  const url = h.engine.offer('msg', 'nats', ['client']);
  h.engine.consume('cloud', url, 'nats');
  h.engine.integrate('cloud', `${AGENT}:nats`, 'nats:client');
  h.engine.integrate('cloud', 'ams:rest-api', `${AGENT}:ams`);
  h.engine.integrate('cloud', 'ams:agent', `${AGENT}:client`);
  return h;
}

/**
 * Wraps the in-process runner of one hook attempt (`attempt` = failures of this unit's head
 * hook so far; `remembered` = the unit's memory holds what its last successful hook saved).
 */
export type RunnerWrap = (runner: ToolRunner, hook: HookInvocation, attempt: number, remembered: boolean) => ToolRunner;

/** One hook attempt; `remembered`: the unit's memory held a saved text when it started. */
export interface StoryHookRun extends HookRun { readonly remembered: boolean }

export interface RunResult {
  readonly ran: StoryHookRun[];
  /** `unit hook` of every failed attempt (resolved afterwards). */
  readonly failed: string[];
  readonly resolves: number;
  /** What the charms wrote on stderr (dispatch's one redacted error line per failed hook). */
  readonly stderr: string[];
}

/** Units currently in error (a failed hook blocks their queue). */
export function unitsInError(engine: Engine): Array<{ model: string; unit: string }> {
  const state = engine.toJSON() as WorldState;
  const out: Array<{ model: string; unit: string }> = [];
  for (const m of Object.values(state.models)) {
    for (const app of Object.values(m.apps)) {
      for (const u of Object.values(app.units)) if (u.failedHook) out.push({ model: m.name, unit: u.name });
    }
  }
  return out;
}

/**
 * Run hooks until settled; after each settle `resolve` every unit in error (the failed hook
 * is re-run) until none is left. `maxResolves` guards against a hook that never passes.
 */
export interface RunOptions {
  readonly wrap?: RunnerWrap;
  readonly maxResolves?: number;
  /** Run against this engine instead of `h.engine` (e.g. one restored with loadEngine). */
  readonly engine?: Engine;
  /** Hooks for which this returns true exit 0 without running the charm (a remote side that stays as it is). */
  readonly skip?: (hook: HookInvocation) => boolean;
  /**
   * The hook memory: true (default) each unit's store in `h.memory`; false none (dispatch
   * without `memory`); a function gets the unit's store and returns what dispatch uses.
   */
  readonly memory?: boolean | ((store: InMemoryStore, hook: HookInvocation, attempt: number) => MemoryStore);
  /**
   * What the unit agent makes of a hook that exited `exitCode` (default: that code). Lets a
   * test fail a hook after the charm exited 0 (agent death before commit, contract §1.5).
   */
  readonly outcome?: (hook: HookInvocation, exitCode: number, attempt: number) => number;
}

export async function run(h: CharmHarness, options: RunOptions = {}): Promise<RunResult> {
  const engine = options.engine ?? h.engine;
  const attempts = new Map<string, number>();
  const ran: StoryHookRun[] = [];
  const failed: string[] = [];
  let resolves = 0;
  const stderr: string[] = [];
  const max = options.maxResolves ?? 2000;
  for (;;) {
    for (;;) {
      if (ran.length > 20000) throw new Error('run: more than 20000 hooks; a charm may be looping');
      let remembered = false;
      const r = await runNextHook(engine, async (env, runner, hook) => {
        const charm = h.charms.get(hook.charm.name);
        if (!charm) throw new Error(`no charm definition for ${hook.charm.name}`);
        if (options.skip?.(hook)) return 0;
        const attempt = attempts.get(`${hook.model}/${hook.unit}`) ?? 0;
        const store = h.memory.forEnv(env);
        remembered = store.peek() !== undefined;
        const wrapped = options.wrap ? options.wrap(runner, hook, attempt, remembered) : runner;
        const memory = options.memory === false ? undefined : typeof options.memory === 'function' ? options.memory(store, hook, attempt) : store;
        const code = await dispatch(charm, { env, runner: wrapped, ...(memory ? { memory } : {}), stderr: (line) => { stderr.push(line); } });
        return options.outcome ? options.outcome(hook, code, attempt) : code;
      });
      if (!r) break;
      ran.push({ ...r, remembered });
      const key = `${r.hook.model}/${r.hook.unit}`;
      if (r.exitCode !== 0) {
        failed.push(`${r.hook.unit} ${r.hook.name}`);
        attempts.set(key, (attempts.get(key) ?? 0) + 1);
      } else {
        attempts.delete(key);
      }
    }
    const stuck = unitsInError(engine);
    if (stuck.length === 0) return { ran, failed, resolves, stderr };
    if (resolves >= max) throw new Error(`run: still in error after ${max} resolves: ${stuck.map((s) => s.unit).join(', ')}`);
    for (const s of stuck) { engine.resolve(s.model, s.unit); resolves++; }
  }
}

/** A runner whose `failAt`-th call (1-based) fails like a hook tool that lost its agent: exit 1, `ERROR` line. */
export class FaultyRunner implements ToolRunner {
  readonly #inner: ToolRunner;
  readonly #failAt: number;
  calls = 0;
  injected: string | undefined;

  constructor(inner: ToolRunner, failAt: number) {
    this.#inner = inner;
    this.#failAt = failAt;
  }

  run(tool: string, args: readonly string[], options?: ToolRunOptions): ToolResult {
    this.calls++;
    if (this.calls === this.#failAt) {
      this.injected = tool;
      return { exitCode: 1, stdout: '', stderr: `ERROR injected fault: ${tool} call ${this.calls} failed\n` };
    }
    return this.#inner.run(tool, args, options);
  }
}

export function cleanup(h: CharmHarness | undefined): void {
  if (h) rmSync(h.root, { recursive: true, force: true });
}
