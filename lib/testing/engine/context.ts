/**
 * One open hook context: the transaction of contract §0.4. Buffered writes (relation-set,
 * state-*, ports, secret writes, action-set/fail) live here until `commit`; immediate ones
 * (status-set, juju-log, leader-set, application-version-set, action-log) go straight to the
 * world. Reads see this hook's own buffered writes; other units' bags are snapshotted on first
 * read. Every method is what one hook tool needs; argv parsing lives in ../tools.
 */
import { runtimeError, usageError } from './errors.ts';
import { notifyAppBagChange, notifyLeaderSettings, notifyUnitBagChange } from './lifecycle.ts';
import { SecretBuffer, type SecretMeta, type SecretOp } from './secret-buffer.ts';
import { canRead, notifyObsolete, ownedBy, parseSecretRef, secretUri, validateContent } from './secrets.ts';
import type { ActionState, AppState, Bag, PortEntry, QueuedHook, RelationState, SecretState, UnitState } from './state.ts';
import type { Personality } from './version.ts';
import { appKey, unitKey, type World } from './world.ts';

export type { SecretMeta } from './secret-buffer.ts';

export interface SecretInfoView {
  id: string; revision: number; label: string; owner: 'application' | 'unit';
  description?: string; rotation?: string; expiry?: string; rotates?: string;
  access?: Array<{ target: string; scope: string; role: string }>;
}

export class HookContext {
  readonly id: string;
  readonly model: string;
  readonly unitName: string;
  readonly unitKey: string;
  readonly appName: string;
  readonly name: string;
  readonly kind: 'hook' | 'action';
  readonly hook: QueuedHook | undefined;
  /** `juju exec` contexts: a failure does not put the unit in error. */
  readonly adhoc: boolean;
  readonly p: Personality;
  private readonly world: World;
  private readonly relWrites = new Map<string, Bag>();
  private readonly stateWrites = new Map<string, string | null>();
  private readonly portOps: Array<{ open: boolean; entry: PortEntry }> = [];
  private readonly secretOps = new SecretBuffer();
  private readonly snapshots = new Map<string, Bag>();
  private actionResults: Record<string, unknown> = {};
  private actionFailed: string | undefined;
  private notLeader = false;

  constructor(world: World, id: string, model: string, unit: string, name: string, kind: 'hook' | 'action', hook: QueuedHook | undefined, adhoc: boolean) {
    this.world = world;
    this.id = id;
    this.model = model;
    this.unitName = unit;
    this.unitKey = unitKey(model, unit);
    this.appName = unit.slice(0, unit.lastIndexOf('/'));
    this.name = name;
    this.kind = kind;
    this.hook = hook;
    this.adhoc = adhoc;
    this.p = world.personality(model);
  }

  get unit(): UnitState { return this.world.unit(this.model, this.unitName); }
  get app(): AppState { return this.world.app(this.model, this.appName); }
  now(): number { return this.world.now(); }

  // ---- relations (contract §2.1–2.6) ----------------------------------------------------------
  /** The current hook's relation id in this model, if any. */
  currentRelationId(): number | undefined {
    const rel = this.hook?.relation ? this.world.state.relations[this.hook.relation] : undefined;
    return rel?.ids[this.model];
  }
  currentEndpoint(): string | undefined {
    const rel = this.hook?.relation ? this.world.state.relations[this.hook.relation] : undefined;
    return rel ? this.world.localEnd(rel, this.model, this.appName)?.endpoint : undefined;
  }
  /** Remote unit / app of the current relation hook, as seen from this model. */
  currentRemoteUnit(): string | undefined {
    const rel = this.hook?.relation ? this.world.state.relations[this.hook.relation] : undefined;
    return rel && this.hook?.remoteUnit ? this.world.unitNameFrom(rel, this.hook.remoteUnit, this.model) : undefined;
  }
  currentRemoteApp(): string | undefined {
    const rel = this.hook?.relation ? this.world.state.relations[this.hook.relation] : undefined;
    return rel ? this.world.appNameFrom(this.world.remoteEnd(rel, this.model, this.appName), this.model) : undefined;
  }

  private visible(rel: RelationState): boolean {
    if (!this.world.localEnd(rel, this.model, this.appName)) return false;
    const view = rel.views[this.unitKey];
    if (rel.key === this.hook?.relation) return true;
    return view !== undefined && !view.broken;
  }

  /** `relation-ids`: live relations of the endpoint this unit has entered (§2.1). */
  relationIds(endpoint: string): string[] {
    const out: Array<[number, string]> = [];
    for (const rel of Object.values(this.world.state.relations)) {
      const local = this.world.localEnd(rel, this.model, this.appName);
      if (!local || local.endpoint !== endpoint) continue;
      const view = rel.views[this.unitKey];
      const current = rel.key === this.hook?.relation && this.hook.name.endsWith('-relation-created');
      if (!(view && !view.broken) && !current) continue;
      out.push([rel.ids[this.model]!, `${endpoint}:${rel.ids[this.model]}`]);
    }
    return out.sort((a, b) => a[0] - b[0]).map((x) => x[1]);
  }

  /** Resolve the text of `-r` (§2: `N` or `<anything>:N`); errors are flag errors (exit 2). */
  parseRelationId(text: string): number {
    const tail = text.slice(text.lastIndexOf(':') + 1);
    if (!/^-?\d+$/.test(tail)) throw usageError('invalid relation id');
    const id = Number(tail);
    const rel = this.world.relationById(this.model, id);
    if (!rel || !this.visible(rel)) throw usageError('relation not found');
    return id;
  }

  private rel(id: number): RelationState {
    const rel = this.world.relationById(this.model, id);
    if (!rel || !this.visible(rel)) throw usageError('relation not found');
    return rel;
  }
  endpointOf(id: number): string { return this.world.localEnd(this.rel(id), this.model, this.appName)!.endpoint; }
  isPeer(id: number): boolean { return this.rel(id).peer; }

  /** `relation-list`: remote units whose -joined started and -departed did not (§2.2). */
  relationList(id: number): string[] {
    const rel = this.rel(id);
    const view = rel.views[this.unitKey];
    const names = (view?.remotes ?? []).map((k) => this.world.unitNameFrom(rel, k, this.model));
    return names.sort(compareUnitNames);
  }
  relationApp(id: number): string {
    const rel = this.rel(id);
    return this.world.appNameFrom(this.world.remoteEnd(rel, this.model, this.appName), this.model);
  }
  relationModelUuid(id: number): string {
    const rel = this.rel(id);
    return this.world.model(this.world.remoteEnd(rel, this.model, this.appName).model).uuid;
  }

  /** Map a unit name as seen from this model to its key in the relation, or undefined. */
  private unitInRelation(rel: RelationState, name: string): string | undefined {
    const slash = name.lastIndexOf('/');
    const app = name.slice(0, slash);
    const n = name.slice(slash + 1);
    for (const end of rel.ends) {
      if (this.world.appNameFrom(end, this.model) === app) return `${end.model}/${end.app}/${n}`;
    }
    return undefined;
  }
  private appInRelation(rel: RelationState, name: string): string | undefined {
    for (const end of rel.ends) if (this.world.appNameFrom(end, this.model) === name) return appKey(end.model, end.app);
    return undefined;
  }

  private snapshot(rel: RelationState, bagKey: string): Bag {
    const k = `${rel.key}|${bagKey}`;
    let s = this.snapshots.get(k);
    if (!s) {
      s = { ...(rel.bags[bagKey] ?? {}) };
      this.snapshots.set(k, s);
    }
    return s;
  }
  private withPending(rel: RelationState, bagKey: string): Bag {
    const out: Bag = { ...(rel.bags[bagKey] ?? {}) };
    for (const [k, v] of Object.entries(this.relWrites.get(`${rel.key}|${bagKey}`) ?? {})) {
      if (v === '') delete out[k];
      else out[k] = v;
    }
    return out;
  }

  /** `relation-get` of a unit bag (§2.3). */
  relationGetUnit(id: number, unitName: string): Bag {
    const rel = this.rel(id);
    const key = this.unitInRelation(rel, unitName);
    if (key === this.unitKey) return this.withPending(rel, key);
    if (!key || rel.bags[key] === undefined) {
      // Contract §2.3 [drift]: exact text unverified; this is the controller's settings lookup error.
      throw runtimeError(`cannot read settings for unit "${unitName}" in relation "${this.endpointOf(id)}:${id}": unit "${unitName}": settings not found`);
    }
    return this.snapshot(rel, key);
  }

  /** `relation-get --app` (§2.3, §2.6). */
  relationGetApp(id: number, appName: string): Bag {
    const rel = this.rel(id);
    const key = this.appInRelation(rel, appName);
    if (!key) throw runtimeError(`cannot read settings for application "${appName}" in relation "${this.endpointOf(id)}:${id}": application "${appName}": settings not found`);
    const bagKey = `app:${key}`;
    if (key === appKey(this.model, this.appName)) {
      if (this.isLeader()) return this.withPending(rel, bagKey);
      if (!rel.peer) throw runtimeError('permission denied');
    }
    return this.snapshot(rel, bagKey);
  }

  /** `relation-set` (§2.4): buffered; `--app` needs leadership. */
  relationSet(id: number, app: boolean, data: Bag): void {
    const rel = this.rel(id);
    if (app && !this.isLeader()) throw runtimeError('cannot write relation settings');
    const bagKey = app ? `app:${appKey(this.model, this.appName)}` : this.unitKey;
    const k = `${rel.key}|${bagKey}`;
    this.relWrites.set(k, { ...(this.relWrites.get(k) ?? {}), ...data });
  }

  // ---- config, leadership, state (§2.7, 2.8, 2.13) ------------------------------------------
  config(): Record<string, string | number | boolean | null> {
    const out: Record<string, string | number | boolean | null> = {};
    for (const k of Object.keys(this.app.charm.config)) out[k] = this.app.config[k] ?? null;
    return out;
  }
  isLeader(): boolean {
    if (this.notLeader) return false;
    const leader = this.app.leader === this.unitName;
    if (!leader) this.notLeader = true; // §2.8: once not leader, stays false for the hook
    return leader;
  }
  leaderGet(): Bag { return { ...this.app.leaderSettings }; }
  /** Immediate (§0.4); triggers leader-settings-changed on the other units. */
  leaderSet(data: Bag): void {
    if (!this.isLeader()) throw runtimeError('cannot write leadership settings: cannot write settings: not the leader');
    const s = this.app.leaderSettings;
    let changed = false;
    for (const [k, v] of Object.entries(data)) {
      if (v === '') { if (k in s) { delete s[k]; changed = true; } } else if (s[k] !== v) { s[k] = v; changed = true; }
    }
    if (changed) notifyLeaderSettings(this.world, this.app);
  }
  stateGet(): Bag {
    const out: Bag = { ...this.unit.state };
    for (const [k, v] of this.stateWrites) { if (v === null) delete out[k]; else out[k] = v; }
    return out;
  }
  stateSet(data: Bag): void {
    for (const [k, v] of Object.entries(data)) {
      if (Buffer.byteLength(k) > 256) throw runtimeError('max allowed key length (256) exceeded');
      if (Buffer.byteLength(v) > 65536) throw runtimeError('max allowed value length (65536) exceeded');
    }
    for (const [k, v] of Object.entries(data)) this.stateWrites.set(k, v);
  }
  stateDelete(key: string): void { this.stateWrites.set(key, null); }

  // ---- status and logs (§2.9, 2.10) ---------------------------------------------------------
  statusSet(application: boolean, status: string, message: string): void {
    const value = { status, message, since: this.now() };
    if (application) {
      if (!this.isLeader()) throw runtimeError('this unit is not the leader');
      this.app.status = value;
    } else {
      this.unit.workload = value;
    }
  }
  unitStatus(): { status: string; message: string } { return { status: this.unit.workload.status, message: this.unit.workload.message }; }
  applicationStatus(): { status: string; message: string; units: Record<string, { status: string; message: string }> } {
    if (!this.isLeader()) throw runtimeError('finding application status: this unit is not the leader');
    const units: Record<string, { status: string; message: string }> = {};
    for (const u of Object.values(this.app.units)) units[u.name] = { status: u.workload.status, message: u.workload.message };
    const derived = this.app.status ?? { status: 'unknown', message: '' };
    return { status: derived.status, message: derived.message, units };
  }
  log(level: string, message: string): void {
    const ep = this.currentEndpoint();
    const prefix = ep !== undefined ? `${ep}:${this.currentRelationId()}: ` : '';
    this.world.log(this.model, this.unitName, level, `unit.${this.unitName}.juju-log`, prefix + message);
  }
  applicationVersionSet(v: string): void { this.app.version = v; }

  // ---- network, ports, unit-get (§2.12, 2.14, 2.15) --------------------------------------------
  bindings(): string[] {
    const c = this.app.charm;
    return [...Object.keys(c.provides), ...Object.keys(c.requires), ...Object.keys(c.peers)];
  }
  address(kind: 'private' | 'public' | 'ingress', relationId?: number): string {
    if (kind === 'ingress' && relationId !== undefined && this.rel(relationId).cmr) return this.unit.publicAddress;
    return kind === 'public' ? this.unit.publicAddress : this.unit.address;
  }
  openPort(open: boolean, entry: PortEntry): void { this.portOps.push({ open, entry }); }
  /** Committed ports only (§0.4: not those opened earlier in this hook). */
  openedPorts(): PortEntry[] { return this.unit.ports.map((p) => ({ ...p })); }

  // ---- actions (§2.11) ----------------------------------------------------------------------------
  private action(): ActionState {
    const id = this.hook?.action;
    const a = id !== undefined ? this.world.model(this.model).actions[id] : undefined;
    if (!a || this.kind !== 'action') throw runtimeError('not running an action');
    return a;
  }
  actionParams(): Record<string, unknown> { return structuredClone(this.action().params); }
  actionSet(path: string[], value: string): void {
    this.action();
    let node = this.actionResults;
    for (const seg of path.slice(0, -1)) {
      const next = node[seg];
      if (typeof next !== 'object' || next === null) node[seg] = {};
      node = node[seg] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
  }
  actionFail(message: string): void { this.action(); this.actionFailed = message; }
  actionLog(message: string): void { this.action().log.push({ time: this.now(), message }); }

  // ---- secrets (§3) -------------------------------------------------------------------------------
  private owned(s: SecretState): boolean { return ownedBy(s, this.unitKey); }

  /** Owner-side label lookup (owner labels incl. pending), then consumer labels (§3.5 item 9). */
  private byLabel(label: string): string | undefined {
    for (const o of this.secretOps.ops) if (o.op === 'add' && o.meta.label === label) return o.id;
    for (const s of Object.values(this.world.state.secrets)) {
      if (!this.owned(s)) continue;
      const l = this.secretOps.pendingMeta(s.id).label ?? s.label;
      if (l === label) return s.id;
    }
    for (const s of Object.values(this.world.state.secrets)) if (s.tracking[this.unitKey]?.label === label) return s.id;
    return undefined;
  }
  private labelTaken(label: string, exceptId?: string): boolean {
    const id = this.byLabel(label);
    return id !== undefined && id !== exceptId;
  }

  /** Resolve `<ID>` and/or `--label` to a bare id (errors of §3.4/§3.5 item 9). */
  resolveSecret(ref: string | undefined, label: string | undefined): string {
    if (ref !== undefined) return parseSecretRef(ref);
    const id = this.byLabel(label!);
    if (id === undefined) throw runtimeError(`consumer label "${label}" not found`);
    return id;
  }
  private existing(id: string, shown: string): SecretState {
    const s = this.world.state.secrets[id];
    if (!s || this.secretOps.removed(id)) throw runtimeError(`secret "${shown}" not found`);
    return s;
  }

  secretAdd(ownerKind: 'application' | 'unit', content: Bag, meta: SecretMeta): string {
    if (ownerKind === 'application' && !this.isLeader()) throw runtimeError('this unit is not the leader');
    validateContent(this.p, content);
    if (meta.label !== undefined && this.secretOps.ops.some((o) => o.op === 'add' && o.meta.label === meta.label)) {
      throw runtimeError(`secret with label "${meta.label}" already exists`);
    }
    const id = this.world.newSecretId();
    this.secretOps.push({ op: 'add', id, ownerKind, content, meta });
    return `secret:${id}`;
  }

  /** `secret-get` with the tracking side effects recorded immediately (§0.4, §3.5). */
  secretGet(id: string, shown: string, opts: { peek: boolean; refresh: boolean; label?: string }): Bag {
    const add = this.secretOps.pendingAdd(id);
    if (add) return { ...this.secretOps.pendingContent(id)! };
    const s = this.existing(id, shown);
    if (!canRead(this.world, s, this.unitKey)) throw runtimeError('permission denied');
    const owner = this.owned(s);
    if (opts.label !== undefined) this.assignLabel(s, owner, opts.label);
    const pending = this.secretOps.pendingContent(id);
    const latest = s.revisions[String(s.latest)]!.content;
    if (owner && !this.p.ownersTrack) return { ...(pending ?? latest) };
    let t = s.tracking[this.unitKey];
    if (!t) {
      t = { revision: s.latest };
      s.tracking[this.unitKey] = t;
    }
    if (opts.peek) return { ...(pending ?? latest) };
    if (opts.refresh) {
      if (t.revision !== s.latest) {
        t.revision = s.latest;
        notifyObsolete(this.world, s);
      }
      // Refreshing onto the revision a pending secret-set creates is deferred to commit (§0.4).
      if (pending) this.secretOps.push({ op: 'track', id });
      return { ...(pending ?? latest) };
    }
    const rev = s.revisions[String(t.revision)] ?? s.revisions[String(s.latest)]!;
    return { ...rev.content };
  }

  private assignLabel(s: SecretState, owner: boolean, label: string): void {
    if (owner) {
      if (this.labelTaken(label, s.id)) throw runtimeError(`secret with label "${label}" already exists`);
      s.label = label;
      return;
    }
    const clash = this.byLabel(label);
    if (clash !== undefined && clash !== s.id) throw runtimeError(`secret with label "${label}" already exists`);
    const t = (s.tracking[this.unitKey] ??= { revision: s.latest });
    t.label = label;
  }

  /** Up-front checks only for secrets this unit/app owns; the rest fails at commit (§3.4 notes). */
  private checkManage(id: string, shown: string): void {
    const s = this.world.state.secrets[id];
    const add = this.secretOps.pendingAdd(id);
    const kind = add?.ownerKind ?? (s && this.owned(s) ? s.ownerKind : undefined);
    if (kind === undefined) {
      if (!s) throw runtimeError(`secret "${shown}" not found`);
      return;
    }
    if (kind === 'application' && !this.isLeader()) throw runtimeError('this unit is not the leader');
  }

  secretSet(id: string, shown: string, content: Bag | undefined, meta: SecretMeta): void {
    this.checkManage(id, shown);
    if (content) validateContent(this.p, content);
    if (meta.label !== undefined && this.labelTaken(meta.label, id)) throw runtimeError(`secret with label "${meta.label}" already exists`);
    const op: SecretOp = { op: 'set', id, meta };
    if (content) op.content = content;
    this.secretOps.push(op);
  }
  secretRemove(id: string, shown: string, revision?: number): void {
    this.checkManage(id, shown);
    const op: SecretOp = { op: 'remove', id };
    if (revision !== undefined) op.revision = revision;
    this.secretOps.push(op);
  }

  /** `secret-grant` checks ownership at once (§3.4). */
  secretGrant(id: string, shown: string, relationId: number, unitName: string | undefined): void {
    const s = this.world.state.secrets[id];
    const kind = this.secretOps.pendingAdd(id)?.ownerKind ?? (s && this.owned(s) ? s.ownerKind : undefined);
    if (kind === undefined) throw runtimeError(`secret "${shown}" not found`);
    if (kind === 'application' && !this.isLeader()) throw runtimeError('this unit is not the leader');
    const rel = this.rel(relationId);
    if (rel.cmr && !this.p.cmrSecrets) {
      // Contract §3.1: cross-model secrets arrived in 3.2 (error text not in the contract).
      throw runtimeError('cross-model secrets are not supported by this Juju version');
    }
    if (rel.cmr && rel.offeringModel !== this.model) {
      // Contract §4.3: only the offering side may grant over a CMR (exact error text not in the contract).
      throw runtimeError('cannot grant secrets across a cross-model relation from the consuming model');
    }
    const remote = this.world.remoteEnd(rel, this.model, this.appName);
    const remoteApp = this.world.appNameFrom(remote, this.model);
    const appTarget = appKey(remote.model, remote.app);
    const grants = [...(s?.grants ?? []), ...this.secretOps.ops.filter((o): o is Extract<SecretOp, { op: 'grant' }> => o.op === 'grant' && o.id === id).map((o) => o.grant)];
    if (unitName !== undefined) {
      if (unitName.slice(0, unitName.lastIndexOf('/')) !== remoteApp) throw usageError(`cannot specify unit "${unitName}" in relation to application "${remoteApp}"`);
      if (grants.some((g) => g.relation === rel.key && g.scope === 'app' && g.target === appTarget)) return; // no-op (§3.4)
      const target = `${remote.model}/${remote.app}/${unitName.slice(unitName.lastIndexOf('/') + 1)}`;
      this.secretOps.push({ op: 'grant', id, grant: { relation: rel.key, target, scope: 'unit' } });
      return;
    }
    if (grants.some((g) => g.relation === rel.key && g.scope === 'unit' && g.target.startsWith(`${appTarget}/`))) {
      throw runtimeError('any unit level grants need to be revoked before granting access to the corresponding application');
    }
    this.secretOps.push({ op: 'grant', id, grant: { relation: rel.key, target: appTarget, scope: 'app' } });
  }

  secretRevoke(id: string, shown: string, by: { relationId?: number; app?: string; unit?: string }): void {
    this.checkManage(id, shown);
    if (by.relationId !== undefined) {
      const rel = this.rel(by.relationId);
      const remote = this.world.remoteEnd(rel, this.model, this.appName);
      this.secretOps.push({ op: 'revoke', id, relation: rel.key, target: appKey(remote.model, remote.app) });
      return;
    }
    const target = by.app !== undefined ? this.appKeyByName(by.app) : this.unitKeyByName(by.unit!);
    this.secretOps.push({ op: 'revoke', id, target });
  }
  /** Application name as seen from this model → app key (local apps, SAAS or remote tokens). */
  private appKeyByName(name: string): string {
    for (const rel of this.world.relationsOfApp(this.model, this.appName)) {
      const remote = this.world.remoteEnd(rel, this.model, this.appName);
      if (this.world.appNameFrom(remote, this.model) === name) return appKey(remote.model, remote.app);
    }
    return appKey(this.model, name);
  }
  private unitKeyByName(name: string): string {
    const slash = name.lastIndexOf('/');
    return `${this.appKeyByName(name.slice(0, slash))}/${name.slice(slash + 1)}`;
  }

  /** Bare ids owned by this unit or its app, including this hook's adds (§3.4). */
  secretIds(): string[] {
    const ids = Object.values(this.world.state.secrets).filter((s) => this.owned(s) && !this.secretOps.removed(s.id)).map((s) => s.id);
    for (const o of this.secretOps.ops) if (o.op === 'add' && !this.secretOps.removed(o.id)) ids.push(o.id);
    return ids;
  }

  secretInfo(id: string, shown: string): SecretInfoView {
    const add = this.secretOps.pendingAdd(id);
    const s = this.world.state.secrets[id];
    if ((!add && (!s || !this.owned(s))) || this.secretOps.removed(id)) throw runtimeError(`secret "${shown}" not found`);
    const meta = this.secretOps.pendingMeta(id);
    const view: SecretInfoView = {
      id, revision: s?.latest ?? 1, label: meta.label ?? s?.label ?? '',
      owner: add?.ownerKind ?? s!.ownerKind,
    };
    const description = meta.description ?? s?.description;
    if (description) view.description = description;
    const rotation = meta.rotate ?? s?.rotate;
    if (rotation && rotation !== 'never') view.rotation = rotation;
    const expire = meta.expire ?? s?.revisions[String(s.latest)]?.expire;
    if (expire !== undefined) view.expiry = goTime(expire);
    if (s?.nextRotate !== undefined && rotation && rotation !== 'never') view.rotates = goTime(s.nextRotate);
    const access = (s?.grants ?? []).map((g) => {
      const rel = this.world.state.relations[g.relation];
      const end = rel ? this.world.localEnd(rel, this.model, this.appName) : undefined;
      const name = g.scope === 'app' ? `application-${this.nameFrom(g.target, rel)}` : `unit-${this.nameFrom(g.target, rel).replace('/', '-')}`;
      return { target: name, scope: `relation-${end?.endpoint ?? 'unknown'}.${rel?.ids[this.model] ?? ''}`, role: 'view' };
    });
    if (access.length) view.access = access;
    return view;
  }
  private nameFrom(key: string, rel: RelationState | undefined): string {
    const parts = key.split('/');
    if (parts.length === 3) return rel ? this.world.unitNameFrom(rel, key, this.model) : `${parts[1]}/${parts[2]}`;
    if (!rel) return parts[1]!;
    const end = rel.ends.find((e) => appKey(e.model, e.app) === key);
    return end ? this.world.appNameFrom(end, this.model) : parts[1]!;
  }

  // ---- commit ---------------------------------------------------------------------------------
  /** Apply buffered writes (exit 0). Throws ToolError when a commit-time check fails (§0.4). */
  commit(): void {
    const secrets = this.secretOps.prepare(this.world, {
      model: this.model, unitKey: this.unitKey, personality: this.p, isLeader: this.app.leader === this.unitName, now: this.now(),
    });
    const unit = this.unit;
    // relation data
    const relChanges: Array<[RelationState, boolean]> = [];
    for (const [k, data] of this.relWrites) {
      const [relKey, bagKey] = [k.slice(0, k.indexOf('|')), k.slice(k.indexOf('|') + 1)];
      const rel = this.world.state.relations[relKey];
      if (!rel) continue;
      const bag = (rel.bags[bagKey] ??= {});
      let changed = false;
      for (const [key, v] of Object.entries(data)) {
        if (v === '') { if (key in bag) { delete bag[key]; changed = true; } } else if (bag[key] !== v) { bag[key] = v; changed = true; }
      }
      if (changed && rel.life === 'alive') relChanges.push([rel, bagKey.startsWith('app:')]);
    }
    for (const [k, v] of this.stateWrites) { if (v === null) delete unit.state[k]; else unit.state[k] = v; }
    for (const { open, entry } of this.portOps) {
      const same = (p: PortEntry): boolean => p.endpoint === entry.endpoint && p.protocol === entry.protocol && p.from === entry.from && p.to === entry.to;
      unit.ports = unit.ports.filter((p) => !same(p));
      if (open) unit.ports.push(entry);
    }
    if (this.kind === 'action') {
      const a = this.action();
      a.results = { ...a.results, ...this.actionResults };
      if (this.actionFailed !== undefined) { a.status = 'failed'; a.message = this.actionFailed; }
    }
    for (const [rel, app] of relChanges) {
      if (app) notifyAppBagChange(this.world, rel, this.unitKey);
      else notifyUnitBagChange(this.world, rel, this.unitKey);
    }
    this.secretOps.apply(this.world, secrets, this.unitKey);
  }

  /** What a unit in this context sees as the URI of a secret (JUJU_SECRET_ID form). */
  uriOf(id: string): string {
    const s = this.world.state.secrets[id];
    return s ? secretUri(this.world, s, this.model) : `secret:${id}`;
  }

}

/** RFC 3339 as Go prints a UTC time.Time (no fractional seconds when zero). */
function goTime(t: number): string {
  return new Date(t).toISOString().replace(/\.000Z$/, 'Z');
}

/** `app/2` < `app/10`: by app name, then unit number. */
export function compareUnitNames(a: string, b: string): number {
  const [an, bn] = [a.slice(0, a.lastIndexOf('/')), b.slice(0, b.lastIndexOf('/'))];
  if (an !== bn) return an < bn ? -1 : 1;
  return Number(a.slice(a.lastIndexOf('/') + 1)) - Number(b.slice(b.lastIndexOf('/') + 1));
}

