/**
 * A tiny framework: from JUJU_DISPATCH_PATH to a handler (contract §1.1), then the reconcile
 * pattern of design.md.
 *
 * Handler keys (`hooks`):
 * - the exact hook name: `install`, `secret-remove`, `db-relation-broken`;
 * - or, for endpoint/storage/container-qualified hooks, the generic kind: `relation-broken`,
 *   `storage-attached`, `pebble-ready`, with the prefix on the context
 *   (`ctx.hook.relation.endpoint`, `ctx.hook.storage.name`, `ctx.hook.workloadName`).
 * At most one handler runs per hook: the exact name wins over the generic kind.
 *
 * Flow of a hook: handler (if any) → `reconcile` (unless the hook is in `skipReconcile`,
 * default `stop` and `remove`, where the workload is being torn down) → `status-set` of the
 * status reconcile returns. Flow of an action (`actions/<name>`): action-get → handler →
 * action-set of what it returns; no reconcile; an unknown action is `action-fail`.
 *
 * Outcomes:
 * - a thrown StatusError (BlockedStatus, WaitingStatus, MaintenanceStatus) is an expected
 *   condition: its status is set and the hook exits 0;
 * - a thrown ActionFailed (or StatusError) in an action: `action-fail <message>`, exit 0;
 * - anything else is unexpected: one redacted line on stderr and in juju-log at ERROR, exit 1,
 *   so Juju discards the hook's buffered writes and retries it (contract §1.5).
 */
import { classifyHook, HookContext } from './context.ts';
import { Tools } from './hook-tools.ts';
import { Logger } from './log.ts';
import { Redactor } from './redact.ts';
import { SpawnRunner } from './runner.ts';
import { ActionFailed, StatusError } from './status.ts';
import type { UnitStatus } from './status.ts';
import type { HookTools, ToolRunner } from './types.ts';
import { JujuVersion } from './version.ts';
import { HookMemory } from './memory/hook-memory.ts';
import type { MemoryEvent } from './memory/invalidation.ts';
import { FileMemoryStore, memoryFilePath, type MemoryStore } from './memory/store.ts';
import { PrefetchingRunner } from './prefetch.ts';
import { WriteQueue } from './write-queue.ts';
import { startWorker, WORKER_FLAG } from './worker/start.ts';

/**
 * Derived data a charm keeps between hooks (e.g. its verdict on a certificate it already
 * checked), saved with the hook memory only when the hook succeeds, empty after a failure or a
 * cold start. Never secrets.
 */
export interface DerivedMemo {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
  keys(): string[];
}

export interface CharmContext {
  readonly hook: HookContext;
  readonly tools: HookTools;
  readonly log: Logger;
  readonly version: JujuVersion;
  readonly memo: DerivedMemo;
  /**
   * The reconcile's outcome depends on the clock (a certificate to renew, one that expires):
   * run it again by then even if nothing else changed (the fixpoint skip, memory/hook-memory.ts).
   */
  revisitBy(when: Date): void;
}

export interface ActionContext extends CharmContext {
  /** action-get, typed per actions.yaml by Juju. */
  readonly params: Readonly<Record<string, unknown>>;
}

export type HookHandler = (ctx: CharmContext) => void | Promise<void>;
/** Returns the one status the unit should show, or nothing to leave the status alone. */
export type ReconcileHandler = (ctx: CharmContext) => UnitStatus | void | Promise<UnitStatus | void>;
/** Returns the action results (action-set), or nothing. */
export type ActionHandler = (ctx: ActionContext) => Readonly<Record<string, string>> | void | Promise<Readonly<Record<string, string>> | void>;

export interface CharmDefinition {
  readonly reconcile?: ReconcileHandler;
  readonly hooks?: Readonly<Record<string, HookHandler>>;
  readonly actions?: Readonly<Record<string, ActionHandler>>;
  /** Hook names (or generic kinds) that do not run reconcile. Default: `stop`, `remove`. */
  readonly skipReconcile?: readonly string[];
  /**
   * The charm's clock (tests move it to make certificates due), so the hook memory's age and
   * `ctx.revisitBy` are judged by the same time as the charm's own decisions. Default: real time.
   */
  readonly clock?: () => Date;
}

/** Keys that stand for every endpoint/storage/container of a qualified hook kind. */
export const GENERIC_HOOK_KEYS: ReadonlySet<string> = new Set([
  'relation-created', 'relation-joined', 'relation-changed', 'relation-departed', 'relation-broken',
  'storage-attached', 'storage-detaching',
  'pebble-ready', 'pebble-custom-notice', 'pebble-check-failed', 'pebble-check-recovered',
]);

const DEFAULT_SKIP_RECONCILE = ['stop', 'remove'];

/** Check and freeze a charm definition. A hook key that names no hook is a typo: it throws. */
export function defineCharm(definition: CharmDefinition): CharmDefinition {
  for (const key of Object.keys(definition.hooks ?? {})) {
    if (!GENERIC_HOOK_KEYS.has(key) && classifyHook(key).kind === 'other') {
      throw new Error(`defineCharm: "${key}" is neither a hook name nor a generic hook kind`);
    }
  }
  return Object.freeze({ ...definition });
}

export interface DispatchOptions {
  /** Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default a SpawnRunner over `env`. The simulator passes its in-process runner. */
  readonly runner?: ToolRunner;
  /** Fallback for the dispatch path (default process.argv[1]). */
  readonly argv0?: string;
  /** Where the one-line failure goes (default process.stderr). */
  readonly stderr?: (line: string) => void;
  /**
   * The unit's hook memory (memory/hook-memory.ts). Default none; `main` uses the unit's file
   * (memory/store.ts `memoryFilePath`), in-process simulators one InMemoryStore per unit.
   */
  readonly memory?: MemoryStore;
}

/** A charm, or a loader of it: a lazy loader keeps the entry bundle small (dispatch decides first). */
export type CharmSource = CharmDefinition | (() => Promise<CharmDefinition>);

/** In-process, one unit may be handed several definitions (tests): each gets its own memory. */
const charmIds = new WeakMap<object, string>();
let charmCount = 0;
function charmId(source: CharmSource): string {
  let id = charmIds.get(source);
  if (id === undefined) {
    id = String(++charmCount);
    charmIds.set(source, id);
  }
  return id;
}

/** A memo that forgets everything at the end of the hook (no memory store). */
function ephemeralMemo(): DerivedMemo {
  const m = new Map<string, string>();
  return { get: (k) => m.get(k), set: (k, v) => { m.set(k, v); }, delete: (k) => { m.delete(k); }, keys: () => [...m.keys()] };
}

function memoryEvent(hook: HookContext): MemoryEvent {
  return {
    kind: hook.kind,
    unitName: hook.unit.name,
    appName: hook.unit.app,
    ...(hook.relation ? { relation: { endpoint: hook.relation.endpoint, id: hook.relation.id } } : {}),
    ...(hook.remoteUnit ? { remoteUnit: hook.remoteUnit } : {}),
    ...(hook.departingUnit ? { departingUnit: hook.departingUnit } : {}),
  };
}

/**
 * The fixpoint skip: the last reconcile wrote nothing, and every answer it depended on is
 * still valid or re-reads the same, so running it again would write nothing again. Any doubt
 * (a stale secret read, a re-read that fails) runs the reconcile.
 */
function reconcileCanBeSkipped(memory: HookMemory, tools: Tools): boolean {
  const plan = memory.skipPlan();
  if (!plan) return false;
  try {
    for (const key of plan) if (!tools.recheck(key)) return false;
  } catch {
    return false;
  }
  return memory.unchangedSince();
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Run the hook or action the environment names; resolves to the process exit code. */
export async function dispatch(source: CharmSource, options: DispatchOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const baseRunner = options.runner ?? new SpawnRunner(options.env ? { env } : {});
  const stderr = options.stderr ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const redactor = new Redactor();

  let hook: HookContext;
  try {
    hook = HookContext.fromEnv(env, { argv0: options.argv0 ?? process.argv[1] });
  } catch (error) {
    stderr(`charm: cannot start: ${oneLine(error)}`);
    return 1;
  }
  const version = JujuVersion.parse(hook.jujuVersion || '0.0.0');
  // Taken (read and removed) now: a hook that fails leaves no memory (store.ts). Not used on
  // Juju without secrets (credentials may sit in databags there) nor by actions (they may write
  // anything; the next hook starts cold).
  let saved: string | undefined;
  try {
    saved = options.memory?.take();
  } catch {
    saved = undefined; // an unreadable memory is no memory: this hook reads everything
  }
  const memory = options.memory && version.hasSecrets ? new HookMemory(saved, memoryEvent(hook), { charm: charmId(source), now: (typeof source === 'function' ? new Date() : source.clock?.() ?? new Date()).getTime() }) : undefined;
  // With a memory, the reads its last reconcile needed are prefetched while the charm loads,
  // and the writes Juju buffers until the hook ends go out together at the end (prefetch.ts,
  // write-queue.ts).
  const writes = memory ? new WriteQueue(baseRunner, stderr) : undefined;
  const prefetching = writes ? new PrefetchingRunner(writes) : undefined;
  const runner = prefetching ?? baseRunner;
  const tools = new Tools(runner, {
    unitName: hook.unit.name,
    redactor,
    version,
    ...(hook.relation ? { relationId: hook.relation.idString } : {}),
    ...(memory ? { memory } : {}),
  });
  const log = new Logger(tools, { redactor, fallback: stderr });
  const ctx: CharmContext = Object.freeze({
    hook, tools, log, version,
    memo: memory?.memo ?? ephemeralMemo(),
    revisitBy: (when: Date) => memory?.revisitBy(when.getTime()),
  });
  /**
   * The hook succeeded: the deferred writes go out (one batch) while the memory is serialised;
   * a write that failed fails the hook (it throws, and no memory is saved).
   */
  const remember = async (outcome: 'skipped' | 'reconciled' | 'other'): Promise<void> => {
    const flushing = writes?.flush();
    const store = memory && options.memory;
    const keep = store && outcome === 'skipped' && saved !== undefined && memory.unchangedText && store.putBack !== undefined;
    let text: string | undefined;
    let problem: unknown;
    try {
      if (store && !keep) text = memory.serialise(outcome);
    } catch (error) {
      problem = error;
    }
    await flushing;
    if (writes?.failure) throw writes.failure;
    if (!store) return;
    try {
      if (problem !== undefined) throw problem;
      if (keep) store.putBack?.();
      else if (text !== undefined) store.save(text);
    } catch (error) {
      log.warning(`hook memory not saved (the next hook reads everything again): ${oneLine(error)}`);
      writes?.flushNow();
    }
  };

  try {
    if (hook.action) {
      await runAction(await load(source), ctx, hook.action.name);
    } else if (memory && (typeof source === 'function' || skippable(source, hook)) && reconcileCanBeSkipped(memory, tools)) {
      await remember('skipped');
    } else {
      const ready = prefetching && memory ? prefetching.prefetch(memory.prefetchPlan()) : undefined;
      const [charm] = await Promise.all([load(source), ready]);
      await remember((await runHook(charm, ctx, () => writes?.endOfHook())) ? 'reconciled' : 'other');
    }
    return 0;
  } catch (error) {
    let failure: unknown = error;
    if (error instanceof StatusError && !hook.action) {
      try {
        writes?.endOfHook();
        tools.statusSet(error.status.name, error.status.message);
        await remember('other');
        return 0;
      } catch (statusError) {
        failure = statusError;
      }
    }
    if ((error instanceof ActionFailed || error instanceof StatusError) && hook.action) {
      try {
        tools.actionFail(error instanceof StatusError ? error.status.message : error.message);
        return 0;
      } catch (failError) {
        failure = failError;
      }
    }
    try { options.memory?.discard?.(); } catch { /* the next hook is cold either way */ }
    const line = redactor.redact(`${hook.name} failed: ${oneLine(failure)}`);
    stderr(line);
    log.error(line);
    // The ERROR line above may be queued (once the charm is done): send it. The queued buffered
    // writes go with it; Juju discards them for a failed hook (contract §1.5).
    writes?.flushNow();
    return 1;
  }
}

const load = async (source: CharmSource): Promise<CharmDefinition> => (typeof source === 'function' ? source() : source);

function handlerOf(charm: CharmDefinition, hook: HookContext): HookHandler | undefined {
  return charm.hooks?.[hook.name] ?? (GENERIC_HOOK_KEYS.has(hook.kind) ? charm.hooks?.[hook.kind] : undefined);
}

/**
 * A known definition may be skipped only when the hook would run nothing but its reconcile (a
 * handler is event work, not a function of the unit's view). A lazy loader (`CharmSource`
 * function) declares a reconcile-only charm: the skip is decided before loading it.
 */
function skippable(charm: CharmDefinition, hook: HookContext): boolean {
  return charm.reconcile !== undefined && handlerOf(charm, hook) === undefined;
}

/**
 * Runs the handler and the reconcile; true when the reconcile ran to its end. `done` is called
 * when the charm's code has returned, before the status it asked for is set.
 */
async function runHook(charm: CharmDefinition, ctx: CharmContext, done: () => void = () => {}): Promise<boolean> {
  const { name, kind } = ctx.hook;
  const handler = handlerOf(charm, ctx.hook);
  if (handler) await handler(ctx);
  const skip = charm.skipReconcile ?? DEFAULT_SKIP_RECONCILE;
  if (!charm.reconcile || skip.includes(name) || skip.includes(kind)) { done(); return false; }
  const status = await charm.reconcile(ctx);
  done();
  if (status) ctx.tools.statusSet(status.name, status.message);
  return !handler;
}

async function runAction(charm: CharmDefinition, ctx: CharmContext, name: string): Promise<void> {
  const handler = charm.actions?.[name];
  if (!handler) {
    ctx.tools.actionFail(`action "${name}" is not implemented by this charm`);
    return;
  }
  const params = ctx.tools.actionGet();
  const results = await handler(Object.freeze({ ...ctx, params }));
  if (results && Object.keys(results).length > 0) ctx.tools.actionSet(results);
}

/**
 * Entry point of a real charm: `main(charm)` at the bottom of the bundled file, or
 * `main(() => import('./charm.ts').then((m) => m.charm))` from a small entry. The unit's hook
 * memory lives in its charm directory (memory/store.ts).
 */
export async function main(charm: CharmSource, options: DispatchOptions = {}): Promise<void> {
  const entry = process.argv[1] ?? '';
  if (process.argv.includes(WORKER_FLAG)) {
    // The unit's warm worker (worker/README.md), started by startWorker below.
    const { serveWarm } = await import('./worker/server.ts');
    await serveWarm(charm, entry);
    return;
  }
  try {
    const path = options.memory ? undefined : memoryFilePath(options.env ?? process.env);
    process.exitCode = await dispatch(charm, path ? { ...options, memory: new FileMemoryStore(path) } : options);
  } catch (error) {
    process.stderr.write(`charm: ${oneLine(error)}\n`);
    process.exitCode = 1;
  }
  // This hook ran directly: the hooks after it can go to a warm worker.
  if (!options.env && !options.memory && entry) startWorker(process.env, entry);
}
