/**
 * The typed surface of lib/juju that every other layer codes against.
 *
 * Hook tools are synchronous on purpose: a hook is one sequential process, and a
 * synchronous runner (child_process.spawnSync) costs about half of an async execa call
 * (../shared/tooling.md). Crypto stays async; charm code is `async` anyway.
 */

/** What one hook-tool invocation returned (juju/cmd semantics, contract §0.2). */
export interface ToolResult {
  readonly stdout: string;
  readonly stderr: string;
  /** 0 success, 1 runtime error, 2 flag/argument error, 127 tool not on PATH. */
  readonly exitCode: number;
}

/** One command of ToolRunner.runMany. */
export interface ToolBatchItem {
  readonly command: readonly [tool: string, ...args: string[]];
  /** Sent on the tool's stdin (`--file -`). */
  readonly input?: string;
  /** The result's text: stdout (reads, default) or stderr only (writes, whose stdout is empty). */
  readonly capture?: 'stdout' | 'stderr';
}

export interface ToolRunOptions {
  /** Sent on the tool's stdin (used by `relation-set --file -`, `state-set --file -`). */
  readonly input?: string;
  /** The call is a prefetch (prefetch.ts): a failure is not the charm's, the charm asks again. */
  readonly prefetch?: boolean;
}

/**
 * The transport under HookTools. Production spawns executables from PATH; the simulator's
 * in-process backend answers from its engine without spawning (style.md #7, #8).
 */
export interface ToolRunner {
  run(tool: string, args: readonly string[], options?: ToolRunOptions): ToolResult;
  /**
   * Optional: run several commands together, in the background where the runner can,
   * answering in order: the prefetched reads (prefetch.ts) and the writes deferred to the end
   * of the hook (write-queue.ts). Runners without it are asked one by one.
   */
  runMany?(items: ReadonlyArray<ToolBatchItem>): Promise<ToolResult[]>;
}

export type StatusName = 'maintenance' | 'blocked' | 'waiting' | 'active';
export type ReadStatusName = StatusName | 'error' | 'unknown';
export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

/** A relation id as Juju prints it: `<endpoint>:<n>` (contract §1.2, §2.1). */
export type RelationIdString = `${string}:${number}`;

export interface StatusInfo {
  readonly status: ReadStatusName;
  readonly message: string;
}

export interface ApplicationStatusInfo extends StatusInfo {
  readonly units: Readonly<Record<string, StatusInfo>>;
}

/** `network-get <binding> --format=json` (contract §2.12). */
export interface NetworkInfo {
  readonly 'bind-addresses'?: ReadonlyArray<{
    readonly 'mac-address'?: string;
    readonly 'interface-name'?: string;
    readonly addresses?: ReadonlyArray<{ readonly hostname?: string; readonly value: string; readonly cidr?: string }>;
  }>;
  readonly 'egress-subnets'?: readonly string[];
  readonly 'ingress-addresses'?: readonly string[];
}

export type PortProtocol = 'tcp' | 'udp' | 'icmp';
export interface PortRange {
  readonly protocol: PortProtocol;
  /** Absent for icmp. */
  readonly from?: number;
  readonly to?: number;
}

export type SecretOwner = 'application' | 'unit';
export type SecretRotatePolicy = 'never' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'yearly';

export interface SecretMetadataOptions {
  readonly label?: string;
  readonly description?: string;
  /** Go duration (`24h`) or RFC 3339 time (contract §3.4). */
  readonly expire?: string;
  readonly rotate?: SecretRotatePolicy;
}

export interface SecretAddOptions extends SecretMetadataOptions {
  readonly owner?: SecretOwner;
}

export interface SecretGetOptions {
  /** `secret:<id>`, `secret://<model-uuid>/<id>` or a bare id. */
  readonly id?: string;
  /** Owner or consumer label; with `id` it sets the consumer label (contract §3.4). */
  readonly label?: string;
  readonly peek?: boolean;
  readonly refresh?: boolean;
}

export interface SecretGrantInfo {
  readonly target: string;
  readonly scope: string;
  readonly role: string;
}

/** One entry of `secret-info-get --format=json` (contract §3.4). */
export interface SecretInfo {
  /** Bare id, as secret-info-get keys it. */
  readonly id: string;
  readonly revision: number;
  readonly label: string;
  readonly owner: SecretOwner;
  readonly description?: string;
  readonly rotation?: SecretRotatePolicy;
  readonly expiry?: string;
  readonly rotates?: string;
  readonly access?: readonly SecretGrantInfo[];
}

export interface SecretRevokeOptions {
  readonly relationId?: RelationIdString | number;
  readonly app?: string;
  readonly unit?: string;
}

/**
 * One typed method per hook tool the charms need. Reads are cached for the life of the
 * object (one hook); every databag write is one `relation-set` call. Failures throw the
 * typed errors of `errors.ts`.
 */
export interface HookTools {
  // relations (contract §2.1–2.5)
  relationIds(endpoint: string): RelationIdString[];
  relationList(relationId: RelationIdString | number): string[];
  relationRemoteApp(relationId: RelationIdString | number): string;
  /** Whole bag of a unit (default) or, with `app`, of an application. */
  /**
   * `usage: 'declared'`: the caller will say which fields its decisions use
   * (`relationFieldsUsed`); otherwise the whole bag counts as used (the hook memory's fixpoint
   * skip then ignores changes to fields nobody looked at).
   */
  relationGet(relationId: RelationIdString | number, target: string, options?: { app?: boolean; usage?: 'declared' }): Record<string, string>;
  /** The fields of a bag read in this hook that the charm's decisions depend on. */
  relationFieldsUsed?(relationId: RelationIdString | number, target: string, options: { app?: boolean }, fields: readonly string[] | 'all'): void;
  /** Merges `data` into the local unit bag (or app bag with `app`); '' deletes a key. */
  relationSet(relationId: RelationIdString | number, data: Readonly<Record<string, string>>, options?: { app?: boolean }): void;
  relationModelGet(relationId: RelationIdString | number): { uuid: string };

  // config, leadership, unit state (contract §2.7, 2.8, 2.13)
  configGet(): Record<string, string | number | boolean | null>;
  isLeader(): boolean;
  leaderGet(): Record<string, string>;
  leaderSet(data: Readonly<Record<string, string>>): void;
  stateGet(): Record<string, string>;
  stateSet(data: Readonly<Record<string, string>>): void;
  stateDelete(key: string): void;

  // status and logging (contract §2.9, 2.10)
  statusSet(status: StatusName, message?: string, options?: { application?: boolean }): void;
  statusGet(): StatusInfo;
  applicationStatusGet(): ApplicationStatusInfo;
  jujuLog(message: string, level?: LogLevel): void;

  // network, ports, version (contract §2.12, 2.14, 2.15)
  networkGet(binding: string, options?: { relationId?: RelationIdString | number }): NetworkInfo;
  /** `unit-get private-address|public-address` (contract §2.15); undefined when Juju has none. */
  unitGet(setting: 'private-address' | 'public-address'): string | undefined;
  openPort(port: PortRange, options?: { endpoints?: readonly string[] }): void;
  closePort(port: PortRange, options?: { endpoints?: readonly string[] }): void;
  openedPorts(): PortRange[];
  applicationVersionSet(version: string): void;

  // actions (contract §2.11)
  actionGet(): Record<string, unknown>;
  actionSet(results: Readonly<Record<string, string>>): void;
  actionFail(message?: string): void;
  actionLog(message: string): void;

  // secrets (contract §3); values never travel on argv
  secretAdd(content: Readonly<Record<string, string>>, options?: SecretAddOptions): string;
  secretGet(options: SecretGetOptions): Record<string, string>;
  secretSet(id: string, content: Readonly<Record<string, string>> | undefined, options?: SecretMetadataOptions): void;
  secretGrant(id: string, relationId: RelationIdString | number, options?: { unit?: string }): void;
  secretRevoke(id: string, options?: SecretRevokeOptions): void;
  secretRemove(id: string, options?: { revision?: number }): void;
  secretIds(): string[];
  secretInfoGet(options: { id?: string; label?: string }): SecretInfo;
}
