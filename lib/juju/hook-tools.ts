/**
 * Tools: the HookTools a charm uses — the pure wrappers of tools/ plus a per-hook read cache.
 *
 * One Tools object lives for one hook (dispatch makes it). Reads are cached because the data
 * cannot change under us during a hook, except by our own writes, which update the cache:
 * - contract §0.4: other units' relation data is snapshotted per hook; our own buffered
 *   writes are visible to our own reads (so a merged cache is exactly what Juju would answer);
 * - config, relation ids/units, network and action params are fixed for the hook;
 * - is-leader: a `false` stays false for the hook (§2.8); a `true` is a ~30 s lease, so it is
 *   cached for 30 s only.
 * Not cached: status-get, opened-ports (it ignores this hook's own open-port, §0.4),
 * secret-ids and secret-info-get (cheap, rarely repeated, and changed by our own writes).
 *
 * Every secret value Tools reads or writes is registered with the Redactor, so a later log
 * line or status message that contains it is masked.
 */
import { HookToolError } from './errors.ts';
import { Redactor } from './redact.ts';
import * as action from './tools/action.ts';
import * as config from './tools/config.ts';
import type { ConfigValue } from './tools/config.ts';
import * as leader from './tools/leader.ts';
import * as log from './tools/log.ts';
import * as network from './tools/network.ts';
import * as ports from './tools/ports.ts';
import * as relation from './tools/relation.ts';
import * as secret from './tools/secret.ts';
import type { SecretFileOptions } from './tools/secret.ts';
import * as state from './tools/state.ts';
import * as status from './tools/status.ts';
import type {
  ApplicationStatusInfo, HookTools, LogLevel, NetworkInfo, PortRange, RelationIdString, SecretAddOptions,
  SecretGetOptions, SecretInfo, SecretMetadataOptions, SecretRevokeOptions, StatusInfo, StatusName, ToolRunner,
} from './types.ts';
import { secretContentProblem } from './version.ts';
import type { JujuVersion } from './version.ts';

/** Contract §2.8: a positive is-leader answer is a lease of about 30 s. */
const LEADER_LEASE_MS = 30_000;

export interface ToolsOptions {
  /** This unit (`app/0`): lets relation-set update the cached own bags instead of dropping them. */
  readonly unitName?: string;
  /** The current hook's relation (`db:3`): a bare numeric id for it is sent as `db:3`. */
  readonly relationId?: RelationIdString;
  /** Shared with the Logger; default a fresh one. */
  readonly redactor?: Redactor;
  /** Enables the secret size check of contract §3.3 before any value touches disk. */
  readonly version?: JujuVersion;
  /** Where secret value files are made (default the OS temp dir). */
  readonly secretFiles?: SecretFileOptions;
  /** Clock for the is-leader lease (tests). */
  readonly now?: () => number;
}

function numericId(relationId: RelationIdString | number): number {
  if (typeof relationId === 'number') return relationId;
  return Number(relationId.slice(relationId.lastIndexOf(':') + 1));
}

/** Merge a write into a bag the way Juju does: '' deletes the key (contract §2.4). */
function merged(bag: Readonly<Record<string, string>>, data: Readonly<Record<string, string>>): Record<string, string> {
  const out = { ...bag };
  for (const [k, v] of Object.entries(data)) {
    if (v === '') delete out[k];
    else out[k] = v;
  }
  return out;
}

export class Tools implements HookTools {
  readonly #runner: ToolRunner;
  readonly #unitName: string | undefined;
  readonly #appName: string | undefined;
  readonly #version: JujuVersion | undefined;
  readonly #secretFiles: SecretFileOptions;
  readonly #now: () => number;
  readonly redactor: Redactor;
  /** numeric relation id → endpoint, learnt from relation-ids and the hook's relation. */
  readonly #endpoints = new Map<number, string>();

  #config: Record<string, ConfigValue> | undefined;
  #leader: { value: boolean; at: number } | undefined;
  #leaderData: Record<string, string> | undefined;
  #state: Record<string, string> | undefined;
  #actionParams: Record<string, unknown> | undefined;
  readonly #relationIds = new Map<string, RelationIdString[]>();
  readonly #relationUnits = new Map<number, string[]>();
  readonly #remoteApps = new Map<number, string>();
  /** `${id}|unit|${name}` or `${id}|app|${name}` → bag. */
  readonly #bags = new Map<string, Record<string, string>>();
  readonly #networks = new Map<string, NetworkInfo>();
  readonly #unitAddresses = new Map<string, string | undefined>();
  readonly #relationModels = new Map<string, { uuid: string }>();
  readonly #secrets = new Map<string, Record<string, string>>();

  constructor(runner: ToolRunner, options: ToolsOptions = {}) {
    this.#runner = runner;
    this.#unitName = options.unitName;
    this.#appName = options.unitName?.split('/')[0];
    this.#version = options.version;
    this.#secretFiles = options.secretFiles ?? {};
    this.#now = options.now ?? Date.now;
    this.redactor = options.redactor ?? new Redactor();
    if (options.relationId) this.#rememberRelation(options.relationId);
  }

  #rememberRelation(id: RelationIdString): void {
    const at = id.lastIndexOf(':');
    if (at > 0) this.#endpoints.set(numericId(id), id.slice(0, at));
  }

  /** `-r` value: `<endpoint>:<id>` whenever we know the endpoint, else what we were given. */
  #rel(relationId: RelationIdString | number): RelationIdString | number {
    if (typeof relationId !== 'number') return relationId;
    const endpoint = this.#endpoints.get(relationId);
    return endpoint === undefined ? relationId : (`${endpoint}:${relationId}` as RelationIdString);
  }

  // ---- relations (contract §2.1–2.6)

  relationIds(endpoint: string): RelationIdString[] {
    let ids = this.#relationIds.get(endpoint);
    if (!ids) {
      ids = relation.relationIds(this.#runner, endpoint);
      for (const id of ids) this.#rememberRelation(id);
      this.#relationIds.set(endpoint, ids);
    }
    return [...ids];
  }

  relationList(relationId: RelationIdString | number): string[] {
    const key = numericId(relationId);
    let units = this.#relationUnits.get(key);
    if (!units) {
      units = relation.relationList(this.#runner, this.#rel(relationId));
      this.#relationUnits.set(key, units);
    }
    return [...units];
  }

  relationRemoteApp(relationId: RelationIdString | number): string {
    const key = numericId(relationId);
    let app = this.#remoteApps.get(key);
    if (app === undefined) {
      app = relation.relationRemoteApp(this.#runner, this.#rel(relationId));
      this.#remoteApps.set(key, app);
    }
    return app;
  }

  relationGet(relationId: RelationIdString | number, target: string, options: { app?: boolean } = {}): Record<string, string> {
    const key = `${numericId(relationId)}|${options.app ? 'app' : 'unit'}|${target}`;
    let bag = this.#bags.get(key);
    if (!bag) {
      bag = relation.relationGet(this.#runner, this.#rel(relationId), target, options);
      this.#bags.set(key, bag);
    }
    return { ...bag };
  }

  relationSet(relationId: RelationIdString | number, data: Readonly<Record<string, string>>, options: { app?: boolean } = {}): void {
    if (Object.keys(data).length === 0) return; // Juju accepts it as a no-op (§2.4); save the call
    relation.relationSet(this.#runner, this.#rel(relationId), data, options);
    const id = numericId(relationId);
    const own = options.app ? this.#appName : this.#unitName;
    if (own === undefined) {
      // We cannot tell which cached bag is ours: forget this relation's bags.
      for (const key of [...this.#bags.keys()]) if (key.startsWith(`${id}|`)) this.#bags.delete(key);
      return;
    }
    const key = `${id}|${options.app ? 'app' : 'unit'}|${own}`;
    const cached = this.#bags.get(key);
    if (cached) this.#bags.set(key, merged(cached, data));
  }

  /** Cached: the other side's model cannot change within a hook. */
  relationModelGet(relationId: RelationIdString | number): { uuid: string } {
    const key = `relation-model-get|${numericId(relationId)}`;
    let cached = this.#relationModels.get(key);
    if (!cached) {
      cached = relation.relationModelGet(this.#runner, this.#rel(relationId));
      this.#relationModels.set(key, cached);
    }
    return { ...cached };
  }

  // ---- config, leadership, unit state (contract §2.7, 2.8, 2.13)

  configGet(): Record<string, ConfigValue> {
    this.#config ??= config.configGet(this.#runner);
    return { ...this.#config };
  }

  isLeader(): boolean {
    const cached = this.#leader;
    if (cached && (!cached.value || this.#now() - cached.at < LEADER_LEASE_MS)) return cached.value;
    const value = leader.isLeader(this.#runner);
    this.#leader = { value, at: this.#now() };
    return value;
  }

  leaderGet(): Record<string, string> {
    this.#leaderData ??= leader.leaderGet(this.#runner);
    return { ...this.#leaderData };
  }

  leaderSet(data: Readonly<Record<string, string>>): void {
    leader.leaderSet(this.#runner, data);
    if (this.#leaderData) this.#leaderData = merged(this.#leaderData, data);
  }

  stateGet(): Record<string, string> {
    this.#state ??= state.stateGet(this.#runner);
    return { ...this.#state };
  }

  stateSet(data: Readonly<Record<string, string>>): void {
    state.stateSet(this.#runner, data);
    // state-set stores '' as a value (contract §2.13 is unsure); only state-delete removes.
    if (this.#state) this.#state = { ...this.#state, ...data };
  }

  stateDelete(key: string): void {
    state.stateDelete(this.#runner, key);
    if (this.#state) delete this.#state[key];
  }

  // ---- status and logging (contract §2.9, 2.10)

  statusSet(name: StatusName, message = '', options: { application?: boolean } = {}): void {
    status.statusSet(this.#runner, name, this.redactor.redact(message), options);
  }

  statusGet(): StatusInfo {
    return status.statusGet(this.#runner);
  }

  applicationStatusGet(): ApplicationStatusInfo {
    return status.applicationStatusGet(this.#runner);
  }

  /** Raw juju-log, still redacted (defence in depth); charms use the Logger. */
  jujuLog(message: string, level: LogLevel = 'INFO'): void {
    log.jujuLog(this.#runner, this.redactor.redact(message), level);
  }

  // ---- network, ports, version (contract §2.12, 2.14, 2.15)

  networkGet(binding: string, options: { relationId?: RelationIdString | number } = {}): NetworkInfo {
    const key = `${binding}|${options.relationId === undefined ? '' : numericId(options.relationId)}`;
    let info = this.#networks.get(key);
    if (!info) {
      const rel = options.relationId === undefined ? {} : { relationId: this.#rel(options.relationId) };
      info = network.networkGet(this.#runner, binding, rel);
      this.#networks.set(key, info);
    }
    return info;
  }

  unitGet(setting: 'private-address' | 'public-address'): string | undefined {
    const key = `unit-get|${setting}`;
    if (!this.#unitAddresses.has(key)) this.#unitAddresses.set(key, network.unitGet(this.#runner, setting));
    return this.#unitAddresses.get(key);
  }

  openPort(port: PortRange, options: { endpoints?: readonly string[] } = {}): void {
    ports.openPort(this.#runner, port, options);
  }

  closePort(port: PortRange, options: { endpoints?: readonly string[] } = {}): void {
    ports.closePort(this.#runner, port, options);
  }

  openedPorts(): PortRange[] {
    return ports.openedPorts(this.#runner);
  }

  applicationVersionSet(version: string): void {
    status.applicationVersionSet(this.#runner, version);
  }

  // ---- actions (contract §2.11)

  actionGet(): Record<string, unknown> {
    this.#actionParams ??= action.actionGet(this.#runner);
    return structuredClone(this.#actionParams);
  }

  actionSet(results: Readonly<Record<string, string>>): void {
    action.actionSet(this.#runner, results);
  }

  actionFail(message?: string): void {
    action.actionFail(this.#runner, message === undefined ? undefined : this.redactor.redact(message));
  }

  actionLog(message: string): void {
    action.actionLog(this.#runner, this.redactor.redact(message));
  }

  // ---- secrets (contract §3)

  #registerValues(content: Readonly<Record<string, string>>): void {
    for (const value of Object.values(content)) this.redactor.register(value);
  }

  #checkSize(tool: string, content: Readonly<Record<string, string>>): void {
    const limits = this.#version?.secretContentLimits;
    const problem = limits ? secretContentProblem(content, limits) : null;
    if (problem) throw new HookToolError(tool, [], 1, '', `ERROR ${problem}\n`);
  }

  secretAdd(content: Readonly<Record<string, string>>, options: SecretAddOptions = {}): string {
    this.#registerValues(content);
    this.#checkSize('secret-add', content);
    const id = secret.secretAdd(this.#runner, content, options, this.#secretFiles);
    this.#secrets.clear();
    return id;
  }

  secretGet(options: SecretGetOptions): Record<string, string> {
    const mode = options.peek ? 'peek' : options.refresh ? 'refresh' : 'get';
    const key = `${options.id ?? ''}|${options.label ?? ''}|${mode}`;
    let content = this.#secrets.get(key);
    if (!content) {
      content = secret.secretGet(this.#runner, options);
      this.#registerValues(content);
      // A refresh moves this unit's tracked revision: earlier plain reads are stale now.
      if (mode === 'refresh') this.#secrets.clear();
      this.#secrets.set(key, content);
    }
    return { ...content };
  }

  secretSet(id: string, content: Readonly<Record<string, string>> | undefined, options: SecretMetadataOptions = {}): void {
    if (content) {
      this.#registerValues(content);
      this.#checkSize('secret-set', content);
    }
    secret.secretSet(this.#runner, id, content, options, this.#secretFiles);
    this.#secrets.clear();
  }

  secretGrant(id: string, relationId: RelationIdString | number, options: { unit?: string } = {}): void {
    secret.secretGrant(this.#runner, id, this.#rel(relationId), options);
  }

  secretRevoke(id: string, options: SecretRevokeOptions = {}): void {
    const rel = options.relationId === undefined ? {} : { relationId: this.#rel(options.relationId) };
    secret.secretRevoke(this.#runner, id, { ...options, ...rel });
  }

  secretRemove(id: string, options: { revision?: number } = {}): void {
    secret.secretRemove(this.#runner, id, options);
    this.#secrets.clear();
  }

  secretIds(): string[] {
    return secret.secretIds(this.#runner);
  }

  secretInfoGet(options: { id?: string; label?: string }): SecretInfo {
    return secret.secretInfoGet(this.#runner, options);
  }
}
