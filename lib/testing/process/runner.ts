/**
 * The unit agents of every model in one loop: takes `engine.nextHook()`, runs it as a process
 * (executor.ts) and hands the outcome to `engine.finishHook`, until no hook is runnable (settled).
 * Parallelism 1 by default, so a run is deterministic; the engine already serialises hooks per
 * unit, so with N > 1 only hooks of different units overlap (as on separate machines).
 */
import type { Engine, HookInvocation } from '../engine/api.ts';
import { startHook, type ExecutionRecord, type RunningHook } from './executor.ts';

export type RunnerEngine = Pick<Engine, 'nextHook' | 'finishHook'>;

export interface RunnerOptions {
  readonly engine: () => RunnerEngine;
  readonly socketPath: string;
  /** Tools directory for a model (created by the caller). */
  readonly toolsDirFor: (model: string) => string;
  /** Machine emulation for a hook's unit (machine.ts): root dir and stand-in commands. */
  readonly machineFor?: (inv: HookInvocation) => { machineRoot: string; machineBin: string };
  readonly parallelism?: number;
  /** Called after each hook is finished (logging, tests, benchmarks). */
  readonly onHook?: (inv: HookInvocation, record: ExecutionRecord) => void;
}

export class SettleTimeoutError extends Error {
  override readonly name = 'SettleTimeoutError';
}

export class HookRunner {
  readonly #options: RunnerOptions;
  /** Hooks run since construction. */
  count = 0;

  constructor(options: RunnerOptions) {
    this.#options = options;
  }

  /**
   * Runs hooks until the engine has none left. With `timeoutMs`, hooks still running at the
   * deadline are killed (a hook failure, contract §1.5) and SettleTimeoutError is thrown.
   */
  async settle(options: { timeoutMs?: number } = {}): Promise<number> {
    const parallelism = Math.max(1, this.#options.parallelism ?? 1);
    const running = new Map<string, { hook: RunningHook; inv: HookInvocation; settled: Promise<string> }>();
    const deadline = options.timeoutMs === undefined ? Infinity : performance.now() + options.timeoutMs;
    let ran = 0;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((ok) => {
      if (deadline !== Infinity) timer = setTimeout(() => ok('timeout'), Math.max(0, deadline - performance.now()));
    });
    try {
      for (;;) {
        while (!timedOut && running.size < parallelism) {
          const inv = this.#options.engine().nextHook();
          if (!inv) break;
          const hook = startHook(inv, { socketPath: this.#options.socketPath, toolsDir: this.#options.toolsDirFor(inv.model), ...this.#options.machineFor?.(inv) });
          running.set(inv.contextId, { hook, inv, settled: hook.done.then(() => inv.contextId) });
        }
        if (running.size === 0) break;
        const first = await Promise.race([...[...running.values()].map((r) => r.settled), timedOut ? new Promise<never>(() => {}) : timeout]);
        if (first === 'timeout') {
          timedOut = true;
          for (const r of running.values()) r.hook.kill();
          continue;
        }
        const entry = running.get(first)!;
        running.delete(first);
        const record = await entry.hook.done;
        this.#options.engine().finishHook(entry.inv.contextId, record);
        ran++;
        this.count++;
        this.#options.onHook?.(entry.inv, record);
      }
    } finally {
      if (timer) clearTimeout(timer);
    }
    if (timedOut) throw new SettleTimeoutError(`timed out after ${options.timeoutMs} ms waiting for hooks to settle`);
    return ran;
  }
}
