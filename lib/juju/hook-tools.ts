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
import type { HookMemory } from './memory/hook-memory.ts';
import { memoryKey } from './memory/invalidation.ts';
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
  /**
   * The unit's memory of its last successful hook (memory/hook-memory.ts): reads it still
   * vouches for are answered without a call, every read is recorded for the fixpoint skip,
   * and writes that would not change anything are not made.
   */
  readonly memory?: HookMemory;
}

/** True when writing `data` into `bag` would leave it as it is (contract §2.4 merge). */
function mergeChanges(bag: Readonly<Record<string, string>>, data: Readonly<Record<string, string>>): boolean {
  return Object.entries(data).some(([k, v]) => (v === '' ? k in bag : bag[k] !== v));
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

  #leader: { value: boolean; at: number } | undefined;
  #actionParams: Record<string, unknown> | undefined;
  /** This hook's answers by memory key (memory/invalidation.ts `memoryKey`). */
  readonly #cache = new Map<string, unknown>();
  readonly #secrets = new Map<string, Record<string, string>>();
  readonly #memory: HookMemory | undefined;
  /** The memory key of the read being fetched, so the memory learns its command (prefetch.ts). */
  #fetching: string | undefined;

  constructor(runner: ToolRunner, options: ToolsOptions = {}) {
    this.#runner = options.memory ? this.#recording(runner, options.memory) : runner;
    this.#unitName = options.unitName;
    this.#appName = options.unitName?.split('/')[0];
    this.#version = options.version;
    this.#secretFiles = options.secretFiles ?? {};
    this.#now = options.now ?? Date.now;
    this.redactor = options.redactor ?? new Redactor();
    this.#memory = options.memory;
    if (options.relationId) this.#rememberRelation(options.relationId);
  }

  /** Tells the memory the command of each successful keyed read (the next hook's prefetch). */
  #recording(runner: ToolRunner, memory: HookMemory): ToolRunner {
    return {
      run: (tool, args, options) => {
        const result = runner.run(tool, args, options);
        if (this.#fetching !== undefined && result.exitCode === 0 && options?.input === undefined) memory.fetched(this.#fetching, [tool, ...args]);
        return result;
      },
    };
  }

  /** Runs `fetch` (one tool read) as the read of `key`. */
  #fetch<T>(key: string, fetch: () => T): T {
    this.#fetching = key;
    try {
      return fetch();
    } finally {
      this.#fetching = undefined;
    }
  }

  /**
   * A read answered by this hook's cache, else by the memory, else by the tool. Every answer
   * is recorded with the memory (the fixpoint skip compares them in a later hook).
   */
  #read<T>(key: string, fetch: () => T): T {
    if (this.#cache.has(key)) return this.#cache.get(key) as T;
    const remembered = this.#memory?.recall(key);
    const value = remembered !== undefined ? (remembered as T) : this.#fetch(key, fetch);
    this.#cache.set(key, value);
    this.#memory?.observe(key, 'value', value);
    return value;
  }

  /** What we know of `key` without a call (this hook, else the memory), or undefined. */
  #known<T>(key: string): T | undefined {
    if (this.#cache.has(key)) return this.#cache.get(key) as T;
    const remembered = this.#memory?.recall(key) as T | undefined;
    if (remembered !== undefined) {
      this.#cache.set(key, remembered);
      this.#memory?.observe(key, 'value', remembered);
    }
    return remembered;
  }

  /** Our own write changed what `key` answers: this hook and the next see the new answer. */
  #updated(key: string, value: unknown): void {
    this.#cache.set(key, value);
    this.#memory?.update(key, value);
  }

  #forget(...prefixes: string[]): void {
    for (const k of [...this.#cache.keys()]) if (prefixes.some((p) => k.startsWith(p))) this.#cache.delete(k);
    this.#memory?.forget(...prefixes);
  }

  #rememberRelation(id: RelationIdString): void {
    const at = id.lastIndexOf(':');
    if (at > 0) {
      this.#endpoints.set(numericId(id), id.slice(0, at));
      this.#memory?.rememberEndpoint(numericId(id), id.slice(0, at));
    }
  }

  /** `-r` value: `<endpoint>:<id>` whenever we know the endpoint, else what we were given. */
  #rel(relationId: RelationIdString | number): RelationIdString | number {
    if (typeof relationId !== 'number') return relationId;
    const endpoint = this.#endpoints.get(relationId) ?? this.#memory?.endpoint(relationId);
    return endpoint === undefined ? relationId : (`${endpoint}:${relationId}` as RelationIdString);
  }

  // ---- relations (contract §2.1–2.6)

  relationIds(endpoint: string): RelationIdString[] {
    const ids = this.#read(memoryKey.relationIds(endpoint), () => relation.relationIds(this.#runner, endpoint));
    for (const id of ids) this.#rememberRelation(id);
    return [...ids];
  }

  relationList(relationId: RelationIdString | number): string[] {
    const id = numericId(relationId);
    return [...this.#read(memoryKey.relationList(id), () => relation.relationList(this.#runner, this.#rel(relationId)))];
  }

  relationRemoteApp(relationId: RelationIdString | number): string {
    const id = numericId(relationId);
    return this.#read(memoryKey.remoteApp(id), () => relation.relationRemoteApp(this.#runner, this.#rel(relationId)));
  }

  relationGet(relationId: RelationIdString | number, target: string, options: { app?: boolean; usage?: 'declared' } = {}): Record<string, string> {
    const key = memoryKey.bag(numericId(relationId), options.app ? 'app' : 'unit', target);
    const app = options.app ? { app: true } : {};
    const bag = { ...this.#read(key, () => relation.relationGet(this.#runner, this.#rel(relationId), target, app)) };
    if (options.usage !== 'declared') this.#memory?.used(key, 'all');
    return bag;
  }

  relationFieldsUsed(relationId: RelationIdString | number, target: string, options: { app?: boolean }, fields: readonly string[] | 'all'): void {
    this.#memory?.used(memoryKey.bag(numericId(relationId), options.app ? 'app' : 'unit', target), fields);
  }

  relationSet(relationId: RelationIdString | number, data: Readonly<Record<string, string>>, options: { app?: boolean } = {}): void {
    if (Object.keys(data).length === 0) return; // Juju accepts it as a no-op (§2.4); save the call
    const id = numericId(relationId);
    const own = options.app ? this.#appName : this.#unitName;
    const key = own === undefined ? undefined : memoryKey.bag(id, options.app ? 'app' : 'unit', own);
    const known = key ? this.#known<Record<string, string>>(key) : undefined;
    if (known && !mergeChanges(known, data)) return; // Juju would store the same bag
    relation.relationSet(this.#runner, this.#rel(relationId), data, options);
    this.#memory?.wrote('relation-set');
    // We cannot tell which cached bag is ours: forget this relation's bags.
    if (key === undefined) this.#forget(`bag|${id}|`);
    else if (known) this.#updated(key, merged(known, data));
    else this.#forget(key);
  }

  /** Cached: the other side's model cannot change within a relation's life. */
  relationModelGet(relationId: RelationIdString | number): { uuid: string } {
    const id = numericId(relationId);
    return { ...this.#read(memoryKey.relationModel(id), () => relation.relationModelGet(this.#runner, this.#rel(relationId))) };
  }

  // ---- config, leadership, unit state (contract §2.7, 2.8, 2.13)

  configGet(): Record<string, ConfigValue> {
    return { ...this.#read(memoryKey.config(), () => config.configGet(this.#runner)) };
  }

  isLeader(): boolean {
    const cached = this.#leader;
    if (cached && (!cached.value || this.#now() - cached.at < LEADER_LEASE_MS)) return cached.value;
    // Only a `false` is remembered across hooks (memory/invalidation.ts); a `true` is asked again.
    const remembered = cached ? undefined : this.#memory?.recall(memoryKey.isLeader());
    const value = remembered === false ? false : this.#fetch(memoryKey.isLeader(), () => leader.isLeader(this.#runner));
    this.#leader = { value, at: this.#now() };
    this.#memory?.observe(memoryKey.isLeader(), 'value', value);
    return value;
  }

  leaderGet(): Record<string, string> {
    return { ...this.#read(memoryKey.leaderGet(), () => leader.leaderGet(this.#runner)) };
  }

  leaderSet(data: Readonly<Record<string, string>>): void {
    const known = this.#known<Record<string, string>>(memoryKey.leaderGet());
    if (known && !mergeChanges(known, data)) return;
    leader.leaderSet(this.#runner, data);
    this.#memory?.wrote('leader-set');
    if (known) this.#updated(memoryKey.leaderGet(), merged(known, data));
    else this.#forget(memoryKey.leaderGet());
  }

  stateGet(): Record<string, string> {
    return { ...this.#read(memoryKey.state(), () => state.stateGet(this.#runner)) };
  }

  stateSet(data: Readonly<Record<string, string>>): void {
    const known = this.#known<Record<string, string>>(memoryKey.state());
    if (known && Object.entries(data).every(([k, v]) => known[k] === v)) return;
    state.stateSet(this.#runner, data);
    this.#memory?.wrote('state-set');
    // state-set stores '' as a value (contract §2.13 is unsure); only state-delete removes.
    if (known) this.#updated(memoryKey.state(), { ...known, ...data });
    else this.#forget(memoryKey.state());
  }

  stateDelete(key: string): void {
    const known = this.#known<Record<string, string>>(memoryKey.state());
    if (known && !(key in known)) return; // deleting a missing key is a no-op (§2.13)
    state.stateDelete(this.#runner, key);
    this.#memory?.wrote('state-delete');
    if (known) {
      const next = { ...known };
      delete next[key];
      this.#updated(memoryKey.state(), next);
    } else {
      this.#forget(memoryKey.state());
    }
  }

  // ---- status and logging (contract §2.9, 2.10)

  statusSet(name: StatusName, message = '', options: { application?: boolean } = {}): void {
    const text = this.redactor.redact(message);
    // The unit status the last successful hook left is not set again. Juju would only refresh
    // its "since" (contract §2.9); a failed hook saves no memory, so after the `error` status of
    // §1.5 the status is always set again.
    if (!options.application && this.#memory?.sameStatus(name, text)) return;
    status.statusSet(this.#runner, name, text, options);
    if (!options.application) this.#memory?.statusSet(name, text);
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
    const id = options.relationId === undefined ? undefined : numericId(options.relationId);
    const rel = options.relationId === undefined ? {} : { relationId: this.#rel(options.relationId) };
    return this.#read(memoryKey.network(binding, id), () => network.networkGet(this.#runner, binding, rel));
  }

  unitGet(setting: 'private-address' | 'public-address'): string | undefined {
    // null stands for "no such address" (JSON keeps it; undefined would look like "not known").
    return this.#read<string | null>(memoryKey.unitGet(setting), () => network.unitGet(this.#runner, setting) ?? null) ?? undefined;
  }

  openPort(port: PortRange, options: { endpoints?: readonly string[] } = {}): void {
    ports.openPort(this.#runner, port, options);
    this.#memory?.wrote('open-port');
    this.#memory?.forget(memoryKey.openedPorts()); // this hook keeps the committed view (§0.4)
  }

  closePort(port: PortRange, options: { endpoints?: readonly string[] } = {}): void {
    ports.closePort(this.#runner, port, options);
    this.#memory?.wrote('close-port');
    this.#memory?.forget(memoryKey.openedPorts());
  }

  /** Committed ports only: this hook's own open-port is not shown (contract §0.4). */
  openedPorts(): PortRange[] {
    return [...this.#read(memoryKey.openedPorts(), () => ports.openedPorts(this.#runner))];
  }

  applicationVersionSet(version: string): void {
    status.applicationVersionSet(this.#runner, version);
    this.#memory?.wrote('application-version-set');
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

  /** A secret write: contents, metadata and the ids we own may all read differently now. */
  #secretWritten(what: string): void {
    this.#secrets.clear();
    this.#forget('secret-info|', memoryKey.secretIds());
    this.#memory?.wrote(what);
  }

  secretAdd(content: Readonly<Record<string, string>>, options: SecretAddOptions = {}): string {
    this.#registerValues(content);
    this.#checkSize('secret-add', content);
    const id = secret.secretAdd(this.#runner, content, options, this.#secretFiles);
    this.#secretWritten('secret-add');
    return id;
  }

  /** Contents are cached for this hook only; the memory records that the secret was read, never what. */
  secretGet(options: SecretGetOptions): Record<string, string> {
    const mode = options.peek ? 'peek' : options.refresh ? 'refresh' : 'get';
    const key = memoryKey.secret(options.id ?? '', options.label ?? '', mode);
    let content = this.#secrets.get(key);
    if (!content) {
      content = this.#fetch(key, () => secret.secretGet(this.#runner, options));
      this.#registerValues(content);
      // A refresh moves this unit's tracked revision (recorded at once, §0.4): earlier plain
      // reads in this hook are stale now. It is not a write for the hook memory: outside a
      // secret-* hook (which is never skipped, invalidation.ts) the latest revision is the one
      // the last refresh saw, so repeating it changes nothing.
      if (mode === 'refresh') {
        this.#secrets.clear();
        for (const k of [...this.#cache.keys()]) if (k.startsWith('secret-info|')) this.#cache.delete(k);
      }
      this.#secrets.set(key, content);
    }
    this.#memory?.observe(key, 'secret');
    return { ...content };
  }

  secretSet(id: string, content: Readonly<Record<string, string>> | undefined, options: SecretMetadataOptions = {}): void {
    if (content) {
      this.#registerValues(content);
      this.#checkSize('secret-set', content);
    }
    secret.secretSet(this.#runner, id, content, options, this.#secretFiles);
    this.#secretWritten('secret-set');
  }

  secretGrant(id: string, relationId: RelationIdString | number, options: { unit?: string } = {}): void {
    secret.secretGrant(this.#runner, id, this.#rel(relationId), options);
    this.#secretWritten('secret-grant');
  }

  secretRevoke(id: string, options: SecretRevokeOptions = {}): void {
    const rel = options.relationId === undefined ? {} : { relationId: this.#rel(options.relationId) };
    secret.secretRevoke(this.#runner, id, { ...options, ...rel });
    this.#secretWritten('secret-revoke');
  }

  secretRemove(id: string, options: { revision?: number } = {}): void {
    secret.secretRemove(this.#runner, id, options);
    this.#secretWritten('secret-remove');
  }

  secretIds(): string[] {
    return [...this.#read(memoryKey.secretIds(), () => secret.secretIds(this.#runner))];
  }

  secretInfoGet(options: { id?: string; label?: string }): SecretInfo {
    return this.#read(memoryKey.secretInfo(options.id ?? '', options.label ?? ''), () => secret.secretInfoGet(this.#runner, options));
  }

  /**
   * Asks again what a memory key answers (dispatch's fixpoint check). False for a key this
   * version cannot re-read without side effects (secret contents) or does not know.
   */
  recheck(key: string): boolean {
    const [tool, a = '', b = '', c = ''] = key.split('|');
    switch (tool) {
      case 'config': this.configGet(); return true;
      case 'rids': this.relationIds(a); return true;
      case 'units': this.relationList(Number(a)); return true;
      case 'remote-app': this.relationRemoteApp(Number(a)); return true;
      // 'declared': re-reading for the check uses no field; the reconcile, if it runs, says which it uses.
      case 'bag': this.relationGet(Number(a), c, { app: b === 'app', usage: 'declared' }); return true;
      case 'rmodel': this.relationModelGet(Number(a)); return true;
      case 'net': this.networkGet(a, b === '' ? {} : { relationId: Number(b) }); return true;
      case 'unit-get': if (a !== 'private-address' && a !== 'public-address') return false; this.unitGet(a); return true;
      case 'leader-get': this.leaderGet(); return true;
      case 'state': this.stateGet(); return true;
      case 'opened-ports': this.openedPorts(); return true;
      case 'is-leader': this.isLeader(); return true;
      case 'secret-ids': this.secretIds(); return true;
      case 'secret-info': this.secretInfoGet(a ? { id: a } : { label: b }); return true;
      default: return false;
    }
  }
}
