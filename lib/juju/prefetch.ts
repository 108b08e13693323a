/**
 * Read prefetch (issue 8, hook latency): the reads the unit's last hook had to make are asked
 * again, all together and in the background, while the charm's code is still loading. The
 * charm then finds their answers ready instead of waiting for one process per read.
 *
 * Why this is safe to do in Juju:
 * - hook tools may run concurrently: the unit agent's jujuc server runs "a single command at a
 *   time" (juju/juju worker/uniter/runner/jujuc/server.go, `Jujuc.Main` takes a mutex), so a
 *   batch of reads is the same as the same reads one after the other;
 * - only reads are prefetched, and only those without a side effect, or whose side effect the
 *   last hook already had (`prefetchable` below, contract §0.4 and §3.5);
 * - a prefetched answer is used at most once, only if the tool exited 0 (a failure is asked
 *   again, so the charm sees the real error), and only if no write of this hook since the
 *   batch can have changed it (`#invalidate`: our own buffered writes are visible to our own
 *   reads, §0.4, and the batch ran before them);
 * - the commands come from the unit's own hook memory (ids, labels, endpoints: no value).
 */
import type { ToolResult, ToolRunner, ToolRunOptions } from './types.ts';

/** A hook-tool command line: the tool and its arguments. */
export type ToolCommand = readonly [tool: string, ...args: string[]];

/** Reads with no controller-side effect (contract §0.4: only secret reads have one). */
const PURE_READS: ReadonlySet<string> = new Set([
  'config-get', 'relation-get', 'relation-ids', 'relation-list', 'relation-model-get', 'is-leader', 'leader-get',
  'state-get', 'network-get', 'unit-get', 'opened-ports', 'secret-ids', 'secret-info-get',
]);

/**
 * May this read be asked before the charm asks it (and even if it then does not)? Pure reads,
 * yes. `secret-get`: its first call creates the unit's tracking record and `--label` with an id
 * assigns a consumer label (§3.5 rule 1, §0.4), both already done by the last hook that made the
 * same call, so repeating them changes nothing; `--peek` moves nothing. `--refresh` moves the
 * tracked revision to the latest (rule 4): for a consumer (`secret-get <id> --refresh`) that is
 * the charm's decision, taken on `secret-changed`, and it would also consume the notification of
 * a newer revision: never prefetched. The owner's label-only `secret-get --label L --refresh`
 * is how lib/secrets reads every secret it owns, in every hook (owners track revisions since
 * 3.1.7, rule 7), so asking it early changes nothing the charm would not.
 */
export function prefetchable(command: ToolCommand): boolean {
  const [tool, ...args] = command;
  if (PURE_READS.has(tool)) return true;
  if (tool !== 'secret-get') return false;
  if (!args.includes('--refresh')) return true;
  const positional = args.filter((a, i) => !a.startsWith('-') && args[i - 1] !== '--label' && args[i - 1] !== '--format');
  return positional.length === 0 && args.includes('--label');
}

const isRefresh = (tool: string, args: readonly string[]): boolean => tool === 'secret-get' && args.includes('--refresh');

const commandKey = (tool: string, args: readonly string[]): string => [tool, ...args].join('\0');

/** Which prefetched reads a write (run for real, after the batch) can have changed. */
function invalidated(tool: string): ((readTool: string) => boolean) | undefined {
  switch (tool) {
    case 'status-set': case 'juju-log': case 'application-version-set': case 'action-log': case 'action-set': case 'action-fail':
      return undefined; // change nothing a read answers
    case 'relation-set': return (t) => t === 'relation-get';
    case 'state-set': case 'state-delete': return (t) => t === 'state-get';
    case 'leader-set': return (t) => t === 'leader-get';
    case 'open-port': case 'close-port': return (t) => t === 'opened-ports';
    case 'secret-add': case 'secret-set': case 'secret-remove': case 'secret-grant': case 'secret-revoke':
      return (t) => t.startsWith('secret-');
    default: return () => true;
  }
}

/** Figures for benchmarks and tests. */
export interface PrefetchStats {
  readonly asked: number;
  readonly used: number;
  readonly dropped: number;
}

/**
 * A ToolRunner that answers a command from the batch when it can, else runs it. Order and
 * results are what the charm would see running every command itself.
 */
export class PrefetchingRunner implements ToolRunner {
  readonly #inner: ToolRunner;
  /** Answers by command, with their position in the batch (`at`). */
  readonly #answers = new Map<string, { tool: string; at: number; refresh: boolean; result: ToolResult }>();
  #asked = 0;
  #used = 0;
  #dropped = 0;

  constructor(inner: ToolRunner) {
    this.#inner = inner;
  }

  /**
   * Ask `commands` now (the inner runner's `runMany` when it has one: in the background; else
   * one by one). Resolves when their answers are in; never rejects (a prefetch is only a hint).
   */
  async prefetch(commands: readonly ToolCommand[]): Promise<void> {
    const wanted = commands.filter(prefetchable).filter((c, i, all) => all.findIndex((d) => commandKey(d[0], d.slice(1)) === commandKey(c[0], c.slice(1))) === i);
    if (wanted.length === 0) return;
    let results: readonly ToolResult[];
    try {
      results = this.#inner.runMany ? await this.#inner.runMany(wanted.map((command) => ({ command }))) : wanted.map(([tool, ...args]) => this.#inner.run(tool, args, { prefetch: true }));
    } catch {
      return;
    }
    this.#asked += wanted.length;
    wanted.forEach(([tool, ...args], i) => {
      const result = results[i];
      if (result && result.exitCode === 0) this.#answers.set(commandKey(tool, args), { tool, at: i, refresh: isRefresh(tool, args), result });
    });
  }

  run(tool: string, args: readonly string[], options?: ToolRunOptions): ToolResult {
    if (options?.input === undefined && this.#answers.size > 0) {
      const key = commandKey(tool, args);
      const hit = this.#answers.get(key);
      if (hit) {
        this.#answers.delete(key);
        this.#used++;
        // This refresh moved a tracked revision when the batch ran: plain secret reads asked
        // before it in the batch may show an older revision than a read after it would.
        if (hit.refresh) this.#drop((a) => a.tool === 'secret-get' && !a.refresh && a.at < hit.at);
        return hit.result;
      }
    }
    if (isRefresh(tool, args)) this.#drop((a) => a.tool === 'secret-get' && !a.refresh); // all predate it
    else if (!PURE_READS.has(tool) && tool !== 'secret-get') {
      const stale = invalidated(tool);
      if (stale) this.#drop((a) => stale(a.tool));
    }
    return this.#inner.run(tool, args, options);
  }

  #drop(stale: (answer: { readonly tool: string; readonly at: number; readonly refresh: boolean }) => boolean): void {
    for (const [key, answer] of this.#answers) {
      if (stale(answer)) {
        this.#answers.delete(key);
        this.#dropped++;
      }
    }
  }

  get stats(): PrefetchStats {
    return { asked: this.#asked, used: this.#used, dropped: this.#dropped };
  }
}
