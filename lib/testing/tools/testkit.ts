/**
 * Helpers for the conformance suites: two tiny charms, a fixed clock, a shell-like argv
 * splitter (so tests read as the real command lines) and hook-draining loops.
 */
import type { ToolResult } from '../../juju/types.ts';
import type { CharmSpec, HookInvocation, RunToolOptions } from '../engine/api.ts';
import { createEngine, type SimEngine } from '../engine/engine.ts';
import { seededRandom } from '../engine/random.ts';

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

export const PROVIDER: CharmSpec = {
  name: 'db',
  provides: { db: { interface: 'pg' }, metrics: { interface: 'prom' } },
  requires: {},
  peers: { cluster: { interface: 'db-cluster' } },
  config: {
    port: { type: 'int', default: 5432 },
    name: { type: 'string', default: 'main' },
    ratio: { type: 'float', default: 0.5 },
    debug: { type: 'boolean', default: false },
    token: { type: 'string' },
  },
  actions: {
    backup: { params: { target: { type: 'string', default: '/tmp' }, count: { type: 'integer', default: 1 }, nested: { type: 'object', default: { a: { b: 'c' } } } } },
  },
};

export const REQUIRER: CharmSpec = {
  name: 'web',
  provides: {},
  requires: { db: { interface: 'pg' } },
  peers: {},
  config: {},
  actions: {},
};

export function newEngine(options: { seed?: number } = {}): SimEngine {
  return createEngine({ now: () => T0, random: seededRandom(42), ...options });
}

/** Split a command line like a POSIX shell would (quotes and backslashes; no expansion). */
export function words(cmd: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let q: '"' | "'" | undefined;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i]!;
    if (q) {
      if (c === q) q = undefined;
      else if (c === '\\' && q === '"' && i + 1 < cmd.length) cur += cmd[++i];
      else cur += c;
    } else if (c === '"' || c === "'") { q = c; has = true; } else if (c === '\\' && i + 1 < cmd.length) { cur += cmd[++i]; has = true; } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else cur += c;
  }
  if (has || cur) out.push(cur);
  return out;
}

/** Run `cmdline` (e.g. `relation-get -r 1 - db/0 --format json`) in a context. */
export function sh(engine: SimEngine, contextId: string, cmdline: string, io: RunToolOptions = {}): ToolResult {
  const [tool, ...args] = words(cmdline);
  return engine.runTool(contextId, tool!, args, io);
}

export type OnHook = (h: HookInvocation, run: (cmdline: string, io?: RunToolOptions) => ToolResult) => number | void;

/** Run every runnable hook (exit 0 unless `onHook` returns another code); returns `unit name` strings. */
export function drain(engine: SimEngine, onHook?: OnHook, max = 5000): string[] {
  const seen: string[] = [];
  for (let h = engine.nextHook(); h; h = engine.nextHook()) {
    const code = onHook?.(h, (c, io) => sh(engine, h!.contextId, c, io)) ?? 0;
    engine.finishHook(h.contextId, { exitCode: code });
    seen.push(`${h.unit} ${h.name}`);
    if (seen.length > max) throw new Error('drain: hook loop');
  }
  return seen;
}

/** Run hooks until `pred` matches one; leaves that hook's context OPEN and returns it. */
export function until(engine: SimEngine, pred: (h: HookInvocation) => boolean): HookInvocation {
  for (let h = engine.nextHook(); h; h = engine.nextHook()) {
    if (pred(h)) return h;
    engine.finishHook(h.contextId, { exitCode: 0 });
  }
  throw new Error('until: no matching hook');
}

/** Standard scene: model `m` (given version) with db×2 (provider) and web×1 related on `db`. */
export function scene(version?: string, options: { relate?: boolean; dbUnits?: number } = {}): { engine: SimEngine; rid: number } {
  const engine = newEngine();
  engine.addModel('m', version ? { agentVersion: version } : {});
  engine.deploy('m', PROVIDER, 'db', { units: options.dbUnits ?? 2 });
  engine.deploy('m', REQUIRER, 'web');
  const rid = options.relate === false ? -1 : engine.integrate('m', 'db', 'web');
  drain(engine);
  return { engine, rid };
}

const openExec = new WeakMap<SimEngine, Map<string, () => void>>();

/**
 * Open an exec context (like `juju exec --unit U`) and return a runner for it. A context of
 * the same unit left open by an earlier call is finished first with exit 0.
 */
export function inUnit(engine: SimEngine, unit: string, model = 'm'): { id: string; run: (cmdline: string, io?: RunToolOptions) => ToolResult; finish: (code?: number) => void } {
  const open = openExec.get(engine) ?? new Map<string, () => void>();
  openExec.set(engine, open);
  open.get(`${model}/${unit}`)?.();
  const inv = engine.openContext(model, unit);
  let done = false;
  const finish = (code = 0): void => {
    if (done) return;
    done = true;
    open.delete(`${model}/${unit}`);
    engine.finishHook(inv.contextId, { exitCode: code });
  };
  open.set(`${model}/${unit}`, () => finish(0));
  return { id: inv.contextId, run: (c, io) => sh(engine, inv.contextId, c, io), finish };
}

export const ok = (stdout: string): ToolResult => ({ stdout, stderr: '', exitCode: 0 });
export const err = (exitCode: number, message: string): ToolResult => ({ stdout: '', stderr: `ERROR ${message}\n`, exitCode });
