/**
 * The simulator engine's public facade: the one rules engine both transports share
 * (the in-process HookTools backend and the hook-tool executables + jujusim CLI).
 *
 * Pure TypeScript: no I/O here or in the rules. Time and randomness come in through
 * `EngineOptions` so runs are deterministic (same seed, same run).
 *
 * The engine implementation lives in sibling files (world.ts, relations.ts, secrets.ts,
 * hooks.ts, ...) and exports `createEngine` / `loadEngine` satisfying `Engine`.
 */
import type { ToolResult } from '../../juju/types.ts';

/** Parsed charm metadata, whatever it was read from (charmcraft.yaml, metadata.yaml, .charm). */
export interface CharmSpec {
  readonly name: string;
  /** endpoint -> { interface, limit?, scope? } */
  readonly provides: Readonly<Record<string, EndpointSpec>>;
  readonly requires: Readonly<Record<string, EndpointSpec>>;
  readonly peers: Readonly<Record<string, EndpointSpec>>;
  /** config.yaml `options` */
  readonly config: Readonly<Record<string, ConfigOptionSpec>>;
  /** actions.yaml */
  readonly actions: Readonly<Record<string, ActionSpec>>;
  /** Absolute directory holding `dispatch` (or hooks/) the process transport executes. */
  readonly dir?: string;
}
export interface EndpointSpec { readonly interface: string; readonly limit?: number; readonly scope?: 'global' | 'container' }
export interface ConfigOptionSpec { readonly type: 'string' | 'int' | 'float' | 'boolean' | 'secret'; readonly default?: string | number | boolean; readonly description?: string }
export interface ActionSpec { readonly description?: string; readonly params?: Readonly<Record<string, { type?: string; default?: unknown; description?: string }>> }

export interface EngineOptions {
  /** Seed for the interleaving of hooks across units; absent = deterministic FIFO order. */
  readonly seed?: number;
  /** Clock in ms since epoch (default Date.now); tests pass a fake clock. */
  readonly now?: () => number;
  /** Source of randomness for ids/uuids (default crypto-random); tests may pass a seeded one. */
  readonly random?: () => number;
}

/** One hook (or action) ready to run: everything a transport needs to execute it. */
export interface HookInvocation {
  readonly contextId: string;
  readonly model: string;
  readonly unit: string;
  /** `install`, `db-relation-changed`, ... or the action name for actions. */
  readonly name: string;
  readonly kind: 'hook' | 'action';
  /** The complete JUJU_* environment of contract §1.2 (no PATH; the transport adds it). */
  readonly env: Readonly<Record<string, string>>;
  readonly charm: CharmSpec;
}

export interface HookOutcome {
  readonly exitCode: number;
  readonly stdout?: string;
  readonly stderr?: string;
  /** Failure text when no process ran, e.g. `action not implemented on unit "<unit>"` (contract §1.1 item 3). */
  readonly message?: string;
}

export interface AddModelOptions {
  readonly agentVersion?: string;
  /** Model config `automatically-retry-hooks` (added; default true): failed hooks are retried as `advanceTime` passes 5 s, 10 s, … 5 min. */
  readonly automaticallyRetryHooks?: boolean;
}
export interface DeployOptions { readonly units?: number; readonly config?: Readonly<Record<string, string | number | boolean>> }

/**
 * I/O capabilities of one tool call. The engine never touches the file system itself: the
 * transport passes what the hook process could do (added: readFile/writeFile).
 */
export interface RunToolOptions {
  /** The tool's stdin (`relation-set --file -`, `state-set --file -`). */
  readonly stdin?: string;
  /** The hook's cwd (the charm dir); relative `--file`/`-o`/`key#file=` paths resolve against it. */
  readonly cwd?: string;
  /** Read a file (`--file PATH`, `secret-add key#file=PATH`); absent = such reads fail. */
  readFile?(path: string): string;
  /** Write a file (`-o FILE`); absent = `-o` fails with exit 1. */
  writeFile?(path: string, content: string): void;
}

/** One hook-tool call as recorded for benchmarks (`toolCalls()`). */
export interface ToolCallRecord { readonly model: string; readonly unit: string; readonly hook: string; readonly tool: string; readonly args: readonly string[]; readonly exitCode: number }

/** Read views for the CLI; shapes follow contract §5 so formatting is a thin layer. */
export interface Engine {
  // --- operator verbs (what `juju ...` does); each only enqueues hooks -------------------
  addModel(name: string, options?: AddModelOptions): { name: string; uuid: string; version: string };
  models(): Array<{ name: string; uuid: string; version: string }>;
  deploy(model: string, charm: CharmSpec, app?: string, options?: DeployOptions): void;
  addUnit(model: string, app: string, count?: number): string[];
  removeUnit(model: string, unit: string): void;
  removeApplication(model: string, app: string): void;
  /** `integrate a[:ep] b[:ep]`; either side may be a SAAS name or an offer URL. Returns relation id. */
  integrate(model: string, a: string, b: string): number;
  removeRelation(model: string, aOrId: string | number, b?: string): void;
  /** `offer [model.]app:ep[,ep] [name]`; returns the offer URL `admin/<model>.<name>`. */
  offer(model: string, app: string, endpoints: readonly string[], offerName?: string): string;
  consume(model: string, url: string, alias?: string): string;
  /** `suspend-relation` / `resume-relation` (added), offering model only (contract §4.1). */
  suspendRelation(model: string, id: number, message?: string): void;
  resumeRelation(model: string, id: number): void;
  /** `juju refresh [--path]` (added): upgrade-charm → config-changed → (leader-settings-changed) → start. */
  refresh(model: string, app: string, charm?: CharmSpec): void;
  setConfig(model: string, app: string, values: Readonly<Record<string, string | number | boolean | null>>): void;
  /** Enqueue an action; returns its id (numeric string). */
  enqueueAction(model: string, unit: string, action: string, params?: Readonly<Record<string, unknown>>): string;
  /** Make `unit` the leader of its app (leader-elected / leader-settings-changed follow). */
  setLeader(model: string, unit: string): void;
  /** `resolve [--no-retry]`: re-queue (or skip) the failed hook of a unit in error. */
  resolve(model: string, unit: string, options?: { noRetry?: boolean }): void;
  /** Advance the fake clock: fires update-status, secret-rotate/-expired when due. */
  advanceTime(ms: number): void;

  // --- hook execution (the unit agent) ----------------------------------------------------
  /** The next runnable hook (one at a time per unit; seeded shuffle across units), or undefined when settled. */
  nextHook(): HookInvocation | undefined;
  /** Also for `juju exec`: open a hook context on a unit outside the queue. */
  openContext(model: string, unit: string, name?: string): HookInvocation;
  /** Run one hook tool inside an open context (argv as the executable received it). */
  runTool(contextId: string, tool: string, args: readonly string[], options?: RunToolOptions): ToolResult;
  /** Close a context: commit buffered writes on exit 0 (contract §0.4), else discard and put the unit in error. */
  finishHook(contextId: string, outcome: HookOutcome): void;
  /** Names of every hook tool the personality of this context's model offers (2.9 has no secret-*). */
  toolNames(model: string): string[];

  // --- read views (contract §5) ---------------------------------------------------------
  status(model: string): unknown;
  secrets(model: string): unknown;
  /** `show-secret [--reveal] [--revisions] [-r N]` (added: `revision`). */
  showSecret(model: string, idOrName: string, options?: { reveal?: boolean; revisions?: boolean; revision?: number }): unknown;
  showUnit(model: string, unit: string): unknown;
  debugLog(model?: string): string[];
  actionResult(model: string, actionId: string): unknown;

  /** Every hook-tool call so far, in order (added: benchmarks count calls per hook). */
  toolCalls(): readonly ToolCallRecord[];
  /** Queued hook names per unit key `model/app/n` (added: for tests and `jujusim wait`). */
  pending(model?: string): Record<string, string[]>;
  /** Override a unit's addresses (added; default 10.<model>.x.y private, 10.<128+model>.x.y public). */
  setUnitAddress(model: string, unit: string, address: string, publicAddress?: string): void;

  // --- persistence ------------------------------------------------------------------------
  toJSON(): unknown;
}
