/**
 * Test harness for lib/relations and lib/secrets: drives the simulator engine's hook queue
 * and runs each hook through the real `Tools` (lib/juju/hook-tools.ts) over the simulator's
 * `InProcessRunner` (lib/testing/in-process.ts) — no Juju rule lives here.
 *
 * Charm handlers are keyed by charm name; a handler that throws fails the hook (exit 1),
 * and the engine discards its buffered writes and puts the unit in error, as Juju does.
 */
import { HookContext } from '../../juju/context.ts';
import { Tools } from '../../juju/hook-tools.ts';
import { JujuVersion } from '../../juju/version.ts';
import type { CharmSpec, EndpointSpec, HookInvocation } from '../../testing/engine/api.ts';
import { createEngine } from '../../testing/engine/index.ts';
import { InProcessRunner, runNextHook } from '../../testing/in-process.ts';

export type SimEngine = ReturnType<typeof createEngine>;

export interface HookRun {
  readonly tools: Tools;
  readonly ctx: HookContext;
  readonly env: Readonly<Record<string, string>>;
  readonly invocation: HookInvocation;
}
export type Handler = (run: HookRun) => void | Promise<void>;

export function charmSpec(name: string, ends: { provides?: Record<string, string>; requires?: Record<string, string>; peers?: Record<string, string> }): CharmSpec {
  const map = (m: Record<string, string> = {}): Record<string, EndpointSpec> => Object.fromEntries(Object.entries(m).map(([k, i]) => [k, { interface: i }]));
  return { name, provides: map(ends.provides), requires: map(ends.requires), peers: map(ends.peers), config: {}, actions: {} };
}

export interface HookRecord { readonly model: string; readonly unit: string; readonly hook: string; readonly ok: boolean; readonly error?: string }

export class Sim {
  readonly engine: SimEngine;
  readonly handlers = new Map<string, Handler>();
  readonly history: HookRecord[] = [];

  constructor() {
    this.engine = createEngine({ now: () => 1_700_000_000_000 });
  }

  on(charm: string, handler: Handler): this {
    this.handlers.set(charm, handler);
    return this;
  }

  async #handle(inv: HookInvocation, runner: InProcessRunner, fn: Handler): Promise<string | undefined> {
    const env = inv.env;
    const tools = new Tools(runner, {
      unitName: inv.unit, version: JujuVersion.parse(env.JUJU_VERSION ?? '3.6.8'),
      ...(env.JUJU_RELATION_ID ? { relationId: env.JUJU_RELATION_ID as `${string}:${number}` } : {}),
    });
    const ctx = HookContext.fromEnv(env as Record<string, string>);
    try {
      await fn({ tools, ctx, env, invocation: inv });
      return undefined;
    } catch (e) {
      return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
  }

  /** Run queued hooks until none is runnable. Returns the hooks run in this call. */
  async settle(maxHooks = 1000): Promise<HookRecord[]> {
    const ran: HookRecord[] = [];
    for (let i = 0; i < maxHooks; i++) {
      let error: string | undefined;
      const run = await runNextHook(this.engine, async (_env, runner, inv) => {
        error = await this.#handle(inv, runner, this.handlers.get(inv.charm.name) ?? (() => undefined));
        return error === undefined ? 0 : 1;
      });
      if (!run) return ran;
      const rec: HookRecord = { model: run.hook.model, unit: run.hook.unit, hook: run.hook.name, ok: run.exitCode === 0, ...(error === undefined ? {} : { error }) };
      ran.push(rec);
      this.history.push(rec);
    }
    throw new Error(`hooks did not settle within ${maxHooks} runs`);
  }

  /** `juju exec`-like: run `fn` in an ad-hoc context on `unit` (committed when it returns). */
  async exec(model: string, unit: string, fn: Handler, hookName?: string): Promise<HookRecord> {
    const inv = this.engine.openContext(model, unit, hookName);
    const error = await this.#handle(inv, new InProcessRunner(this.engine, inv.contextId), fn);
    this.engine.finishHook(inv.contextId, error === undefined ? { exitCode: 0 } : { exitCode: 1, stderr: `${error}\n` });
    if (error !== undefined) throw new Error(`exec on ${unit} failed: ${error}`);
    return { model, unit, hook: inv.name, ok: true };
  }

  /** Every failed hook so far (tests assert this is empty). */
  failures(): HookRecord[] {
    return this.history.filter((h) => !h.ok);
  }
}
