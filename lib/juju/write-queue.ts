/**
 * Writes deferred to the end of the hook (issue 8, hook latency): a write Juju buffers until the
 * hook ends waits in a queue, and the queue is sent in one background batch when the charm is
 * done (`flush`), while dispatch saves the hook memory, instead of one process per write, each
 * waited for.
 *
 * Why this changes nothing Juju or the charm can see:
 * - relation-set, state-set and state-delete are buffered by Juju until the hook exits 0 (contract
 *   §0.4), so when within the hook they reach the agent does not matter, only their order and
 *   that every read sees them: the queue keeps their order, and any other call (a read, a secret
 *   write, anything not deferrable) sends the queue first, so a read still sees our own writes;
 * - status-set, juju-log and application-version-set take effect at once in Juju (§0.4), and a
 *   charm sets a status before a long operation so that the operator sees it: they are sent when
 *   made (they may pass queued buffered writes, which nobody sees before the hook ends), and are
 *   queued only once the charm is done (`endOfHook`: dispatch's final status-set);
 * - a deferred write that fails still fails the hook: dispatch asks `failure` after the flush and
 *   exits 1 with that write's error (and a charm that caught it could not have done anything but
 *   fail: no charm here catches a failed write; the Logger's juju-log is the exception, and a
 *   failed log line goes to its stderr fallback, as before);
 * - their stdout is empty in Juju (§2.4, §2.9, §2.10, §2.13), so the queue answers "" at once.
 */
import { toolError } from './errors.ts';
import { scrub } from './tools/run.ts';
import type { ToolResult, ToolRunner, ToolRunOptions } from './types.ts';

/** Buffered by Juju until the hook ends (§0.4), and never read back as an answer. */
const BUFFERED: ReadonlySet<string> = new Set(['relation-set', 'state-set', 'state-delete']);
/** Take effect at once (§0.4): deferred only after `endOfHook`. secret-*, leader-set, ports: never. */
const IMMEDIATE: ReadonlySet<string> = new Set(['status-set', 'juju-log', 'application-version-set']);

interface Queued {
  readonly tool: string;
  readonly args: readonly string[];
  readonly input?: string;
}

export class WriteQueue implements ToolRunner {
  readonly #inner: ToolRunner;
  readonly #queue: Queued[] = [];
  readonly #onLogFailure: (line: string) => void;
  #failure: Error | undefined;
  #ending = false;
  #sent = 0;
  #batched = 0;

  /** `onLogFailure`: where a juju-log line that could not be sent goes (`LEVEL message`, as the Logger's fallback). */
  constructor(inner: ToolRunner, onLogFailure: (line: string) => void) {
    this.#inner = inner;
    this.#onLogFailure = onLogFailure;
  }

  run(tool: string, args: readonly string[], options?: ToolRunOptions): ToolResult {
    if (!options?.prefetch && (BUFFERED.has(tool) || (this.#ending && IMMEDIATE.has(tool)))) {
      this.#queue.push({ tool, args: [...args], ...(options?.input === undefined ? {} : { input: options.input }) });
      return { stdout: '', stderr: '', exitCode: 0 };
    }
    // An immediate write may pass the queue: what it holds is invisible until the hook ends.
    if (!IMMEDIATE.has(tool)) this.flushNow();
    return this.#inner.run(tool, args, options);
  }

  /** The charm is done: its last status and log lines may wait for the final batch too. */
  endOfHook(): void {
    this.#ending = true;
  }

  runMany(items: Parameters<NonNullable<ToolRunner['runMany']>>[0]): Promise<ToolResult[]> {
    this.flushNow();
    return this.#inner.runMany ? this.#inner.runMany(items) : Promise.resolve(items.map(({ command: [tool, ...args], input }) => this.#inner.run(tool, args, input === undefined ? {} : { input })));
  }

  /** Sends the queue now, one call at a time (before a call that must see it). */
  flushNow(): void {
    while (this.#queue.length > 0) {
      const write = this.#queue.shift() as Queued;
      this.#sent++;
      this.#check(write, this.#inner.run(write.tool, write.args, write.input === undefined ? {} : { input: write.input }));
    }
  }

  /** Sends the queue in one batch (the runner's runMany), at the end of the hook. */
  async flush(): Promise<void> {
    const writes = this.#queue.splice(0);
    if (writes.length === 0) return;
    if (writes.length === 1 || !this.#inner.runMany) {
      this.#queue.push(...writes);
      this.flushNow();
      return;
    }
    const results = await this.#inner.runMany(writes.map((w) => ({ command: [w.tool, ...w.args] as const, capture: 'stderr' as const, ...(w.input === undefined ? {} : { input: w.input }) })));
    this.#sent += writes.length;
    this.#batched += writes.length;
    writes.forEach((w, i) => this.#check(w, results[i] ?? { stdout: '', stderr: 'ERROR no answer\n', exitCode: 1 }));
  }

  #check(write: Queued, result: ToolResult): void {
    if (result.exitCode === 0) return;
    if (write.tool === 'juju-log') {
      // `juju-log --log-level LEVEL [--] MESSAGE` (tools/log.ts): as the Logger's fallback prints it.
      this.#onLogFailure(`${write.args[0] === '--log-level' ? write.args[1] : 'INFO'} ${write.args.at(-1) ?? ''}`);
      return;
    }
    // The input never reaches the error (as tools/run.ts `call`).
    this.#failure ??= toolError(write.tool, write.args, result.exitCode, '', write.input === undefined ? result.stderr : scrub(result.stderr, [write.input]));
  }

  /** The first deferred write that failed, if any: the hook must fail with it. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  get stats(): { readonly sent: number; readonly batched: number; readonly queued: number } {
    return { sent: this.#sent, batched: this.#batched, queued: this.#queue.length };
  }
}
