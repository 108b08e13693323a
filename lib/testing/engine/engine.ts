/**
 * SimEngine: the operator verbs (what `juju ...` does), the unit agents' hook queues and the
 * hook transactions, behind the `Engine` facade of api.ts. Pure: no I/O; clock and randomness
 * are injected (EngineOptions).
 */
import { runHookTool, toolAvailable, type ToolIO } from '../tools/registry.ts';
import type { ToolResult } from '../../juju/types.ts';
import type { AddModelOptions, CharmSpec, DeployOptions, Engine, EngineOptions, HookInvocation, HookOutcome } from './api.ts';
import { actionParams, coerceConfig, defaultConfig } from './config.ts';
import { HookContext } from './context.ts';
import { MinHeap } from './heap.ts';
import { hookEnv } from './env.ts';
import { OperatorError, ToolError } from './errors.ts';
import { collectDeadRelations, createRelation, electLeader, onRelationHookStart, queueCreated, removeRelation, resumeRelation, suspendRelation, teardownUnit } from './lifecycle.ts';
import { resolveEndpoints, parseOfferUrl } from './endpoints.ts';
import { prngNext, remoteToken, uuid } from './random.ts';
import { fireDueSecretHooks, notifyObsolete } from './secrets.ts';
import type { AppState, QueuedHook, RelationEnd, RelationState, UnitState, WorldState } from './state.ts';
import { DEFAULT_AGENT_VERSION, parseVersion } from './version.ts';
import * as views from './views.ts';
import { appKey, emptyWorld, splitUnitKey, unitKey, World } from './world.ts';

const UPDATE_STATUS_INTERVAL = 5 * 60e3;
/** The tool-call and debug logs keep the most recent entries only (state stays small). */
const MAX_RECORDS = 50_000;
const INSTALLING = { status: 'maintenance', message: 'installing charm software' } as const;
const NAME_RE = /^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$/;

export class SimEngine implements Engine {
  readonly world: World;
  private readonly contexts = new Map<string, HookContext>();

  constructor(state: WorldState, options: EngineOptions = {}) {
    this.world = new World(state, options);
    this.world.onQueueChange = (u) => { this.dirty.add(u); };
    for (const [, u] of this.units()) this.dirty.add(u);
  }

  // ---- models --------------------------------------------------------------------------------
  addModel(name: string, options: AddModelOptions = {}): { name: string; uuid: string; version: string } {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new OperatorError(`"${name}" is not a valid name: model names may only contain lowercase letters, digits and hyphens`);
    if (this.world.state.models[name]) throw new OperatorError(`model "${name}" already exists`);
    const version = options.agentVersion ?? DEFAULT_AGENT_VERSION;
    parseVersion(version);
    const now = this.world.now();
    this.world.state.models[name] = {
      name, uuid: uuid(this.world.random), version, retryHooks: options.automaticallyRetryHooks ?? true, index: ++this.world.state.modelSeq,
      relationSeq: 0, actionSeq: 0, addressSeq: 0, apps: {}, offers: {}, saas: {}, remoteApps: {}, actions: {}, created: now,
    };
    if (this.world.state.lastUpdateStatus === 0) this.world.state.lastUpdateStatus = now;
    return { name, uuid: this.world.state.models[name]!.uuid, version };
  }
  models(): Array<{ name: string; uuid: string; version: string }> {
    return Object.values(this.world.state.models).map((m) => ({ name: m.name, uuid: m.uuid, version: m.version }));
  }

  // ---- applications and units ---------------------------------------------------------------------
  deploy(model: string, charm: CharmSpec, app: string = charm.name, options: DeployOptions = {}): void {
    const m = this.world.model(model);
    if (!NAME_RE.test(app)) throw new OperatorError(`invalid application name "${app}"`);
    if (m.apps[app] || m.saas[app]) throw new OperatorError(`cannot add application "${app}": application already exists`);
    const config = defaultConfig(charm);
    for (const [k, v] of Object.entries(options.config ?? {})) config[k] = coerceConfig(charm, k, v);
    m.apps[app] = {
      name: app, charm: structuredClone(charm), config, leader: null, leaderSettings: {}, nextUnit: 0,
      units: {}, status: null, version: '', life: 'alive',
    };
    for (const [endpoint, spec] of Object.entries(charm.peers)) {
      createRelation(this.world, [{ model, app, endpoint, role: 'peer', seenAs: app }], spec.interface, { peer: true });
    }
    this.addUnit(model, app, options.units ?? 1);
  }

  addUnit(model: string, app: string, count = 1): string[] {
    const m = this.world.model(model);
    const a = this.world.app(model, app);
    if (a.life !== 'alive') throw new OperatorError(`application "${app}" is not alive`);
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      const n = a.nextUnit++;
      const seq = m.addressSeq++;
      const name = `${app}/${n}`;
      const now = this.world.now();
      const unit: UnitState = {
        name, number: n, machine: String(seq),
        // Deterministic 10.<model>.<x>.<y> addresses (setUnitAddress overrides them).
        address: `10.${m.index % 256}.${Math.floor(seq / 250) % 256}.${(seq % 250) + 2}`,
        publicAddress: `10.${(m.index % 256) + 128}.${Math.floor(seq / 250) % 256}.${(seq % 250) + 2}`,
        life: 'alive', workload: { status: 'waiting', message: 'waiting for machine', since: now },
        agent: { status: 'allocating', message: '', since: now }, installed: false, state: {}, ports: [], queue: [],
      };
      a.units[name] = unit;
      this.unitIndex = undefined;
      names.push(name);
      this.world.enqueue(unit, { name: 'install', kind: 'hook' });
      const rels = this.world.relationsOfApp(model, app).filter((r) => r.life === 'alive')
        .sort((x, y) => Number(y.peer) - Number(x.peer) || x.ids[model]! - y.ids[model]!);
      for (const rel of rels) queueCreated(this.world, rel, model, unit);
      if (a.leader === null) {
        a.leader = name;
        this.world.enqueue(unit, { name: 'leader-elected', kind: 'hook' });
      } else {
        this.world.enqueue(unit, { name: 'leader-settings-changed', kind: 'hook' });
      }
      this.world.enqueue(unit, { name: 'config-changed', kind: 'hook' });
      this.world.enqueue(unit, { name: 'start', kind: 'hook' });
    }
    return names;
  }

  /** Override a unit's private (and optionally public) address; documented test hook. */
  setUnitAddress(model: string, unit: string, address: string, publicAddress: string = address): void {
    const u = this.world.unit(model, unit);
    u.address = address;
    u.publicAddress = publicAddress;
  }

  removeUnit(model: string, unit: string): void {
    const a = this.world.app(model, unit.slice(0, unit.lastIndexOf('/')));
    teardownUnit(this.world, model, a, this.world.unit(model, unit));
  }

  removeApplication(model: string, app: string): void {
    const a = this.world.app(model, app);
    a.life = 'dying';
    for (const u of Object.values(a.units)) teardownUnit(this.world, model, a, u);
    for (const rel of this.world.relationsOfApp(model, app)) {
      if (rel.peer || rel.life !== 'alive') continue;
      rel.life = 'dying';
      for (const s of Object.values(this.world.state.secrets)) s.grants = s.grants.filter((g) => g.relation !== rel.key);
      const remote = this.world.remoteEnd(rel, model, app);
      for (const key of [...rel.scope]) {
        const k = splitUnitKey(key);
        if (k.model !== remote.model || k.app !== remote.app) continue;
        const u = this.world.unitByKey(key);
        if (u) this.world.enqueue(u, { name: `${remote.endpoint}-relation-broken`, kind: 'hook', relation: rel.key, remoteApp: appKey(model, app) });
      }
    }
    for (const [name, o] of Object.entries(this.world.model(model).offers)) if (o.app === app) delete this.world.model(model).offers[name];
    if (Object.keys(a.units).length === 0) delete this.world.model(model).apps[app];
  }

  // ---- relations and CMR --------------------------------------------------------------------------
  integrate(model: string, a: string, b: string): number {
    const sides = [a, b].map((s) => this.sideOf(model, s));
    const [ea, eb] = resolveEndpoints(this.world, sides[0]!, sides[1]!);
    for (const r of Object.values(this.world.state.relations)) {
      if (r.life !== 'alive' || r.peer) continue;
      const has = (e: RelationEnd): boolean => r.ends.some((x) => x.model === e.model && x.app === e.app && x.endpoint === e.endpoint);
      if (has(ea) && has(eb)) throw new OperatorError(`relation ${sides[0]!.display}:${ea.endpoint} ${sides[1]!.display}:${eb.endpoint} already exists`);
    }
    for (const [e, side] of [[ea, sides[0]!], [eb, sides[1]!]] as const) {
      const spec = this.world.app(e.model, e.app).charm[e.role === 'provider' ? 'provides' : 'requires'][e.endpoint];
      const used = this.world.relationsOfApp(e.model, e.app).filter((r) => r.life === 'alive' && r.ends.some((x) => x.model === e.model && x.app === e.app && x.endpoint === e.endpoint)).length;
      if (spec?.limit !== undefined && used >= spec.limit) {
        throw new OperatorError(`establishing a new relation for ${side.display}:${e.endpoint} would exceed its maximum relation limit of ${spec.limit}`);
      }
    }
    const ends = [ea, eb].sort((x, y) => (x.role === 'provider' ? 0 : 1) - (y.role === 'provider' ? 0 : 1));
    const offering = sides.find((s) => s.saas)?.saas;
    if (offering) {
      // CMR naming (contract §4.2): the offering side sees a remote-<hex> token for the consumer.
      const offerModel = this.world.model(offering.model);
      const consumer = ends.find((e) => e.model === model)!;
      const ck = appKey(consumer.model, consumer.app);
      let token = Object.entries(offerModel.remoteApps).find(([, v]) => v === ck)?.[0];
      if (!token) {
        token = remoteToken(this.world.random);
        offerModel.remoteApps[token] = ck;
      }
      consumer.seenAs = token;
      ends.find((e) => e.model === offering.model)!.seenAs = offering.name;
    }
    const iface = this.world.app(ends[0]!.model, ends[0]!.app).charm[ends[0]!.role === 'provider' ? 'provides' : 'requires'][ends[0]!.endpoint]!.interface;
    const rel = createRelation(this.world, ends, iface, offering ? { peer: false, offeringModel: offering.model } : { peer: false });
    for (const e of ends) {
      for (const u of Object.values(this.world.app(e.model, e.app).units)) if (u.life === 'alive') queueCreated(this.world, rel, e.model, u);
    }
    return rel.ids[model]!;
  }

  /** Parse `x[:ep]` where x is an app, a SAAS name or an offer URL (consumed implicitly). */
  private sideOf(model: string, text: string): { model: string; app: string; endpoint?: string; display: string; saas?: { model: string; name: string; endpoints: string[] } } {
    let name = text;
    let endpoint: string | undefined;
    const colon = text.lastIndexOf(':');
    const isUrl = text.includes('.') || text.includes('/');
    if (colon > 0 && !(isUrl && colon < text.lastIndexOf('.'))) {
      name = text.slice(0, colon);
      endpoint = text.slice(colon + 1);
    }
    const m = this.world.model(model);
    if (isUrl) name = this.consume(model, name);
    const saas = m.saas[name];
    if (saas) {
      const offer = this.world.model(saas.model).offers[saas.offer];
      if (!offer) throw new OperatorError(`offer "${saas.url}" not found`);
      const out = { model: saas.model, app: offer.app, display: name, saas: { model: saas.model, name, endpoints: offer.endpoints } };
      return endpoint === undefined ? out : { ...out, endpoint };
    }
    if (!m.apps[name]) throw new OperatorError(`application "${name}" not found`);
    return endpoint === undefined ? { model, app: name, display: name } : { model, app: name, endpoint, display: name };
  }

  removeRelation(model: string, aOrId: string | number, b?: string): void {
    let rel;
    if (typeof aOrId === 'number' || (/^\d+$/.test(aOrId) && b === undefined)) {
      rel = this.world.relationById(model, Number(aOrId));
      if (!rel || rel.peer) throw new OperatorError(`relation ${aOrId} not found`);
    } else {
      const sa = this.sideOf(model, aOrId);
      const sb = this.sideOf(model, b ?? '');
      rel = Object.values(this.world.state.relations).find((r) => !r.peer && r.life === 'alive'
        && [sa, sb].every((s) => r.ends.some((e) => e.model === s.model && e.app === s.app && (s.endpoint === undefined || s.endpoint === e.endpoint))));
      if (!rel) throw new OperatorError(`relation "${aOrId} ${b}" not found`);
    }
    if (rel.life !== 'alive') return;
    removeRelation(this.world, rel);
  }

  /** `juju suspend-relation <id> [--message m]`, run in the offering model (contract §4.1, §4.3). */
  suspendRelation(model: string, id: number, message = ''): void {
    const rel = this.offeredRelation(model, id);
    if (rel.suspended === undefined) suspendRelation(this.world, rel, message);
  }

  /** `juju resume-relation <id>`, run in the offering model. */
  resumeRelation(model: string, id: number): void {
    const rel = this.offeredRelation(model, id);
    if (rel.suspended !== undefined) resumeRelation(this.world, rel);
  }

  private offeredRelation(model: string, id: number): RelationState {
    const rel = this.world.relationById(model, id);
    if (!rel || rel.life !== 'alive') throw new OperatorError(`relation ${id} not found`);
    if (!rel.cmr || rel.offeringModel !== model) throw new OperatorError(`relation ${id} is not a cross-model relation offered by model "${model}"`);
    return rel;
  }

  offer(model: string, app: string, endpoints: readonly string[], offerName: string = app): string {
    const a = this.world.app(model, app);
    for (const ep of endpoints) {
      if (a.charm.peers[ep]) throw new OperatorError(`cannot offer peer endpoint "${ep}"`);
      const spec = a.charm.provides[ep] ?? a.charm.requires[ep];
      if (!spec) throw new OperatorError(`application "${app}" has no "${ep}" relation`);
      if (spec.scope === 'container') throw new OperatorError(`cannot offer container-scoped endpoint "${ep}"`);
    }
    const m = this.world.model(model);
    if (m.offers[offerName] && m.offers[offerName]!.app !== app) throw new OperatorError(`offer "${offerName}" already exists`);
    const url = `admin/${model}.${offerName}`;
    m.offers[offerName] = { name: offerName, app, endpoints: [...endpoints], url };
    return url;
  }

  consume(model: string, url: string, alias?: string): string {
    const { model: offerModel, offer } = parseOfferUrl(url);
    const om = this.world.state.models[offerModel];
    if (!om || !om.offers[offer]) throw new OperatorError(`application offer "${url}" not found`);
    const m = this.world.model(model);
    const name = alias ?? offer;
    const existing = m.saas[name];
    if (existing) {
      if (existing.model === offerModel && existing.offer === offer) return name;
      throw new OperatorError(`saas application "${name}" already exists`);
    }
    if (m.apps[name]) throw new OperatorError(`cannot add remote application "${name}": application already exists`);
    m.saas[name] = { name, url: om.offers[offer]!.url, model: offerModel, offer };
    return name;
  }

  /**
   * `juju refresh` on a machine model (contract §1.4): upgrade-charm → config-changed →
   * (leader-settings-changed on non-leaders) → start. A new spec may add peers and options.
   */
  refresh(model: string, app: string, charm?: CharmSpec): void {
    const a = this.world.app(model, app);
    if (charm) {
      const config = defaultConfig(charm);
      for (const [k, v] of Object.entries(a.config)) if (charm.config[k]) config[k] = v;
      const newPeers = Object.entries(charm.peers).filter(([ep]) => !a.charm.peers[ep]);
      a.charm = structuredClone(charm);
      a.config = config;
      for (const [endpoint, spec] of newPeers) createRelation(this.world, [{ model, app, endpoint, role: 'peer', seenAs: app }], spec.interface, { peer: true });
    }
    const peers = this.world.relationsOfApp(model, app).filter((r) => r.peer && r.life === 'alive');
    for (const u of Object.values(a.units)) {
      if (u.life !== 'alive') continue;
      this.world.enqueue(u, { name: 'upgrade-charm', kind: 'hook' });
      for (const rel of peers) if (!rel.views[unitKey(model, u.name)]) queueCreated(this.world, rel, model, u);
      this.world.enqueue(u, { name: 'config-changed', kind: 'hook' });
      if (a.leader !== u.name) this.world.enqueue(u, { name: 'leader-settings-changed', kind: 'hook' });
      this.world.enqueue(u, { name: 'start', kind: 'hook' });
    }
  }

  setConfig(model: string, app: string, values: Readonly<Record<string, string | number | boolean | null>>): void {
    const a = this.world.app(model, app);
    const next = { ...a.config };
    for (const [k, v] of Object.entries(values)) {
      if (v === null) {
        const d = a.charm.config[k];
        if (!d) throw new OperatorError(`unknown option "${k}"`);
        if (d.default === undefined || d.default === null) delete next[k];
        else next[k] = d.default;
      } else {
        next[k] = coerceConfig(a.charm, k, v);
      }
    }
    const changed = JSON.stringify(sortObj(next)) !== JSON.stringify(sortObj(a.config));
    a.config = next;
    if (!changed) return;
    for (const u of Object.values(a.units)) if (u.life === 'alive') this.world.enqueue(u, { name: 'config-changed', kind: 'hook' }, true);
  }

  enqueueAction(model: string, unit: string, action: string, params: Readonly<Record<string, unknown>> = {}): string {
    const u = this.world.unit(model, unit);
    const a = this.world.app(model, unit.slice(0, unit.lastIndexOf('/')));
    const spec = a.charm.actions[action];
    if (!spec) throw new OperatorError(`action "${action}" not defined on unit "${unit}"`);
    const m = this.world.model(model);
    const id = String(++m.actionSeq);
    m.actions[id] = { id, unit, name: action, params: actionParams(spec, params), status: 'pending', message: '', results: {}, log: [], enqueued: this.world.now() };
    this.world.enqueue(u, { name: action, kind: 'action', action: id });
    return id;
  }

  setLeader(model: string, unit: string): void {
    const a = this.world.app(model, unit.slice(0, unit.lastIndexOf('/')));
    const u = this.world.unit(model, unit);
    if (u.life !== 'alive') throw new OperatorError(`unit "${unit}" is not alive`);
    if (a.leader === unit) return;
    electLeader(this.world, model, a, unit);
  }

  resolve(model: string, unit: string, options: { noRetry?: boolean } = {}): void {
    const u = this.world.unit(model, unit);
    if (!u.failedHook) throw new OperatorError(`unit "${unit}" is not in an error state`);
    this.clearError(u);
    delete u.retry;
    if (options.noRetry) this.completeHead(model, u);
  }

  private clearError(u: UnitState): void {
    this.dirty.add(u);
    if (u.beforeError) u.workload = { ...u.beforeError, since: this.world.now() };
    delete u.beforeError;
    delete u.failedHook;
  }

  advanceTime(ms: number): void {
    if (ms < 0) throw new OperatorError('cannot move the clock backwards');
    this.world.state.clockOffset += ms;
    const now = this.world.now();
    // Contract §1.5: automatic retries with back-off 5 s ×2 up to 5 min (no jitter: deterministic).
    for (const [, u] of this.units()) if (u.failedHook && u.retry && u.retry.at <= now) this.clearError(u);
    if (now - this.world.state.lastUpdateStatus >= UPDATE_STATUS_INTERVAL) {
      this.world.state.lastUpdateStatus = now;
      for (const m of Object.values(this.world.state.models)) {
        for (const a of Object.values(m.apps)) for (const u of Object.values(a.units)) {
          if (u.life === 'alive' && u.installed) this.world.enqueue(u, { name: 'update-status', kind: 'hook' }, true);
        }
      }
    }
    fireDueSecretHooks(this.world);
  }

  // ---- hook execution ------------------------------------------------------------------------
  /** Unit keys with an open hook context (one hook at a time per unit). */
  private readonly busyUnits = new Set<string>();
  /** Flat list of every unit, rebuilt when units are added (an index, not state). */
  private unitIndex: Array<[string, UnitState]> | undefined;
  private readonly keyOf = new WeakMap<UnitState, string>();
  /**
   * FIFO scheduler index: [seq of the item a unit can run, unit key]. Entries are validated
   * when popped (stale ones are dropped); units whose queue changed are re-indexed lazily.
   */
  private readonly ready = new MinHeap<string>();
  private readonly dirty = new Set<UnitState>();

  private units(): Array<[string, UnitState]> {
    if (!this.unitIndex) {
      this.unitIndex = [];
      for (const m of Object.values(this.world.state.models)) {
        for (const a of Object.values(m.apps)) {
          for (const u of Object.values(a.units)) {
            const key = unitKey(m.name, u.name);
            this.unitIndex.push([key, u]);
            this.keyOf.set(u, key);
          }
        }
      }
    }
    return this.unitIndex;
  }

  private reindex(): void {
    for (const u of this.dirty) {
      let key = this.keyOf.get(u);
      if (key === undefined) {
        this.unitIndex = undefined;
        this.units();
        key = this.keyOf.get(u);
        if (key === undefined) continue; // a removed unit
      }
      const i = this.runnableIndex(key, u);
      if (i >= 0) this.ready.push(u.queue[i]!.seq, key);
    }
    this.dirty.clear();
  }

  /**
   * Index of the queue item a unit would run next, or -1. A unit in error runs nothing until
   * resolved, except actions, which Juju still runs on a unit in error (so operators can debug).
   */
  private runnableIndex(key: string, u: UnitState): number {
    if (u.queue.length === 0 || this.busyUnits.has(key)) return -1;
    if (!u.failedHook) return 0;
    return u.queue.findIndex((q, i) => i > 0 && q.kind === 'action');
  }

  nextHook(): HookInvocation | undefined {
    let pick: [string, UnitState] | undefined;
    let index = -1;
    if (this.world.seeded) {
      const candidates = this.units().filter(([key, u]) => this.runnableIndex(key, u) >= 0 && this.world.unitByKey(key) === u);
      if (candidates.length === 0) return undefined;
      const [r, next] = prngNext(this.world.state.rng);
      this.world.state.rng = next;
      candidates.sort((x, y) => (x[0] < y[0] ? -1 : 1));
      pick = candidates[Math.floor(r * candidates.length)]!;
      index = this.runnableIndex(pick[0], pick[1]);
    } else {
      this.reindex();
      for (let top = this.ready.pop(); top; top = this.ready.pop()) {
        const [seq, key] = top;
        const u = this.world.unitByKey(key);
        const i = u ? this.runnableIndex(key, u) : -1;
        if (!u || i < 0 || u.queue[i]!.seq !== seq) continue; // stale entry
        pick = [key, u];
        index = i;
        break;
      }
      if (!pick) return undefined;
    }
    if (index > 0) pick[1].queue.unshift(...pick[1].queue.splice(index, 1)); // an action overtakes the failed hook
    const [key, unit] = pick;
    const k = splitUnitKey(key);
    const hook = unit.queue[0]!;
    onRelationHookStart(this.world, key, hook);
    if (hook.kind === 'action') {
      const a = this.world.model(k.model).actions[hook.action!];
      if (a) { a.status = 'running'; a.started = this.world.now(); }
    }
    unit.agent = { status: 'executing', message: hook.kind === 'action' ? `running action ${hook.name}` : `running ${hook.name} hook`, since: this.world.now() };
    if (hook.name === 'install' && !unit.installed && unit.workload.status === 'waiting' && unit.workload.message === 'waiting for machine') {
      unit.workload = { ...INSTALLING, since: this.world.now() };
    }
    return this.open(k.model, unit.name, hook.name, hook.kind, hook, false);
  }

  openContext(model: string, unit: string, name = 'juju-exec'): HookInvocation {
    const key = unitKey(model, unit);
    this.world.unit(model, unit);
    if (this.busyUnits.has(key)) throw new OperatorError(`unit "${unit}" is busy running a hook`);
    return this.open(model, unit, name, 'hook', undefined, true);
  }

  private open(model: string, unit: string, name: string, kind: 'hook' | 'action', hook: QueuedHook | undefined, adhoc: boolean): HookInvocation {
    const id = `${unit}-${name}-${++this.world.state.contextSeq}`;
    const ctx = new HookContext(this.world, id, model, unit, name, kind, hook, adhoc);
    this.contexts.set(id, ctx);
    this.busyUnits.add(ctx.unitKey);
    const a = this.world.app(model, ctx.appName);
    return { contextId: id, model, unit, name, kind, env: hookEnv(this.world, ctx, hook), charm: a.charm };
  }

  runTool(contextId: string, tool: string, args: readonly string[], options: ToolIO = {}): ToolResult {
    const ctx = this.contexts.get(contextId);
    if (!ctx) return { stdout: '', stderr: `error: bad request: bad context: ${contextId}\n`, exitCode: 1 };
    const result = toolAvailable(ctx.p, tool)
      ? runHookTool(ctx, tool, args, options)
      : { stdout: '', stderr: `${tool}: command not found\n`, exitCode: 127 };
    const calls = this.world.state.toolCalls;
    calls.push({ model: ctx.model, unit: ctx.unitName, hook: ctx.name, tool, args: [...args], exitCode: result.exitCode });
    if (calls.length > MAX_RECORDS) calls.splice(0, calls.length - MAX_RECORDS);
    return result;
  }

  toolNames(model: string): string[] {
    return views.toolNamesFor(this.world.personality(model));
  }

  finishHook(contextId: string, outcome: HookOutcome): void {
    const ctx = this.contexts.get(contextId);
    if (!ctx) throw new OperatorError(`bad context: ${contextId}`);
    this.contexts.delete(contextId);
    this.busyUnits.delete(ctx.unitKey);
    const freed = this.world.unitByKey(ctx.unitKey);
    if (freed) this.dirty.add(freed);
    const unit = this.world.unitByKey(ctx.unitKey);
    if (!unit) return;
    const module = `unit.${ctx.unitName}.${ctx.name}`;
    for (const line of (outcome.stdout ?? '').split('\n').filter(Boolean)) this.world.log(ctx.model, ctx.unitName, 'DEBUG', module, line);
    for (const line of (outcome.stderr ?? '').split('\n').filter(Boolean)) this.world.log(ctx.model, ctx.unitName, 'WARNING', module, line);
    let exit = outcome.exitCode;
    let commitError: string | undefined;
    if (exit === 0) {
      try {
        ctx.commit();
      } catch (e) {
        if (!(e instanceof ToolError)) throw e;
        commitError = e.message;
        exit = 1;
      }
    }
    unit.agent = { status: 'idle', message: '', since: this.world.now() };
    const log = this.world.state.log;
    if (log.length > MAX_RECORDS) log.splice(0, log.length - MAX_RECORDS);
    if (ctx.adhoc) return;
    if (ctx.kind === 'action') {
      const a = this.world.model(ctx.model).actions[ctx.hook!.action!]!;
      if (commitError !== undefined) {
        a.status = 'failed';
        a.message = 'committing requested changes failed';
        a.results = { ...a.results, 'return-code': '1', stderr: `${outcome.stderr ?? ''}ERROR ${commitError}\n` };
      } else if (exit !== 0) {
        a.status = 'failed';
        a.message = outcome.message ?? `exit status ${exit}`;
        a.results = { 'return-code': String(exit) };
      } else if (a.status !== 'failed') {
        a.status = 'completed';
      }
      if (outcome.stdout) a.results['stdout'] = outcome.stdout;
      if (outcome.stderr && commitError === undefined) a.results['stderr'] = outcome.stderr;
      if (a.results['return-code'] === undefined) a.results['return-code'] = '0';
      a.completed = this.world.now();
      this.completeHead(ctx.model, unit);
      return;
    }
    if (exit !== 0) {
      if (commitError !== undefined) this.world.log(ctx.model, ctx.unitName, 'ERROR', 'juju.worker.uniter.context', `cannot commit hook "${ctx.name}": ${commitError}`);
      this.world.log(ctx.model, ctx.unitName, 'ERROR', 'juju.worker.uniter.operation', `hook "${ctx.name}" (via hook dispatching script: dispatch) failed: exit status ${exit}`);
      unit.beforeError = unit.workload;
      unit.workload = { status: 'error', message: `hook failed: "${ctx.name}"`, since: this.world.now() };
      unit.failedHook = ctx.name;
      if (this.world.model(ctx.model).retryHooks) {
        const attempts = unit.retry?.attempts ?? 0;
        unit.retry = { attempts: attempts + 1, at: this.world.now() + Math.min(5000 * 2 ** attempts, 300e3) };
      }
      return;
    }
    delete unit.retry;
    if (ctx.name === 'install') {
      unit.installed = true;
      // A charm that set no status during install shows `unknown` (Juju 3 behaviour).
      if (unit.workload.status === INSTALLING.status && unit.workload.message === INSTALLING.message) unit.workload = { status: 'unknown', message: '', since: this.world.now() };
    }
    this.completeHead(ctx.model, unit);
  }

  /** Pop the finished head of a unit's queue; a finished `remove` deletes the unit. */
  private completeHead(model: string, unit: UnitState): void {
    const head = unit.queue.shift();
    this.dirty.add(unit);
    if (head?.name === 'remove' && unit.life === 'dying') {
      const a = this.world.app(model, unit.name.slice(0, unit.name.lastIndexOf('/')));
      delete a.units[unit.name];
      for (const s of Object.values(this.world.state.secrets)) {
        if (!s.tracking[unitKey(model, unit.name)]) continue;
        delete s.tracking[unitKey(model, unit.name)];
        notifyObsolete(this.world, s);
      }
      if (a.life === 'dying' && Object.keys(a.units).length === 0) this.dropApp(model, a);
    }
    collectDeadRelations(this.world, new Set([...this.contexts.values()].map((c) => c.hook?.relation).filter((r): r is string => !!r)));
  }

  private dropApp(model: string, a: AppState): void {
    delete this.world.model(model).apps[a.name];
    for (const rel of this.world.relationsOfApp(model, a.name)) if (rel.peer) delete this.world.state.relations[rel.key];
    const key = appKey(model, a.name);
    for (const s of Object.values(this.world.state.secrets)) {
      if (s.owner === key || s.owner.startsWith(`${key}/`)) delete this.world.state.secrets[s.id];
    }
  }

  // ---- read views (contract §5) -------------------------------------------------------------------
  status(model: string): views.StatusView { return views.status(this.world, model); }
  secrets(model: string): Record<string, views.SecretView> { return views.secrets(this.world, model); }
  showSecret(model: string, idOrName: string, options: { reveal?: boolean; revisions?: boolean; revision?: number } = {}): Record<string, views.SecretView> {
    return views.showSecret(this.world, model, idOrName, options);
  }
  showUnit(model: string, unit: string): Record<string, unknown> { return views.showUnit(this.world, model, unit); }
  debugLog(model?: string): string[] { return views.debugLog(this.world, model); }
  actionResult(model: string, actionId: string): views.ActionView { return views.actionResult(this.world, model, actionId); }
  toolCalls(): WorldState['toolCalls'] { return this.world.state.toolCalls; }
  /** Queued, not yet started hook names per unit (`model/app/n` → names); a failed hook counts as queued. */
  pending(model?: string): Record<string, string[]> {
    const running = new Set([...this.contexts.values()].filter((c) => !c.adhoc).map((c) => c.unitKey));
    const out: Record<string, string[]> = {};
    for (const m of Object.values(this.world.state.models)) {
      if (model !== undefined && m.name !== model) continue;
      for (const a of Object.values(m.apps)) for (const u of Object.values(a.units)) {
        const key = unitKey(m.name, u.name);
        const names = u.queue.slice(running.has(key) ? 1 : 0).map((q) => q.name);
        if (names.length) out[key] = names;
      }
    }
    return out;
  }

  toJSON(): WorldState { return structuredClone(this.world.state); }
}

function sortObj(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function createEngine(options: EngineOptions = {}): SimEngine {
  return new SimEngine(emptyWorld(options.seed), options);
}

export function loadEngine(json: unknown, options: EngineOptions = {}): SimEngine {
  const state = (typeof json === 'string' ? JSON.parse(json) : structuredClone(json)) as WorldState;
  if (!state || typeof state !== 'object' || state.format !== 1) throw new OperatorError('not a jujusim engine state (format 1)');
  return new SimEngine(state, options);
}
