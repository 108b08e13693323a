/**
 * Read views for the CLI, shaped like `juju ... --format json` (contract §5) so formatting
 * tables/YAML is a thin layer in ../cli.
 */
import { createHash } from 'node:crypto';
import { TOOL_NAMES } from '../tools/names.ts';
import { OperatorError } from './errors.ts';
import type { AppState, PortEntry, SecretState, StatusValue } from './state.ts';
import type { Personality } from './version.ts';
import { appKey, splitAppKey, splitUnitKey, unitKey, type World } from './world.ts';

const iso = (t: number): string => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
const statusOf = (s: StatusValue): { current: string; message?: string; since: string } =>
  (s.message ? { current: s.status, message: s.message, since: iso(s.since) } : { current: s.status, since: iso(s.since) });

/** Severity order deriving an application's status from its units (juju core/status severities). */
const SEVERITY = ['error', 'blocked', 'waiting', 'maintenance', 'terminated', 'active', 'unknown'];

export function toolNamesFor(p: Personality): string[] {
  return TOOL_NAMES.filter((t) => (p.secrets || !t.startsWith('secret-')) && (p.relationModelGet || t !== 'relation-model-get'));
}

export function formatPort(p: PortEntry): string {
  if (p.protocol === 'icmp') return 'icmp';
  return p.from === p.to ? `${p.from}/${p.protocol}` : `${p.from}-${p.to}/${p.protocol}`;
}

function appStatus(a: AppState): StatusValue {
  if (a.status) return a.status;
  let best: StatusValue | undefined;
  for (const u of Object.values(a.units)) {
    if (!best || SEVERITY.indexOf(u.workload.status) < SEVERITY.indexOf(best.status)) best = u.workload;
  }
  return best ?? { status: 'unknown', message: '', since: 0 };
}

export interface RelationRow { provider: string; requirer: string; interface: string; type: 'regular' | 'peer' | 'subordinate'; status: string; message?: string; id: number }
export interface StatusView {
  model: { name: string; type: string; controller: string; cloud: string; region: string; version: string; uuid: string; 'model-status': { current: string }; sla: string };
  machines: Record<string, unknown>;
  applications: Record<string, unknown>;
  'application-endpoints': Record<string, unknown>;
  offers: Record<string, unknown>;
  relations: RelationRow[];
}

export function status(world: World, model: string): StatusView {
  const m = world.model(model);
  const applications: Record<string, unknown> = {};
  const machines: Record<string, unknown> = {};
  for (const a of Object.values(m.apps)) {
    const units: Record<string, unknown> = {};
    for (const u of Object.values(a.units).sort((x, y) => x.number - y.number)) {
      const entry: Record<string, unknown> = {
        'workload-status': statusOf(u.workload), 'juju-status': statusOf(u.agent),
        machine: u.machine, 'public-address': u.publicAddress, address: u.address,
      };
      if (a.leader === u.name) entry['leader'] = true;
      if (u.ports.length) entry['open-ports'] = [...new Set(u.ports.map(formatPort))].sort();
      units[u.name] = entry;
      machines[u.machine] = { 'juju-status': { current: 'started' }, 'dns-name': u.publicAddress, 'ip-addresses': [u.publicAddress, u.address], base: { name: 'ubuntu', channel: '22.04' } };
    }
    const relations: Record<string, string[]> = {};
    for (const rel of world.relationsOfApp(model, a.name)) {
      if (rel.life !== 'alive') continue;
      const local = world.localEnd(rel, model, a.name)!;
      const remote = world.remoteEnd(rel, model, a.name);
      (relations[local.endpoint] ??= []).push(world.appNameFrom(remote, model));
    }
    for (const list of Object.values(relations)) list.sort();
    const entry: Record<string, unknown> = {
      charm: a.charm.name, 'charm-name': a.charm.name, 'charm-origin': 'local', 'charm-rev': 0, exposed: false,
      scale: Object.keys(a.units).length, 'application-status': statusOf(appStatus(a)), units, relations,
    };
    if (a.version) entry['version'] = a.version;
    applications[a.name] = entry;
  }
  const saasOut: Record<string, unknown> = {};
  for (const s of Object.values(m.saas)) {
    const om = world.state.models[s.model];
    const offer = om?.offers[s.offer];
    const app = offer ? om.apps[offer.app] : undefined;
    const endpoints: Record<string, unknown> = {};
    for (const ep of offer?.endpoints ?? []) {
      const spec = app?.charm.provides[ep] ?? app?.charm.requires[ep];
      endpoints[ep] = { interface: spec?.interface ?? '', role: app?.charm.provides[ep] ? 'provider' : 'requirer' };
    }
    const relations: Record<string, string[]> = {};
    for (const rel of Object.values(world.state.relations)) {
      if (rel.life !== 'alive' || !rel.cmr) continue;
      const offerEnd = rel.ends.find((e) => e.model === s.model && e.app === offer?.app && e.seenAs === s.name);
      const localEnd = rel.ends.find((e) => e.model === model);
      if (offerEnd && localEnd) (relations[offerEnd.endpoint] ??= []).push(localEnd.app);
    }
    saasOut[s.name] = { url: s.url, endpoints, 'application-status': { current: app ? statusOf(appStatus(app)).current : 'unknown' }, relations };
  }
  const offers: Record<string, unknown> = {};
  for (const o of Object.values(m.offers)) {
    const a = m.apps[o.app];
    const endpoints: Record<string, unknown> = {};
    for (const ep of o.endpoints) {
      endpoints[ep] = { interface: (a?.charm.provides[ep] ?? a?.charm.requires[ep])?.interface ?? '', role: a?.charm.provides[ep] ? 'provider' : 'requirer' };
    }
    const rels = Object.values(world.state.relations).filter((r) => r.cmr && r.offeringModel === model && r.ends.some((e) => e.model === model && e.app === o.app && o.endpoints.includes(e.endpoint)));
    offers[o.name] = {
      application: o.app, charm: a?.charm.name ?? '', 'charm-rev': 0, endpoints,
      'active-connected-count': rels.filter((r) => r.life === 'alive').length, 'total-connected-count': rels.length,
    };
  }
  const relations: RelationRow[] = [];
  for (const rel of Object.values(world.state.relations)) {
    const id = rel.ids[model];
    if (id === undefined) continue;
    const name = (i: number): string => `${world.appNameFrom(rel.ends[i]!, model)}:${rel.ends[i]!.endpoint}`;
    const row: RelationRow = rel.peer
      ? { provider: name(0), requirer: name(0), interface: rel.interface, type: 'peer', status: 'joined', id }
      : { provider: name(0), requirer: name(1), interface: rel.interface, type: 'regular', status: 'joined', id };
    if (rel.life !== 'alive') { row.status = 'broken'; row.message = 'broken'; } else if (rel.suspended !== undefined) { row.status = 'suspended'; row.message = rel.suspended || 'suspended'; }
    relations.push(row);
  }
  relations.sort((x, y) => (x.provider === y.provider ? (x.requirer < y.requirer ? -1 : 1) : x.provider < y.provider ? -1 : 1));
  return {
    model: { name: m.name, type: 'iaas', controller: 'jujusim', cloud: 'localhost', region: 'localhost', version: m.version, uuid: m.uuid, 'model-status': { current: 'available' }, sla: 'unsupported' },
    machines, applications, 'application-endpoints': saasOut, offers, relations,
  };
}

export interface SecretView {
  revision: number; expires?: string; rotation?: string; rotates?: string; owner: string; description?: string;
  label?: string; created: string; updated: string; checksum?: string; content?: Record<string, string>;
  revisions?: Array<{ revision: number; backend: string; created: string; updated: string; expires?: string }>;
  access?: Array<{ target: string; scope: string; role: string }>;
}

function secretView(s: SecretState): SecretView {
  const owner = s.ownerKind === 'unit' ? splitUnitKey(s.owner).unit : splitAppKey(s.owner).app;
  const v: SecretView = { revision: s.latest, owner, created: iso(s.created), updated: iso(s.updated) };
  const exp = s.revisions[String(s.latest)]?.expire;
  if (exp !== undefined) v.expires = iso(exp);
  if (s.rotate) v.rotation = s.rotate;
  if (s.nextRotate !== undefined && s.rotate) v.rotates = iso(s.nextRotate);
  if (s.description) v.description = s.description;
  if (s.label) v.label = s.label;
  return orderSecret(v);
}
/** Field order of contract §5.1 (juju prints a struct). */
function orderSecret(v: SecretView): SecretView {
  const order = ['revision', 'checksum', 'expires', 'rotation', 'rotates', 'owner', 'description', 'label', 'created', 'updated', 'content', 'revisions', 'access'];
  return Object.fromEntries(order.filter((k) => (v as unknown as Record<string, unknown>)[k] !== undefined).map((k) => [k, (v as unknown as Record<string, unknown>)[k]])) as unknown as SecretView;
}

/** `juju secrets` (§5.1): secrets owned in this model, keyed by bare id. */
export function secrets(world: World, model: string): Record<string, SecretView> {
  world.model(model);
  const list = Object.values(world.state.secrets).filter((s) => s.model === model)
    .sort((a, b) => (a.owner === b.owner ? b.latest - a.latest : a.owner < b.owner ? -1 : 1));
  return Object.fromEntries(list.map((s) => [s.id, secretView(s)]));
}

/** `juju show-secret` (§5.2). */
export function showSecret(world: World, model: string, idOrName: string, options: { reveal?: boolean; revisions?: boolean; revision?: number }): Record<string, SecretView> {
  if (options.reveal && options.revisions) throw new OperatorError('specify either --revisions or --reveal but not both');
  if (options.revisions && options.revision !== undefined) throw new OperatorError('specify either --revisions or --revision but not both');
  if (options.revision !== undefined && !(Number.isInteger(options.revision) && options.revision > 0)) throw new OperatorError('revision must be a positive integer');
  const bare = idOrName.replace(/^secret:\/\/[^/]+\//, '').replace(/^secret:/, '');
  const s = world.state.secrets[bare] ?? Object.values(world.state.secrets).find((x) => x.model === model && x.label === idOrName);
  if (!s) throw new OperatorError(`secret "${idOrName}" not found`);
  const v = secretView(s);
  if (options.revision !== undefined) {
    // `-r N` shows that revision (not-found wording unverified).
    if (!s.revisions[String(options.revision)]) throw new OperatorError(`secret "${idOrName}" revision ${options.revision} not found`);
    v.revision = options.revision;
  }
  if (options.reveal) {
    const content = s.revisions[String(options.revision ?? s.latest)]!.content;
    v.content = Object.fromEntries(Object.entries(content).map(([k, b]) => [k, Buffer.from(b, 'base64').toString('utf8')]));
    v.checksum = checksum(content);
  }
  if (options.revisions) {
    v.revisions = Object.entries(s.revisions).map(([r, rev]) => {
      const out: { revision: number; backend: string; created: string; updated: string; expires?: string } = { revision: Number(r), backend: 'internal', created: iso(rev.created), updated: iso(rev.updated) };
      if (rev.expire !== undefined) out.expires = iso(rev.expire);
      return out;
    }).sort((a, b) => a.revision - b.revision);
  }
  v.access = s.grants.map((g) => {
    const rel = world.state.relations[g.relation];
    const local = rel ? world.localEnd(rel, s.model, splitUnitKey(`${s.owner}/0`).app) ?? rel.ends[0] : undefined;
    const target = g.scope === 'app' ? `application-${splitAppKey(g.target).app}` : `unit-${splitUnitKey(g.target).unit.replace('/', '-')}`;
    return { target, scope: `relation-${local?.endpoint ?? ''}.${rel?.ids[s.model] ?? ''}`, role: 'view' };
  });
  return { [s.id]: orderSecret(v) };
}

/** SHA-256 over the stored (base64) content, like the checksum `juju show-secret --reveal` prints. */
function checksum(content: Record<string, string>): string {
  return createHash('sha256').update(JSON.stringify(Object.entries(content).sort())).digest('hex');
}

/** `juju show-unit` (§5.5): relation-info with application-data of the related app (3.6). */
export function showUnit(world: World, model: string, unit: string): Record<string, unknown> {
  const u = world.unit(model, unit);
  const app = unit.slice(0, unit.lastIndexOf('/'));
  const a = world.app(model, app);
  const key = unitKey(model, unit);
  const info: unknown[] = [];
  for (const rel of world.relationsOfApp(model, app)) {
    const view = rel.views[key];
    if (!view || view.broken) continue;
    const local = world.localEnd(rel, model, app)!;
    const remote = world.remoteEnd(rel, model, app);
    const related: Record<string, unknown> = {};
    for (const r of view.remotes) related[world.unitNameFrom(rel, r, model)] = { 'in-scope': rel.scope.includes(r), data: { ...(rel.bags[r] ?? {}) } };
    info.push({
      'relation-id': rel.ids[model], endpoint: local.endpoint, 'related-endpoint': remote.endpoint,
      'application-data': { ...(rel.bags[`app:${appKey(remote.model, remote.app)}`] ?? {}) },
      'local-unit': { 'in-scope': rel.scope.includes(key), data: { ...(rel.bags[key] ?? {}) } },
      'related-units': related,
    });
  }
  const out: Record<string, unknown> = {
    'opened-ports': [...new Set(u.ports.map(formatPort))].sort(), charm: a.charm.name, leader: a.leader === unit,
    life: u.life, 'relation-info': info, machine: u.machine, 'public-address': u.publicAddress,
  };
  if (a.version) out['workload-version'] = a.version;
  return { [unit]: out };
}

/** `juju debug-log` lines: `unit-<app>-<n>: <time> <LEVEL> <module> <msg>` (contract §2.10). */
export function debugLog(world: World, model?: string): string[] {
  return world.state.log.filter((l) => model === undefined || l.model === model).map((l) => {
    const t = new Date(l.time).toISOString().slice(11, 19);
    return `unit-${l.unit.replace('/', '-')}: ${t} ${l.level} ${l.module} ${l.message}`;
  });
}

export interface ActionView { id: string; unit: string; action: string; status: string; message?: string; results: Record<string, unknown>; log: string[]; params: Record<string, unknown>; enqueued: string; started?: string; completed?: string }
export function actionResult(world: World, model: string, id: string): ActionView {
  const a = world.model(model).actions[id];
  if (!a) throw new OperatorError(`action "${id}" not found`);
  const v: ActionView = { id: a.id, unit: a.unit, action: a.name, status: a.status, results: structuredClone(a.results), log: a.log.map((l) => `${iso(l.time)} ${l.message}`), params: structuredClone(a.params), enqueued: iso(a.enqueued) };
  if (a.message) v.message = a.message;
  if (a.started !== undefined) v.started = iso(a.started);
  if (a.completed !== undefined) v.completed = iso(a.completed);
  return v;
}
