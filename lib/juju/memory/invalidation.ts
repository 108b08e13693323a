/**
 * Which remembered hook-tool reads a hook can have made stale (the hook memory, design note in
 * hook-memory.ts). A read survives into a hook unless Juju can have changed its answer before
 * that hook, and Juju tells a unit about every such change with a hook (contract §1.4):
 *
 * - config-get, unit-get, network-get: "Config / trust / IP change → config-changed" (§1.4);
 * - relation-ids: a relation appears with `-relation-created` and is gone in `-relation-broken`
 *   (§1.4: during broken `relation-ids` no longer lists it);
 * - relation-list: changes with `-joined` / `-departed` (and created/broken) of that relation;
 * - a remote unit's bag: "Remote unit/app writes data → -relation-changed on the other side"
 *   (§1.4), with JUJU_REMOTE_UNIT naming the writer; joined/departed name it too;
 * - a remote app bag (and a peer relation's app bag, whose "remote" app is ours): a change
 *   fires -relation-changed with JUJU_REMOTE_UNIT empty (§1.2), so it is dropped by such a
 *   hook, and by joined/departed/created/broken of its relation, not by a unit's change;
 * - our own unit bag and unit state only change by our own writes, which the memory records as
 *   they commit (a failed hook saves no memory at all);
 * - our own app bag and leader-get: the leader writes them; leadership moves with
 *   `leader-elected` / `leader-settings-changed` (§1.4, §2.8);
 * - is-leader: changes with leader-elected (new leader) / leader-settings-changed (the others,
 *   §1.4). A `true` is a lease (§2.8): never recalled for a read, but a skip (which writes
 *   nothing) may rely on it until one of those hooks;
 * - secrets: a plain `secret-get` answers the tracked revision, which moves only when this unit
 *   refreshes (§3.5 rules 2–4); a new revision is announced by `secret-changed` (§3.6), and
 *   owners learn of removals/rotation by the other secret hooks. Every secret-* hook and every
 *   leadership change therefore drops every secret read (contents are never stored anyway).
 * Hooks that reset a unit's view (install, start, upgrade-charm, stop, remove, series upgrades,
 * storage and pebble hooks, and hook names unknown to us) drop everything.
 */
import type { HookKind } from '../context.ts';

export interface MemoryEvent {
  readonly kind: HookKind;
  readonly unitName: string;
  readonly appName: string;
  readonly relation?: { readonly endpoint: string; readonly id: number };
  readonly remoteUnit?: string;
  readonly departingUnit?: string;
}

/** Keys of remembered reads. One builder per hook tool, so readers and rules agree. */
export const memoryKey = {
  config: (): string => 'config',
  relationIds: (endpoint: string): string => `rids|${endpoint}`,
  relationList: (id: number): string => `units|${id}`,
  remoteApp: (id: number): string => `remote-app|${id}`,
  bag: (id: number, scope: 'unit' | 'app', name: string): string => `bag|${id}|${scope}|${name}`,
  relationModel: (id: number): string => `rmodel|${id}`,
  network: (binding: string, id: number | undefined): string => `net|${binding}|${id ?? ''}`,
  unitGet: (setting: string): string => `unit-get|${setting}`,
  leaderGet: (): string => 'leader-get',
  state: (): string => 'state',
  openedPorts: (): string => 'opened-ports',
  isLeader: (): string => 'is-leader',
  secret: (id: string, label: string, mode: string): string => `secret|${id}|${label}|${mode}`,
  secretInfo: (id: string, label: string): string => `secret-info|${id}|${label}`,
  secretIds: (): string => 'secret-ids',
};

const DROP_ALL: ReadonlySet<HookKind> = new Set<HookKind>([
  'install', 'start', 'upgrade-charm', 'stop', 'remove', 'pre-series-upgrade', 'post-series-upgrade',
  'storage-attached', 'storage-detaching', 'pebble-ready', 'pebble-custom-notice', 'pebble-check-failed',
  'pebble-check-recovered', 'action', 'other',
]);

/** `'all'` when the hook resets the unit's view, else a predicate: true = the read is stale. */
export function staleReads(event: MemoryEvent): 'all' | ((key: string) => boolean) {
  if (DROP_ALL.has(event.kind)) return 'all';
  const leadership = event.kind === 'leader-elected' || event.kind === 'leader-settings-changed';
  const secretHook = event.kind.startsWith('secret-');
  const rel = event.relation;
  const relationHook = event.kind.startsWith('relation-') && rel !== undefined;
  const wholeRelation = relationHook && (event.kind === 'relation-created' || event.kind === 'relation-broken');
  const namedUnits = new Set([event.remoteUnit, event.departingUnit].filter((u): u is string => !!u));

  return (key: string): boolean => {
    const parts = key.split('|');
    const tool = parts[0];
    switch (tool) {
      case 'config':
      case 'net':
      case 'unit-get':
        return event.kind === 'config-changed';
      case 'rids':
        return wholeRelation && parts[1] === rel?.endpoint;
      case 'units':
        return relationHook && Number(parts[1]) === rel?.id && event.kind !== 'relation-changed';
      case 'remote-app':
      case 'rmodel':
        return wholeRelation && Number(parts[1]) === rel?.id;
      case 'bag': {
        const [, id, scope, name] = parts;
        const own = scope === 'unit' ? name === event.unitName : name === event.appName;
        // Our own unit bag changes only by our writes; IP changes rewrite its addresses (§2.3).
        if (scope === 'unit' && own) return event.kind === 'config-changed' || (wholeRelation && Number(id) === rel?.id);
        if (scope === 'app' && own && leadership) return true;
        if (!relationHook || Number(id) !== rel?.id) return false;
        if (wholeRelation) return true;
        if (scope === 'app') return event.kind !== 'relation-changed' || namedUnits.size === 0;
        return namedUnits.has(name ?? '');
      }
      case 'leader-get':
        return leadership;
      case 'is-leader':
        return leadership;
      case 'secret':
      case 'secret-info':
      case 'secret-ids':
        return secretHook || leadership || wholeRelation;
      case 'state':
      case 'opened-ports':
        return false;
      default:
        return true; // a key this version does not know: never trust it
    }
  };
}
