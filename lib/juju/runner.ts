/**
 * Production ToolRunners: run hook tools as child processes found on PATH (contract §0.1).
 *
 * SpawnRunner (the default) uses `child_process.spawnSync`. ExecaRunner uses execa's
 * `execaSync`. Measured on these machines (../shared/tooling.md): one execa call costs
 * 4.3–4.9 ms against 2.3–2.6 ms for child_process, and importing execa costs ~50 ms — more
 * than the whole start-up of a lean hook (~66 ms). A hook makes ~10 tool calls, so the
 * default is SpawnRunner; ExecaRunner exists for callers that want execa's richer process
 * handling and loads execa lazily (`ExecaRunner.create()`), so a hook that never asks for it
 * never pays the import.
 *
 * Both runners report results, never throw for a tool's own failure: exit codes and stderr
 * are turned into typed errors once, in tools/run.ts (style.md #3). A tool missing from PATH
 * is exit 127 with `ERROR <tool>: command not found`, as a shell would report it.
 */
import type { spawnSync as spawnSyncFn } from 'node:child_process';
import { constants } from 'node:os';
import type { execaSync as execaSyncFn } from 'execa';
import { runShellBatch } from './shell-batch.ts';
import type { ToolBatchItem, ToolResult, ToolRunner, ToolRunOptions } from './types.ts';

export interface RunnerOptions {
  /** Environment for the tools (default: this process's). PATH is looked up in it. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Working directory (default: this process's; Juju sets the charm dir). */
  readonly cwd?: string;
}

/** Largest stdout we accept from one tool (relation settings are capped at 16 MiB, §2.4). */
const MAX_BUFFER = 64 * 1024 * 1024;

function missing(tool: string): ToolResult {
  return { stdout: '', stderr: `ERROR ${tool}: command not found\n`, exitCode: 127 };
}

function signalExit(signal: NodeJS.Signals | null): number {
  const n = signal ? constants.signals[signal] : undefined;
  return n === undefined ? 1 : 128 + n;
}

/**
 * node:child_process, loaded at the first tool call: a hook the hook memory skips without a
 * call never pays for it (~4 ms of start-up, issue 8).
 */
let spawnSyncLoaded: typeof spawnSyncFn | undefined;
const spawnSync = ((...args: unknown[]): unknown => {
  spawnSyncLoaded ??= process.getBuiltinModule('node:child_process').spawnSync;
  return (spawnSyncLoaded as (...a: unknown[]) => unknown)(...args);
}) as typeof spawnSyncFn;

export class SpawnRunner implements ToolRunner {
  readonly #options: RunnerOptions;

  constructor(options: RunnerOptions = {}) {
    this.#options = options;
  }

  run(tool: string, args: readonly string[], options: ToolRunOptions = {}): ToolResult {
    const input = options.input;
    const result = spawnSync(tool, args, {
      encoding: 'utf8',
      // No stdin at all unless we send some: a tool must never wait on the hook's stdin.
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(input === undefined ? {} : { input }),
      maxBuffer: MAX_BUFFER,
      ...(this.#options.env ? { env: this.#options.env as NodeJS.ProcessEnv } : {}),
      ...(this.#options.cwd ? { cwd: this.#options.cwd } : {}),
    });
    if (result.error) {
      if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') return missing(tool);
      // EACCES, E2BIG, ENOBUFS...: report as a runtime failure without the input.
      return { stdout: result.stdout ?? '', stderr: `ERROR ${tool}: ${(result.error as NodeJS.ErrnoException).code ?? result.error.message}\n`, exitCode: 1 };
    }
    return { stdout: result.stdout, stderr: result.stderr, exitCode: result.status ?? signalExit(result.signal) };
  }

  /** In one background /bin/sh (shell-batch.ts): dispatch's prefetch and end-of-hook writes. */
  runMany(items: readonly ToolBatchItem[]): Promise<ToolResult[]> {
    return runShellBatch(items, {
      ...(this.#options.env ? { env: this.#options.env as NodeJS.ProcessEnv } : {}),
      ...(this.#options.cwd ? { cwd: this.#options.cwd } : {}),
    });
  }
}

type ExecaSync = typeof execaSyncFn;

export class ExecaRunner implements ToolRunner {
  readonly #execaSync: ExecaSync;
  readonly #options: RunnerOptions;

  /** Takes an already-loaded `execaSync`; most callers want `await ExecaRunner.create()`. */
  constructor(execaSync: ExecaSync, options: RunnerOptions = {}) {
    this.#execaSync = execaSync;
    this.#options = options;
  }

  /** Import execa (~50 ms, only now) and build the runner. */
  static async create(options: RunnerOptions = {}): Promise<ExecaRunner> {
    const { execaSync } = await import('execa');
    return new ExecaRunner(execaSync, options);
  }

  run(tool: string, args: readonly string[], options: ToolRunOptions = {}): ToolResult {
    const input = options.input;
    const result = this.#execaSync(tool, [...args], {
      reject: false,
      stripFinalNewline: false,
      ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
      maxBuffer: MAX_BUFFER,
      ...(this.#options.env ? { env: this.#options.env as NodeJS.ProcessEnv, extendEnv: false } : {}),
      ...(this.#options.cwd ? { cwd: this.#options.cwd } : {}),
    });
    const code = (result as { code?: string }).code;
    if (code === 'ENOENT') return missing(tool);
    const stdout = typeof result.stdout === 'string' ? result.stdout : '';
    const stderr = typeof result.stderr === 'string' ? result.stderr : '';
    if (result.exitCode === undefined) {
      if (result.signal) return { stdout, stderr, exitCode: signalExit(result.signal) };
      return { stdout, stderr: `ERROR ${tool}: ${code ?? 'failed to run'}\n`, exitCode: 1 };
    }
    return { stdout, stderr, exitCode: result.exitCode };
  }
}
