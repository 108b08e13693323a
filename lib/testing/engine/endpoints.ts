/**
 * `juju integrate` endpoint resolution: match provides↔requires by interface, honour explicit
 * `app:endpoint`, restrict SAAS sides to offered endpoints (contract §4.3), refuse peers.
 */
import type { CharmSpec } from './api.ts';
import { OperatorError } from './errors.ts';
import type { RelationEnd } from './state.ts';
import type { World } from './world.ts';

export interface Side { model: string; app: string; endpoint?: string; display: string; saas?: { endpoints: string[] } }

interface Candidate { endpoint: string; role: 'provider' | 'requirer'; interface: string }

function candidates(charm: CharmSpec, side: Side): Candidate[] {
  const out: Candidate[] = [];
  for (const [endpoint, spec] of Object.entries(charm.provides)) out.push({ endpoint, role: 'provider', interface: spec.interface });
  for (const [endpoint, spec] of Object.entries(charm.requires)) out.push({ endpoint, role: 'requirer', interface: spec.interface });
  if (side.endpoint !== undefined && charm.peers[side.endpoint]) {
    throw new OperatorError(`cannot relate peer endpoint "${side.display}:${side.endpoint}"`);
  }
  return out.filter((c) => (side.endpoint === undefined || c.endpoint === side.endpoint) && (!side.saas || side.saas.endpoints.includes(c.endpoint)));
}

export function resolveEndpoints(world: World, a: Side, b: Side): [RelationEnd, RelationEnd] {
  if (a.model === b.model && a.app === b.app) throw new OperatorError('cannot relate an application to itself');
  const ca = candidates(world.app(a.model, a.app).charm, a);
  const cb = candidates(world.app(b.model, b.app).charm, b);
  for (const s of [a, b]) {
    if (s.endpoint !== undefined && (s === a ? ca : cb).length === 0) {
      throw new OperatorError(s.saas ? `endpoint "${s.endpoint}" is not offered by "${s.display}"` : `application "${s.display}" has no "${s.endpoint}" relation`);
    }
  }
  const pairs: Array<[Candidate, Candidate]> = [];
  for (const x of ca) for (const y of cb) if (x.interface === y.interface && x.role !== y.role) pairs.push([x, y]);
  if (pairs.length === 0) throw new OperatorError(`no relations found between "${a.display}" and "${b.display}"`);
  if (pairs.length > 1) {
    const list = pairs.map(([x, y]) => `${a.display}:${x.endpoint} ${b.display}:${y.endpoint}`).join(', ');
    throw new OperatorError(`ambiguous relation: "${a.display} ${b.display}" could refer to ${list}`);
  }
  const [x, y] = pairs[0]!;
  return [
    { model: a.model, app: a.app, endpoint: x.endpoint, role: x.role, seenAs: a.app },
    { model: b.model, app: b.app, endpoint: y.endpoint, role: y.role, seenAs: b.app },
  ];
}

/** `[controller:][owner/]model.offer` → model and offer names (contract §4.1). */
export function parseOfferUrl(url: string): { model: string; offer: string } {
  let rest = url;
  const colon = rest.indexOf(':');
  if (colon >= 0) rest = rest.slice(colon + 1);
  const slash = rest.indexOf('/');
  if (slash >= 0) rest = rest.slice(slash + 1);
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1) throw new OperatorError(`offer URL "${url}" not valid`);
  return { model: rest.slice(0, dot), offer: rest.slice(dot + 1) };
}
