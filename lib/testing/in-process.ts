/**
 * The in-process transport (style.md #8): charm code runs in this process against the same
 * rules engine the executables use. `InProcessRunner` is a `ToolRunner` answering from
 * `engine.runTool`; `runNextHook`/`settle` play the unit agent (nextHook → dispatch →
 * finishHook), so charm unit tests need no processes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ToolResult, ToolRunner, ToolRunOptions } from '../juju/types.ts';
import type { Engine, HookInvocation, RunToolOptions } from './engine/api.ts';

export interface InProcessRunnerOptions {
  /** The hook's cwd for relative paths (default: the charm dir from the invocation, else '/'). */
  readonly cwd?: string;
  /** File capabilities (default: node:fs, as a hook process would have). */
  readonly readFile?: (path: string) => string;
  readonly writeFile?: (path: string, content: string) => void;
}

export class InProcessRunner implements ToolRunner {
  readonly #engine: Engine;
  readonly #contextId: string;
  readonly #options: InProcessRunnerOptions;
  /** Every call made through this runner (tool, args, exit code), in order. */
  readonly calls: Array<{ tool: string; args: readonly string[]; exitCode: number }> = [];

  constructor(engine: Engine, contextId: string, opts: InProcessRunnerOptions = {}) {
    this.#engine = engine;
    this.#contextId = contextId;
    this.#options = opts;
  }

  run(tool: string, args: readonly string[], options: ToolRunOptions = {}): ToolResult {
    const o: RunToolOptions = {
      ...(options.input !== undefined ? { stdin: options.input } : {}),
      ...(this.#options.cwd !== undefined ? { cwd: this.#options.cwd } : {}),
      readFile: this.#options.readFile ?? ((p) => readFileSync(p, 'utf8')),
      writeFile: this.#options.writeFile ?? ((p, c) => writeFileSync(p, c)),
    };
    const result = this.#engine.runTool(this.#contextId, tool, args, o);
    this.calls.push({ tool, args: [...args], exitCode: result.exitCode });
    return result;
  }
}

/** A charm's dispatch, in-process: gets the hook env and a runner, returns the exit code. */
export type InProcessDispatch = (env: Readonly<Record<string, string>>, runner: InProcessRunner, hook: HookInvocation) => Promise<number> | number;

export interface HookRun { readonly hook: HookInvocation; readonly exitCode: number; readonly calls: InProcessRunner['calls']; readonly error?: unknown }

/**
 * Run the next runnable hook, if any. A thrown exception counts as exit 1 (like an uncaught
 * error in a hook process) and is returned in `error`.
 */
export async function runNextHook(engine: Engine, dispatch: InProcessDispatch, opts: InProcessRunnerOptions = {}): Promise<HookRun | undefined> {
  const hook = engine.nextHook();
  if (!hook) return undefined;
  const cwd = opts.cwd ?? hook.charm.dir;
  const runner = new InProcessRunner(engine, hook.contextId, cwd !== undefined ? { ...opts, cwd } : opts);
  let exitCode: number;
  let error: unknown;
  try {
    exitCode = await dispatch(hook.env, runner, hook);
  } catch (e) {
    exitCode = 1;
    error = e;
  }
  engine.finishHook(hook.contextId, { exitCode, ...(error !== undefined ? { stderr: `${String(error instanceof Error ? error.stack ?? error.message : error)}\n` } : {}) });
  return error !== undefined ? { hook, exitCode, calls: runner.calls, error } : { hook, exitCode, calls: runner.calls };
}

export interface SettleOptions extends InProcessRunnerOptions {
  /** Safety valve against hook loops (default 10000). */
  readonly maxHooks?: number;
}

/** Run hooks until none is runnable (units in error stay blocked). Returns what ran. */
export async function settle(engine: Engine, dispatch: InProcessDispatch, opts: SettleOptions = {}): Promise<HookRun[]> {
  const max = opts.maxHooks ?? 10000;
  const ran: HookRun[] = [];
  for (;;) {
    if (ran.length >= max) throw new Error(`settle: more than ${max} hooks ran; a charm may be looping (last: ${ran.slice(-5).map((r) => `${r.hook.unit} ${r.hook.name}`).join(', ')})`);
    const r = await runNextHook(engine, dispatch, opts);
    if (!r) return ran;
    ran.push(r);
  }
}
