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

export interface CharmContext {
  readonly hook: HookContext;
  readonly tools: HookTools;
  readonly log: Logger;
  readonly version: JujuVersion;
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
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Run the hook or action the environment names; resolves to the process exit code. */
export async function dispatch(charm: CharmDefinition, options: DispatchOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const runner = options.runner ?? new SpawnRunner(options.env ? { env } : {});
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
  const tools = new Tools(runner, {
    unitName: hook.unit.name,
    redactor,
    version,
    ...(hook.relation ? { relationId: hook.relation.idString } : {}),
  });
  const log = new Logger(tools, { redactor, fallback: stderr });
  const ctx: CharmContext = Object.freeze({ hook, tools, log, version });

  try {
    if (hook.action) await runAction(charm, ctx, hook.action.name);
    else await runHook(charm, ctx);
    return 0;
  } catch (error) {
    let failure: unknown = error;
    if (error instanceof StatusError && !hook.action) {
      try {
        tools.statusSet(error.status.name, error.status.message);
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
    const line = redactor.redact(`${hook.name} failed: ${oneLine(failure)}`);
    stderr(line);
    log.error(line);
    return 1;
  }
}

async function runHook(charm: CharmDefinition, ctx: CharmContext): Promise<void> {
  const { name, kind } = ctx.hook;
  const handler = charm.hooks?.[name] ?? (GENERIC_HOOK_KEYS.has(kind) ? charm.hooks?.[kind] : undefined);
  if (handler) await handler(ctx);
  const skip = charm.skipReconcile ?? DEFAULT_SKIP_RECONCILE;
  if (!charm.reconcile || skip.includes(name) || skip.includes(kind)) return;
  const status = await charm.reconcile(ctx);
  if (status) ctx.tools.statusSet(status.name, status.message);
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

/** Entry point of a real charm: `main(charm)` at the bottom of the bundled file. */
export async function main(charm: CharmDefinition, options: DispatchOptions = {}): Promise<void> {
  try {
    process.exitCode = await dispatch(charm, options);
  } catch (error) {
    process.stderr.write(`charm: ${oneLine(error)}\n`);
    process.exitCode = 1;
  }
}
