/**
 * HookContext: everything the JUJU_* environment says about the running hook or action
 * (contract §1.2), parsed once, frozen. One field per variable; each doc names its variable.
 *
 * `HookContext.fromEnv(env)` is strict: it checks the variables every hook needs and those
 * the hook kind needs, and throws a HookContextError naming the variable. Tests use the
 * lenient `HookContext.forTest({...})` which fills defaults and checks nothing.
 */
import { basename, dirname } from 'node:path';
import { HookContextError } from './errors.ts';
import type { RelationIdString } from './types.ts';
import { JujuVersion } from './version.ts';

/** `<endpoint>:<n>` parsed (contract §1.2: the integer after the last `:` is the real id). */
export interface RelationRef {
  readonly endpoint: string;
  readonly id: number;
  /** As Juju prints it, for `-r`. */
  readonly idString: RelationIdString;
}

/** `app/N` parsed. */
export interface UnitRef {
  readonly name: string;
  readonly app: string;
  readonly number: number;
}

export type RelationHookKind = 'relation-created' | 'relation-joined' | 'relation-changed' | 'relation-departed' | 'relation-broken';
export type SecretHookKind = 'secret-changed' | 'secret-rotate' | 'secret-remove' | 'secret-expired';
export type StorageHookKind = 'storage-attached' | 'storage-detaching';
export type PebbleHookKind = 'pebble-ready' | 'pebble-custom-notice' | 'pebble-check-failed' | 'pebble-check-recovered';
export type PlainHookKind =
  | 'install' | 'config-changed' | 'start' | 'stop' | 'remove' | 'update-status' | 'upgrade-charm'
  | 'leader-elected' | 'leader-settings-changed' | 'pre-series-upgrade' | 'post-series-upgrade'
  | 'collect-metrics' | 'meter-status-changed';
/**
 * What kind of hook runs (contract §1.3). Endpoint-, storage- and container-qualified hooks
 * are classified without their prefix (`db-relation-changed` → `relation-changed`); the prefix
 * is in `relation.endpoint` / `storage` / `workloadName`. A hook name Juju may add later is
 * `other` rather than an error, so an old charm keeps working on a newer Juju.
 */
export type HookKind = PlainHookKind | RelationHookKind | SecretHookKind | StorageHookKind | PebbleHookKind | 'action' | 'other';

const PLAIN_HOOKS: ReadonlySet<string> = new Set<PlainHookKind>([
  'install', 'config-changed', 'start', 'stop', 'remove', 'update-status', 'upgrade-charm',
  'leader-elected', 'leader-settings-changed', 'pre-series-upgrade', 'post-series-upgrade',
  'collect-metrics', 'meter-status-changed',
]);
const SECRET_HOOKS: ReadonlySet<string> = new Set<SecretHookKind>(['secret-changed', 'secret-rotate', 'secret-remove', 'secret-expired']);

/** Classify a hook name (not an action) and return its prefix (endpoint/storage/container). */
export function classifyHook(name: string): { kind: HookKind; prefix?: string } {
  if (PLAIN_HOOKS.has(name)) return { kind: name as PlainHookKind };
  if (SECRET_HOOKS.has(name)) return { kind: name as SecretHookKind };
  const rel = /^(.+)-relation-(created|joined|changed|departed|broken)$/.exec(name);
  if (rel?.[1]) return { kind: `relation-${rel[2]}` as RelationHookKind, prefix: rel[1] };
  const st = /^(.+)-storage-(attached|detaching)$/.exec(name);
  if (st?.[1]) return { kind: `storage-${st[2]}` as StorageHookKind, prefix: st[1] };
  const pb = /^(.+)-pebble-(ready|custom-notice|check-failed|check-recovered)$/.exec(name);
  if (pb?.[1]) return { kind: `pebble-${pb[2]}` as PebbleHookKind, prefix: pb[1] };
  return { kind: 'other' };
}

/** Parse `<endpoint>:<n>`; null when malformed. */
export function parseRelationId(text: string): RelationRef | null {
  const at = text.lastIndexOf(':');
  if (at <= 0) return null;
  const endpoint = text.slice(0, at);
  const digits = text.slice(at + 1);
  if (!/^\d+$/.test(digits)) return null;
  const id = Number(digits);
  return { endpoint, id, idString: `${endpoint}:${id}` as RelationIdString };
}

/** Parse `app/N`; null when malformed. */
export function parseUnitName(text: string): UnitRef | null {
  const m = /^([a-z][a-z0-9-]*)\/(\d+)$/.exec(text);
  if (!m?.[1]) return null;
  return { name: text, app: m[1], number: Number(m[2]) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface SecretHookInfo {
  /** JUJU_SECRET_ID: `secret:<id>` or `secret://<model-uuid>/<id>` (cross-model). Opaque. */
  readonly id: string;
  /** JUJU_SECRET_LABEL: the owner label (owner hooks) or this unit's consumer label; '' if none. */
  readonly label: string;
  /** JUJU_SECRET_REVISION: set for secret-expired and secret-remove (exported only when > 0). */
  readonly revision?: number;
}

export interface ActionInfo {
  /** JUJU_ACTION_NAME */
  readonly name: string;
  /** JUJU_ACTION_UUID (a numeric string like `2` in 3.x). */
  readonly id: string;
  /** JUJU_ACTION_TAG (`action-<id>`), '' when absent. */
  readonly tag: string;
}

export interface StorageInfo {
  /** JUJU_STORAGE_ID: `<name>/<n>` */
  readonly id: string;
  /** The storage name from the hook name (`data` in `data-storage-attached`). */
  readonly name: string;
  /** JUJU_STORAGE_LOCATION */
  readonly location: string;
  /** JUJU_STORAGE_KIND: `block` | `filesystem` ('' when absent). */
  readonly kind: string;
}

/** Every field of a HookContext, for the constructor and `forTest`. */
export interface HookContextFields {
  readonly dispatchPath: string;
  readonly name: string;
  readonly kind: HookKind;
  readonly unit: UnitRef;
  readonly modelName: string;
  readonly modelUuid: string;
  readonly jujuVersion: string;
  readonly charmDir: string;
  readonly machineId: string;
  readonly principalUnit: string;
  readonly availabilityZone: string;
  readonly apiAddresses: readonly string[];
  readonly relation?: RelationRef;
  readonly remoteApp?: string;
  readonly remoteUnit?: string;
  readonly departingUnit?: string;
  readonly secret?: SecretHookInfo;
  readonly action?: ActionInfo;
  readonly storage?: StorageInfo;
  readonly workloadName?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export class HookContext implements HookContextFields {
  /** JUJU_DISPATCH_PATH: `hooks/<name>` or `actions/<name>` (fallback: argv[0] as `hooks/<name>`). */
  readonly dispatchPath: string;
  /** The hook name (`db-relation-changed`) or, for an action, the action name (JUJU_HOOK_NAME is empty for actions). */
  readonly name: string;
  /** What kind of hook this is, from the dispatch path (see HookKind). */
  readonly kind: HookKind;
  /** JUJU_UNIT_NAME, parsed: `myapp/0` → app `myapp`, number 0. */
  readonly unit: UnitRef;
  /** JUJU_MODEL_NAME */
  readonly modelName: string;
  /** JUJU_MODEL_UUID */
  readonly modelUuid: string;
  /** JUJU_VERSION, raw (parse with JujuVersion). */
  readonly jujuVersion: string;
  /** JUJU_CHARM_DIR (legacy CHARM_DIR), '' when unset. */
  readonly charmDir: string;
  /** JUJU_MACHINE_ID, '' on K8s. */
  readonly machineId: string;
  /** JUJU_PRINCIPAL_UNIT, '' unless this unit is a subordinate. */
  readonly principalUnit: string;
  /** JUJU_AVAILABILITY_ZONE, may be ''. */
  readonly availabilityZone: string;
  /** JUJU_API_ADDRESSES, split on spaces. */
  readonly apiAddresses: readonly string[];
  /** JUJU_RELATION_ID (+ JUJU_RELATION) in relation hooks. */
  readonly relation?: RelationRef;
  /** JUJU_REMOTE_APP, falling back to the app of JUJU_REMOTE_UNIT (contract §1.2). */
  readonly remoteApp?: string;
  /** JUJU_REMOTE_UNIT, absent when empty (relation-created/-broken, app-bag changes). */
  readonly remoteUnit?: string;
  /** JUJU_DEPARTING_UNIT in relation-departed (may be this unit). */
  readonly departingUnit?: string;
  /** JUJU_SECRET_ID / JUJU_SECRET_LABEL / JUJU_SECRET_REVISION in secret hooks. */
  readonly secret?: SecretHookInfo;
  /** JUJU_ACTION_NAME / JUJU_ACTION_UUID / JUJU_ACTION_TAG in actions. */
  readonly action?: ActionInfo;
  /** JUJU_STORAGE_ID / JUJU_STORAGE_LOCATION / JUJU_STORAGE_KIND in storage hooks. */
  readonly storage?: StorageInfo;
  /** JUJU_WORKLOAD_NAME in pebble hooks (K8s). */
  readonly workloadName?: string;

  private constructor(f: HookContextFields) {
    this.dispatchPath = f.dispatchPath;
    this.name = f.name;
    this.kind = f.kind;
    this.unit = Object.freeze({ ...f.unit });
    this.modelName = f.modelName;
    this.modelUuid = f.modelUuid;
    this.jujuVersion = f.jujuVersion;
    this.charmDir = f.charmDir;
    this.machineId = f.machineId;
    this.principalUnit = f.principalUnit;
    this.availabilityZone = f.availabilityZone;
    this.apiAddresses = Object.freeze([...f.apiAddresses]);
    if (f.relation) this.relation = Object.freeze({ ...f.relation });
    if (f.remoteApp !== undefined) this.remoteApp = f.remoteApp;
    if (f.remoteUnit !== undefined) this.remoteUnit = f.remoteUnit;
    if (f.departingUnit !== undefined) this.departingUnit = f.departingUnit;
    if (f.secret) this.secret = Object.freeze({ ...f.secret });
    if (f.action) this.action = Object.freeze({ ...f.action });
    if (f.storage) this.storage = Object.freeze({ ...f.storage });
    if (f.workloadName !== undefined) this.workloadName = f.workloadName;
    Object.freeze(this);
  }

  /** This unit's application (from JUJU_UNIT_NAME). */
  get appName(): string {
    return this.unit.app;
  }

  get isAction(): boolean {
    return this.kind === 'action';
  }

  /**
   * Strict: read the environment of a real hook. `argv0` is the fallback for the dispatch
   * path when JUJU_DISPATCH_PATH is unset (Juju < 2.8 runs `hooks/<name>` directly).
   */
  static fromEnv(env: Env = process.env, options: { argv0?: string } = {}): HookContext {
    const dispatchPath = resolveDispatchPath(env, options.argv0);
    const slash = dispatchPath.indexOf('/');
    const dir = dispatchPath.slice(0, slash);
    const name = dispatchPath.slice(slash + 1);
    const isAction = dir === 'actions';

    // Contract §1.2: ops' required set. JUJU_VERSION was historically missing in meter-status
    // hooks, so we tolerate that one case.
    const unitText = required(env, 'JUJU_UNIT_NAME');
    const unit = parseUnitName(unitText);
    if (!unit) throw new HookContextError('JUJU_UNIT_NAME', `"${unitText}" is not a unit name (<app>/<n>)`);
    const modelName = required(env, 'JUJU_MODEL_NAME');
    const modelUuid = required(env, 'JUJU_MODEL_UUID');
    if (!UUID.test(modelUuid)) throw new HookContextError('JUJU_MODEL_UUID', `"${modelUuid}" is not a model UUID`);
    const jujuVersion = name === 'meter-status-changed' ? (env.JUJU_VERSION ?? '') : required(env, 'JUJU_VERSION');
    if (jujuVersion !== '') {
      try {
        JujuVersion.parse(jujuVersion);
      } catch {
        throw new HookContextError('JUJU_VERSION', `"${jujuVersion}" is not a Juju version`);
      }
    }

    const { kind, prefix } = isAction ? { kind: 'action' as const, prefix: undefined } : classifyHook(name);
    const hookName = env.JUJU_HOOK_NAME ?? '';
    if (!isAction && hookName !== '' && hookName !== name) {
      throw new HookContextError('JUJU_HOOK_NAME', `"${hookName}" does not match JUJU_DISPATCH_PATH "${dispatchPath}"`);
    }

    const common = {
      dispatchPath, name, kind, unit, modelName, modelUuid, jujuVersion,
      charmDir: env.JUJU_CHARM_DIR || env.CHARM_DIR || '',
      machineId: env.JUJU_MACHINE_ID ?? '',
      principalUnit: env.JUJU_PRINCIPAL_UNIT ?? '',
      availabilityZone: env.JUJU_AVAILABILITY_ZONE ?? '',
      apiAddresses: (env.JUJU_API_ADDRESSES ?? '').split(' ').filter(Boolean),
    };
    return new HookContext({ ...common, ...kindFields(env, kind, prefix, name) });
  }

  /** Lenient, for tests: defaults for everything (`install` on `app/0`), nothing checked. */
  static forTest(fields: Partial<HookContextFields> & { unitName?: string } = {}): HookContext {
    const unitName = fields.unitName ?? fields.unit?.name ?? 'app/0';
    const unit = fields.unit ?? parseUnitName(unitName) ?? { name: unitName, app: unitName.split('/')[0] ?? unitName, number: 0 };
    const name = fields.name ?? (fields.dispatchPath ? fields.dispatchPath.slice(fields.dispatchPath.indexOf('/') + 1) : 'install');
    const isAction = fields.dispatchPath?.startsWith('actions/') ?? fields.kind === 'action';
    const dispatchPath = fields.dispatchPath ?? `${isAction ? 'actions' : 'hooks'}/${name}`;
    return new HookContext({
      modelName: 'test-model',
      modelUuid: '00000000-0000-4000-8000-000000000000',
      jujuVersion: '3.6.1',
      charmDir: '',
      machineId: '0',
      principalUnit: '',
      availabilityZone: '',
      apiAddresses: [],
      ...fields,
      dispatchPath,
      name,
      kind: fields.kind ?? (isAction ? 'action' : classifyHook(name).kind),
      unit,
    });
  }
}

function required(env: Env, variable: string): string {
  const value = env[variable];
  if (value === undefined || value === '') throw new HookContextError(variable, 'not set');
  return value;
}

/**
 * JUJU_DISPATCH_PATH; else `hooks/<name>` from argv0 when it lives in a `hooks/` (or
 * `actions/`) dir (Juju < 2.8 runs `hooks/<name>` directly, contract §1.1); else, as a last
 * resort, JUJU_HOOK_NAME / JUJU_ACTION_NAME, which every Juju sets.
 */
function resolveDispatchPath(env: Env, argv0: string | undefined): string {
  const fromEnv = env.JUJU_DISPATCH_PATH ?? '';
  const parent = argv0 ? basename(dirname(argv0)) : '';
  const fromArgv = argv0 && (parent === 'hooks' || parent === 'actions') ? `${parent}/${basename(argv0)}` : '';
  const fromName = env.JUJU_HOOK_NAME ? `hooks/${env.JUJU_HOOK_NAME}` : env.JUJU_ACTION_NAME ? `actions/${env.JUJU_ACTION_NAME}` : '';
  const candidate = fromEnv || fromArgv || fromName;
  if (candidate === '') throw new HookContextError('JUJU_DISPATCH_PATH', 'not set (and the process was not started as hooks/<name>)');
  if (!/^(hooks|actions)\/[^/]+$/.test(candidate)) throw new HookContextError('JUJU_DISPATCH_PATH', `"${candidate}" is not hooks/<name> or actions/<name>`);
  return candidate;
}

function unitVar(env: Env, variable: string): string | undefined {
  const value = env[variable] ?? '';
  if (value === '') return undefined;
  if (!parseUnitName(value)) throw new HookContextError(variable, `"${value}" is not a unit name (<app>/<n>)`);
  return value;
}

/** The per-kind variables of contract §1.2, checked. */
function kindFields(env: Env, kind: HookKind, prefix: string | undefined, name: string): Partial<HookContextFields> {
  if (kind.startsWith('relation-')) {
    const idText = required(env, 'JUJU_RELATION_ID');
    const relation = parseRelationId(idText);
    if (!relation) throw new HookContextError('JUJU_RELATION_ID', `"${idText}" is not <endpoint>:<n>`);
    const endpoint = env.JUJU_RELATION || relation.endpoint;
    if (endpoint !== prefix) throw new HookContextError('JUJU_RELATION', `"${endpoint}" does not match hook "${name}"`);
    const remoteUnit = unitVar(env, 'JUJU_REMOTE_UNIT');
    if ((kind === 'relation-joined' || kind === 'relation-departed') && remoteUnit === undefined) throw new HookContextError('JUJU_REMOTE_UNIT', `not set (required in ${kind})`);
    // Contract §1.2: fall back to the remote unit's app when JUJU_REMOTE_APP is empty.
    const remoteApp = env.JUJU_REMOTE_APP || (remoteUnit ? remoteUnit.split('/')[0] : undefined);
    if (remoteApp === undefined) throw new HookContextError('JUJU_REMOTE_APP', `not set (required in ${kind})`);
    const departingUnit = unitVar(env, 'JUJU_DEPARTING_UNIT');
    if (kind === 'relation-departed' && departingUnit === undefined) throw new HookContextError('JUJU_DEPARTING_UNIT', 'not set (required in relation-departed)');
    return { relation: { ...relation, endpoint }, remoteApp, remoteUnit, departingUnit };
  }
  if (kind.startsWith('secret-')) {
    const id = required(env, 'JUJU_SECRET_ID');
    if (!id.startsWith('secret:')) throw new HookContextError('JUJU_SECRET_ID', `"${id}" is not a secret URI`);
    const secret: SecretHookInfo = { id, label: env.JUJU_SECRET_LABEL ?? '' };
    if (kind === 'secret-expired' || kind === 'secret-remove') {
      const text = required(env, 'JUJU_SECRET_REVISION');
      if (!/^[1-9]\d*$/.test(text)) throw new HookContextError('JUJU_SECRET_REVISION', `"${text}" is not a positive revision`);
      return { secret: { ...secret, revision: Number(text) } };
    }
    return { secret };
  }
  if (kind === 'action') {
    const actionName = required(env, 'JUJU_ACTION_NAME');
    if (actionName !== name) throw new HookContextError('JUJU_ACTION_NAME', `"${actionName}" does not match JUJU_DISPATCH_PATH "actions/${name}"`);
    return { action: { name: actionName, id: required(env, 'JUJU_ACTION_UUID'), tag: env.JUJU_ACTION_TAG ?? '' } };
  }
  if (kind.startsWith('storage-')) {
    return { storage: { id: required(env, 'JUJU_STORAGE_ID'), name: prefix ?? '', location: env.JUJU_STORAGE_LOCATION ?? '', kind: env.JUJU_STORAGE_KIND ?? '' } };
  }
  if (kind.startsWith('pebble-')) return { workloadName: required(env, 'JUJU_WORKLOAD_NAME') };
  return {};
}
