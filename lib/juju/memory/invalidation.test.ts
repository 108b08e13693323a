/**
 * Which remembered reads each hook makes stale (invalidation.ts), as one table: every row lists
 * exactly the stale keys among a fixed set of keys, so a rule that drops too much (a missed
 * saving) fails as surely as one that keeps too much (a stale answer).
 */
import { describe, expect, it } from '@jest/globals';
import type { HookKind } from '../context.ts';
import { memoryKey as K, staleReads, type MemoryEvent } from './invalidation.ts';

const UNIT = 'ams/0';
const APP = 'ams';
/** The hook's relation (db:3, remote app pg) and another one (peers:7). */
const DB = { endpoint: 'db', id: 3 };

const event = (kind: HookKind, extra: Partial<MemoryEvent> = {}): MemoryEvent => ({ kind, unitName: UNIT, appName: APP, ...extra });
const relEvent = (kind: HookKind, extra: Partial<MemoryEvent> = {}): MemoryEvent => event(kind, { relation: DB, ...extra });

const KEYS = {
  config: K.config(),
  net: K.network('db', undefined),
  netRel: K.network('db', 3),
  unitGet: K.unitGet('private-address'),
  ridsDb: K.relationIds('db'),
  ridsPeers: K.relationIds('peers'),
  unitsDb: K.relationList(3),
  unitsPeers: K.relationList(7),
  remoteAppDb: K.remoteApp(3),
  remoteAppPeers: K.remoteApp(7),
  modelDb: K.relationModel(3),
  modelPeers: K.relationModel(7),
  bagPg0: K.bag(3, 'unit', 'pg/0'),
  bagPg1: K.bag(3, 'unit', 'pg/1'),
  bagPgApp: K.bag(3, 'app', 'pg'),
  bagOwnUnit: K.bag(3, 'unit', UNIT),
  bagOwnApp: K.bag(3, 'app', APP),
  peerBagAms1: K.bag(7, 'unit', 'ams/1'),
  peerBagPg0: K.bag(7, 'unit', 'pg/0'), // same unit name as db's pg/0, other relation
  peerBagOwnUnit: K.bag(7, 'unit', UNIT),
  peerBagOwnApp: K.bag(7, 'app', APP),
  leaderGet: K.leaderGet(),
  isLeader: K.isLeader(),
  secret: K.secret('secret:abc', 'ca', 'get'),
  secretPeek: K.secret('', 'ca', 'peek'),
  secretInfo: K.secretInfo('secret:abc', ''),
  secretIds: K.secretIds(),
  state: K.state(),
  openedPorts: K.openedPorts(),
  unknown: 'future-tool|x',
} as const;
type Name = keyof typeof KEYS;

const SECRETS: Name[] = ['secret', 'secretPeek', 'secretInfo', 'secretIds'];
/** Every key of relation db:3 (created/broken make all of them stale). */
const WHOLE_DB: Name[] = ['ridsDb', 'unitsDb', 'remoteAppDb', 'modelDb', 'bagPg0', 'bagPg1', 'bagPgApp', 'bagOwnUnit', 'bagOwnApp'];

const ROWS: ReadonlyArray<[string, MemoryEvent, Name[]]> = [
  ['update-status: nothing but unknown keys', event('update-status'), ['unknown']],
  ['config-changed: config, addresses and our own unit bags (IP change, §1.4 / §2.3)', event('config-changed'),
    ['config', 'net', 'netRel', 'unitGet', 'bagOwnUnit', 'peerBagOwnUnit', 'unknown']],
  ['relation-changed naming pg/0: that bag only (app data changes come with JUJU_REMOTE_UNIT empty, §1.2)', relEvent('relation-changed', { remoteUnit: 'pg/0' }),
    ['bagPg0', 'unknown']],
  ['relation-changed naming no unit (app data): only the relation\'s app bags', relEvent('relation-changed'),
    ['bagPgApp', 'bagOwnApp', 'unknown']],
  ['relation-joined pg/1: its bag, the unit list, the app bags', relEvent('relation-joined', { remoteUnit: 'pg/1' }),
    ['unitsDb', 'bagPg1', 'bagPgApp', 'bagOwnApp', 'unknown']],
  ['relation-departed pg/1 (departing pg/1): its bag, the unit list, the app bags', relEvent('relation-departed', { remoteUnit: 'pg/1', departingUnit: 'pg/1' }),
    ['unitsDb', 'bagPg1', 'bagPgApp', 'bagOwnApp', 'unknown']],
  ['relation-departed where the departing unit differs from the remote unit: both bags', relEvent('relation-departed', { remoteUnit: 'pg/0', departingUnit: 'pg/1' }),
    ['unitsDb', 'bagPg0', 'bagPg1', 'bagPgApp', 'bagOwnApp', 'unknown']],
  ['relation-departed where we are the departing unit: our own bag is kept', relEvent('relation-departed', { remoteUnit: 'pg/0', departingUnit: UNIT }),
    ['unitsDb', 'bagPg0', 'bagPgApp', 'bagOwnApp', 'unknown']],
  ['relation-created: everything of that relation, and secrets', relEvent('relation-created'), [...WHOLE_DB, ...SECRETS, 'unknown']],
  ['relation-broken: everything of that relation, and secrets', relEvent('relation-broken'), [...WHOLE_DB, ...SECRETS, 'unknown']],
  ['leader-elected: own app bags, leader-get, is-leader, secrets', event('leader-elected'),
    ['bagOwnApp', 'peerBagOwnApp', 'leaderGet', 'isLeader', ...SECRETS, 'unknown']],
  ['leader-settings-changed: as leader-elected (the old leader learns of its loss here, §1.4)', event('leader-settings-changed'),
    ['bagOwnApp', 'peerBagOwnApp', 'leaderGet', 'isLeader', ...SECRETS, 'unknown']],
  ['secret-changed: secrets only', event('secret-changed'), [...SECRETS, 'unknown']],
  ['secret-rotate: secrets only', event('secret-rotate'), [...SECRETS, 'unknown']],
  ['secret-remove: secrets only', event('secret-remove'), [...SECRETS, 'unknown']],
  ['secret-expired: secrets only', event('secret-expired'), [...SECRETS, 'unknown']],
];

function staleNames(e: MemoryEvent): Name[] {
  const stale = staleReads(e);
  if (stale === 'all') throw new Error(`${e.kind}: expected a predicate, got 'all'`);
  return (Object.keys(KEYS) as Name[]).filter((name) => stale(KEYS[name]));
}

describe('staleReads', () => {
  it.each(ROWS)('%s', (_title, e, expected) => {
    expect(staleNames(e).sort()).toEqual([...expected].sort());
  });

  it.each<HookKind>([
    'install', 'start', 'upgrade-charm', 'stop', 'remove', 'pre-series-upgrade', 'post-series-upgrade',
    'storage-attached', 'storage-detaching', 'pebble-ready', 'pebble-custom-notice', 'pebble-check-failed',
    'pebble-check-recovered', 'action', 'other',
  ])('%s resets the unit\'s view: all', (kind) => {
    expect(staleReads(event(kind))).toBe('all');
  });

  it('a relation hook of another relation leaves db:3 untouched', () => {
    const names = staleNames(event('relation-changed', { relation: { endpoint: 'peers', id: 7 }, remoteUnit: 'pg/0' }));
    expect(names.filter((n) => WHOLE_DB.includes(n))).toEqual([]);
    expect(names).toContain('peerBagPg0'); // the named unit's bag in ITS relation
    expect(names).not.toContain('bagPg0');
  });

  it('relation-created of another endpoint keeps db\'s relation-ids and bags', () => {
    const names = staleNames(event('relation-created', { relation: { endpoint: 'peers', id: 7 } }));
    expect(names).toContain('ridsPeers');
    expect(names).not.toContain('ridsDb');
    expect(names.filter((n) => WHOLE_DB.includes(n))).toEqual([]);
  });

  it('unit state and opened-ports are never stale; unknown keys always are', () => {
    const events = [...ROWS.map(([, e]) => e), event('config-changed'), event('collect-metrics'), event('meter-status-changed')];
    for (const e of events) {
      const stale = staleReads(e);
      if (stale === 'all') throw new Error(e.kind);
      expect([e.kind, stale(KEYS.state), stale(KEYS.openedPorts)]).toEqual([e.kind, false, false]);
      for (const key of ['', 'bogus', 'config-get', 'secret-get|x', 'relation-get|3|unit|pg/0']) expect([e.kind, key, stale(key)]).toEqual([e.kind, key, true]);
    }
  });

  it('a relation hook event without a relation (malformed) makes no relation key stale', () => {
    const names = staleNames(event('relation-changed', { remoteUnit: 'pg/0' }));
    expect(names).toEqual(['unknown']);
  });
});
