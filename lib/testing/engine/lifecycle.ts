/**
 * Unit, leadership and relation lifecycles: which hooks each operator verb queues, and how a
 * unit's view of a relation changes as its hooks start (contract §1.4, §2.1, §2.2).
 *
 * Scope model: a unit enters a relation's scope when its `-relation-created` hook starts; it
 * then gets `-joined`/`-changed` for every remote unit already in scope and they get the same
 * for it. `relation-list` shows the remote units whose `-joined` has started and whose
 * `-departed` has not.
 */
import type { AppState, QueuedHook, RelationEnd, RelationState, UnitState } from './state.ts';
import { appKey, splitUnitKey, unitKey, type World } from './world.ts';

/** Units of `end` that are in `rel`'s scope, as unit keys. */
function scopeUnitsOf(rel: RelationState, end: RelationEnd): string[] {
  const prefix = `${end.model}/${end.app}/`;
  return rel.scope.filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('/'));
}

/** The remote units (keys) of `rel` in scope, seen from the unit `key`. */
export function remoteScope(world: World, rel: RelationState, key: string): string[] {
  const k = splitUnitKey(key);
  const remote = world.remoteEnd(rel, k.model, k.app);
  return scopeUnitsOf(rel, remote).filter((u) => u !== key);
}

export function createRelation(world: World, ends: RelationEnd[], iface: string, options: { peer: boolean; offeringModel?: string }): RelationState {
  const key = `r${++world.state.relationSeq}`;
  const ids: Record<string, number> = {};
  for (const e of ends) {
    if (ids[e.model] === undefined) ids[e.model] = world.model(e.model).relationSeq++;
  }
  const rel: RelationState = {
    key, interface: iface, peer: options.peer, ends, ids, life: 'alive',
    cmr: new Set(ends.map((e) => e.model)).size > 1, bags: {}, scope: [], views: {},
  };
  if (options.offeringModel !== undefined) rel.offeringModel = options.offeringModel;
  world.state.relations[key] = rel;
  return rel;
}

function relationHook(world: World, rel: RelationState, local: RelationEnd, suffix: string, extra: Partial<QueuedHook> = {}): Omit<QueuedHook, 'seq'> {
  const remote = world.remoteEnd(rel, local.model, local.app);
  return { name: `${local.endpoint}-relation-${suffix}`, kind: 'hook', relation: rel.key, remoteApp: appKey(remote.model, remote.app), ...extra };
}

/** Queue `-relation-created` for one unit. */
export function queueCreated(world: World, rel: RelationState, model: string, unit: UnitState): void {
  const local = world.localEnd(rel, model, splitUnitKey(unitKey(model, unit.name)).app)!;
  world.enqueue(unit, relationHook(world, rel, local, 'created'));
}

/** A unit's relation hook is starting: update scope and its view (called by the engine). */
export function onRelationHookStart(world: World, key: string, hook: QueuedHook): void {
  const rel = hook.relation ? world.state.relations[hook.relation] : undefined;
  if (!rel) return;
  const view = (rel.views[key] ??= { remotes: [], broken: false });
  if (hook.name.endsWith('-relation-created')) enterScope(world, rel, key);
  else if (hook.name.endsWith('-relation-joined') && hook.remoteUnit && !view.remotes.includes(hook.remoteUnit)) view.remotes.push(hook.remoteUnit);
  else if (hook.name.endsWith('-relation-departed')) {
    const gone = hook.departing === key ? hook.remoteUnit : hook.departing;
    view.remotes = view.remotes.filter((r) => r !== gone);
  } else if (hook.name.endsWith('-relation-broken')) {
    view.remotes = [];
    view.broken = true;
    rel.scope = rel.scope.filter((k) => k !== key);
  }
}

function enterScope(world: World, rel: RelationState, key: string): void {
  if (rel.scope.includes(key) || rel.life !== 'alive' || rel.suspended !== undefined) return;
  const k = splitUnitKey(key);
  const unit = world.unitByKey(key);
  if (!unit) return;
  rel.scope.push(key);
  rel.views[key] = { remotes: [], broken: false };
  // Contract §2.3: Juju auto-populates each unit's bag on entering scope.
  const bag = (rel.bags[key] ??= {});
  bag['private-address'] = unit.address;
  bag['ingress-address'] = rel.cmr ? unit.publicAddress : unit.address;
  bag['egress-subnets'] = `${rel.cmr ? unit.publicAddress : unit.address}/32`;
  const local = world.localEnd(rel, k.model, k.app)!;
  const remote = world.remoteEnd(rel, k.model, k.app);
  for (const other of remoteScope(world, rel, key)) {
    const otherUnit = world.unitByKey(other);
    if (!otherUnit || otherUnit.life !== 'alive') continue;
    world.enqueue(unit, relationHook(world, rel, local, 'joined', { remoteUnit: other }));
    world.enqueue(unit, relationHook(world, rel, local, 'changed', { remoteUnit: other }));
    world.enqueue(otherUnit, relationHook(world, rel, remote, 'joined', { remoteUnit: key }));
    world.enqueue(otherUnit, relationHook(world, rel, remote, 'changed', { remoteUnit: key }));
  }
}

/** After a committed unit-bag write by `writer`: `-changed` on every unit that sees it (§1.4). */
export function notifyUnitBagChange(world: World, rel: RelationState, writer: string): void {
  for (const key of rel.scope) {
    if (key === writer) continue;
    const view = rel.views[key];
    if (!view || !view.remotes.includes(writer)) continue;
    const unit = world.unitByKey(key);
    if (!unit) continue;
    const k = splitUnitKey(key);
    world.enqueue(unit, relationHook(world, rel, world.localEnd(rel, k.model, k.app)!, 'changed', { remoteUnit: writer }), true);
  }
}

/** After a committed app-bag write by the leader `writer` of its app (§1.4: never the writer). */
export function notifyAppBagChange(world: World, rel: RelationState, writer: string): void {
  const w = splitUnitKey(writer);
  for (const key of rel.scope) {
    if (key === writer) continue;
    const k = splitUnitKey(key);
    const sameApp = k.model === w.model && k.app === w.app;
    if (rel.peer ? !sameApp : sameApp) continue;
    const unit = world.unitByKey(key);
    if (!unit) continue;
    world.enqueue(unit, relationHook(world, rel, world.localEnd(rel, k.model, k.app)!, 'changed', { remoteApp: appKey(w.model, w.app) }), true);
  }
}

/** Drop not-yet-started hooks matching `pred` from a unit's queue (a failed or running head stays). */
function dropPending(world: World, unit: UnitState, pred: (q: QueuedHook) => boolean): void {
  const head = unit.failedHook || unit.agent.status === 'executing' ? unit.queue.slice(0, 1) : [];
  unit.queue = [...head, ...unit.queue.slice(head.length).filter((q) => !pred(q))];
  world.onQueueChange?.(unit);
}

/** `juju remove-relation`: every unit in scope gets `-departed` per remote unit, then `-broken`. */
export function removeRelation(world: World, rel: RelationState): void {
  rel.life = 'dying';
  // Grants made over this relation go with it (contract §3.5 item 10).
  for (const s of Object.values(world.state.secrets)) s.grants = s.grants.filter((g) => g.relation !== rel.key);
  leaveScopeAll(world, rel);
}

/**
 * `juju suspend-relation` (contract §4.1, offering side): units leave scope as on removal
 * (-departed, -broken) but the relation and its grants stay; secret reads answer
 * `permission denied` while suspended (§3.5 item 10).
 */
export function suspendRelation(world: World, rel: RelationState, message: string): void {
  rel.suspended = message;
  leaveScopeAll(world, rel);
}

/**
 * `juju resume-relation`: units enter scope again. The contract does not say which hooks a
 * resume fires; we queue `-relation-created` (then joined/changed follow as on integrate).
 */
export function resumeRelation(world: World, rel: RelationState): void {
  delete rel.suspended;
  for (const e of rel.ends) {
    const a = world.state.models[e.model]?.apps[e.app];
    for (const u of Object.values(a?.units ?? {})) if (u.life === 'alive') queueCreated(world, rel, e.model, u);
  }
}

/** Every unit leaves the relation's scope: -departed per remote unit, then -broken (§1.4). */
function leaveScopeAll(world: World, rel: RelationState): void {
  for (const [model, app] of rel.ends.map((e) => [e.model, e.app] as const)) {
    const a = world.state.models[model]?.apps[app];
    if (!a) continue;
    for (const unit of Object.values(a.units)) {
      const key = unitKey(model, unit.name);
      const pendingCreate = unit.queue.some((q, i) => q.relation === rel.key && q.name.endsWith('-relation-created') && !(i === 0 && unit.failedHook));
      dropPending(world, unit, (q) => q.relation === rel.key);
      const view = rel.views[key];
      const local = world.localEnd(rel, model, app)!;
      if (view && !view.broken) {
        for (const r of view.remotes) world.enqueue(unit, relationHook(world, rel, local, 'departed', { remoteUnit: r, departing: r }));
        if (!rel.peer) world.enqueue(unit, relationHook(world, rel, local, 'broken'));
      } else if (pendingCreate && !rel.peer) {
        // §1.4: relation-broken can be the first and only hook for a relation.
        world.enqueue(unit, relationHook(world, rel, local, 'broken'));
      }
    }
  }
  rel.scope = [];
}

/** Unit teardown (§1.4): stop → (-departed per remote, -broken) per relation → remove. */
export function teardownUnit(world: World, model: string, app: AppState, unit: UnitState): void {
  if (unit.life === 'dying') return;
  unit.life = 'dying';
  const key = unitKey(model, unit.name);
  world.enqueue(unit, { name: 'stop', kind: 'hook' });
  for (const rel of world.relationsOfApp(model, app.name)) {
    const local = world.localEnd(rel, model, app.name)!;
    const view = rel.views[key];
    // Remaining units: `-departed` with JUJU_DEPARTING_UNIT = the leaving unit.
    for (const other of rel.scope) {
      if (other === key) continue;
      const ou = world.unitByKey(other);
      if (!ou) continue;
      const oview = rel.views[other];
      dropPending(world, ou, (q) => q.relation === rel.key && q.remoteUnit === key && (q.name.endsWith('-joined') || q.name.endsWith('-changed')));
      if (oview?.remotes.includes(key)) {
        const k = splitUnitKey(other);
        world.enqueue(ou, relationHook(world, rel, world.localEnd(rel, k.model, k.app)!, 'departed', { remoteUnit: key, departing: key }));
      }
    }
    rel.scope = rel.scope.filter((k) => k !== key);
    dropPending(world, unit, (q) => q.relation === rel.key && (q.name.endsWith('-joined') || q.name.endsWith('-changed') || q.name.endsWith('-created')));
    if (view && !view.broken) {
      for (const r of view.remotes) world.enqueue(unit, relationHook(world, rel, local, 'departed', { remoteUnit: r, departing: key }));
      if (!rel.peer) world.enqueue(unit, relationHook(world, rel, local, 'broken'));
    }
  }
  world.enqueue(unit, { name: 'remove', kind: 'hook' });
  if (app.leader === unit.name) electLeader(world, model, app);
}

/** Make `unit` (or the lowest-numbered live unit) leader; queue the leadership hooks (§1.4). */
export function electLeader(world: World, model: string, app: AppState, unit?: string): void {
  const live = Object.values(app.units).filter((u) => u.life === 'alive').sort((a, b) => a.number - b.number);
  const next = unit ?? live[0]?.name ?? null;
  app.leader = next;
  if (next === null) return;
  for (const u of live) {
    if (u.name === next) world.enqueue(u, { name: 'leader-elected', kind: 'hook' }, true);
    else world.enqueue(u, { name: 'leader-settings-changed', kind: 'hook' }, true);
  }
}

/** Remove relations that are dying and referenced by no queued hook any more. */
export function collectDeadRelations(world: World, busy: ReadonlySet<string>): void {
  const dying = Object.values(world.state.relations).filter((r) => r.life === 'dying');
  if (dying.length === 0) return;
  const referenced = new Set<string>(busy);
  for (const m of Object.values(world.state.models)) {
    for (const a of Object.values(m.apps)) for (const u of Object.values(a.units)) for (const q of u.queue) if (q.relation) referenced.add(q.relation);
  }
  for (const r of dying) if (!referenced.has(r.key)) delete world.state.relations[r.key];
}

/** leader-set changed the settings: leader-settings-changed on every other live unit (§2.8). */
export function notifyLeaderSettings(world: World, app: AppState): void {
  for (const u of Object.values(app.units)) {
    if (u.name !== app.leader && u.life === 'alive') world.enqueue(u, { name: 'leader-settings-changed', kind: 'hook' }, true);
  }
}
