import { describe, expect, it } from '@jest/globals';
import { classifyHook, HookContext, parseRelationId, parseUnitName } from './context.ts';
import { HookContextError } from './errors.ts';

const BASE = {
  JUJU_UNIT_NAME: 'nats/0',
  JUJU_MODEL_NAME: 'edge',
  JUJU_MODEL_UUID: '8a0b6c4e-1d2f-4a3b-9c8d-7e6f5a4b3c2d',
  JUJU_VERSION: '3.6.1',
  JUJU_CHARM_DIR: '/var/lib/juju/agents/unit-nats-0/charm',
  JUJU_MACHINE_ID: '1/lxd/2',
  JUJU_API_ADDRESSES: '10.0.0.1:17070 10.0.0.2:17070',
};
const hook = (name: string, extra: Record<string, string> = {}) => ({ ...BASE, JUJU_DISPATCH_PATH: `hooks/${name}`, JUJU_HOOK_NAME: name, ...extra });

function errorOf(fn: () => unknown): HookContextError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HookContextError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

describe('HookContext.fromEnv (contract §1.2)', () => {
  it('reads the common variables and parses the unit once', () => {
    const ctx = HookContext.fromEnv(hook('install'));
    expect(ctx).toMatchObject({
      dispatchPath: 'hooks/install', name: 'install', kind: 'install', modelName: 'edge', jujuVersion: '3.6.1',
      charmDir: '/var/lib/juju/agents/unit-nats-0/charm', machineId: '1/lxd/2', apiAddresses: ['10.0.0.1:17070', '10.0.0.2:17070'],
    });
    expect(ctx.unit).toEqual({ name: 'nats/0', app: 'nats', number: 0 });
    expect(ctx.appName).toBe('nats');
    expect(ctx.relation).toBeUndefined();
  });

  it('is frozen', () => {
    const ctx = HookContext.fromEnv(hook('start'));
    expect(Object.isFrozen(ctx)).toBe(true);
    expect(Object.isFrozen(ctx.unit)).toBe(true);
    expect(() => { (ctx as { name: string }).name = 'x'; }).toThrow(TypeError);
  });

  it.each([
    ['JUJU_UNIT_NAME', { JUJU_UNIT_NAME: '' }],
    ['JUJU_UNIT_NAME', { JUJU_UNIT_NAME: 'nats' }],
    ['JUJU_MODEL_NAME', { JUJU_MODEL_NAME: '' }],
    ['JUJU_MODEL_UUID', { JUJU_MODEL_UUID: 'not-a-uuid' }],
    ['JUJU_VERSION', { JUJU_VERSION: '' }],
    ['JUJU_VERSION', { JUJU_VERSION: 'banana' }],
    ['JUJU_VERSION', { JUJU_VERSION: '3.6.x' }],
    ['JUJU_HOOK_NAME', { JUJU_HOOK_NAME: 'start' }],
  ])('names the bad variable %s', (variable, bad) => {
    expect(errorOf(() => HookContext.fromEnv({ ...hook('install'), ...bad })).variable).toBe(variable);
  });

  it('needs a dispatch path; falls back to argv[0] when run as hooks/<name> (contract §1.1), then JUJU_HOOK_NAME', () => {
    const env = { ...BASE, JUJU_DISPATCH_PATH: '' };
    expect(HookContext.fromEnv({ ...env, JUJU_HOOK_NAME: 'start' }).dispatchPath).toBe('hooks/start');
    expect(errorOf(() => HookContext.fromEnv(env)).variable).toBe('JUJU_DISPATCH_PATH');
    expect(errorOf(() => HookContext.fromEnv(env, { argv0: '/charm/src/charm.js' })).variable).toBe('JUJU_DISPATCH_PATH');
    const ctx = HookContext.fromEnv(env, { argv0: '/var/lib/juju/agents/unit-nats-0/charm/hooks/config-changed' });
    expect(ctx.dispatchPath).toBe('hooks/config-changed');
    expect(ctx.kind).toBe('config-changed');
    expect(errorOf(() => HookContext.fromEnv({ ...BASE, JUJU_DISPATCH_PATH: 'src/charm.js' })).variable).toBe('JUJU_DISPATCH_PATH');
  });

  it('relation-joined: relation id parsed, remote unit and app', () => {
    const ctx = HookContext.fromEnv(hook('client-relation-joined', {
      JUJU_RELATION: 'client', JUJU_RELATION_ID: 'client:7', JUJU_REMOTE_UNIT: 'agent/2', JUJU_REMOTE_APP: 'agent',
    }));
    expect(ctx.kind).toBe('relation-joined');
    expect(ctx.relation).toEqual({ endpoint: 'client', id: 7, idString: 'client:7' });
    expect(ctx.remoteUnit).toBe('agent/2');
    expect(ctx.remoteApp).toBe('agent');
  });

  it('remote app falls back to the remote unit\'s app when JUJU_REMOTE_APP is empty (contract §1.2)', () => {
    const ctx = HookContext.fromEnv(hook('db-relation-changed', { JUJU_RELATION: 'db', JUJU_RELATION_ID: 'db:1', JUJU_REMOTE_UNIT: 'mysql/3', JUJU_REMOTE_APP: '' }));
    expect(ctx.remoteApp).toBe('mysql');
  });

  it('relation-changed from an app-bag change: no remote unit, remote app set', () => {
    const ctx = HookContext.fromEnv(hook('db-relation-changed', { JUJU_RELATION: 'db', JUJU_RELATION_ID: 'db:1', JUJU_REMOTE_UNIT: '', JUJU_REMOTE_APP: 'mysql' }));
    expect(ctx.remoteUnit).toBeUndefined();
    expect(ctx.remoteApp).toBe('mysql');
  });

  it('relation-created and -broken need no remote unit', () => {
    for (const h of ['db-relation-created', 'db-relation-broken']) {
      const ctx = HookContext.fromEnv(hook(h, { JUJU_RELATION: 'db', JUJU_RELATION_ID: 'db:1', JUJU_REMOTE_UNIT: '', JUJU_REMOTE_APP: 'mysql' }));
      expect(ctx.remoteUnit).toBeUndefined();
    }
  });

  it('relation-broken needs the remote app', () => {
    const env = hook('db-relation-broken', { JUJU_RELATION: 'db', JUJU_RELATION_ID: 'db:1', JUJU_REMOTE_UNIT: '', JUJU_REMOTE_APP: '' });
    expect(errorOf(() => HookContext.fromEnv(env)).variable).toBe('JUJU_REMOTE_APP');
  });

  it('relation-departed needs the departing unit', () => {
    const env = hook('db-relation-departed', { JUJU_RELATION: 'db', JUJU_RELATION_ID: 'db:1', JUJU_REMOTE_UNIT: 'mysql/1', JUJU_REMOTE_APP: 'mysql' });
    expect(errorOf(() => HookContext.fromEnv(env)).variable).toBe('JUJU_DEPARTING_UNIT');
    expect(HookContext.fromEnv({ ...env, JUJU_DEPARTING_UNIT: 'nats/0' }).departingUnit).toBe('nats/0');
  });

  it.each([
    ['JUJU_RELATION_ID', { JUJU_RELATION_ID: '' }],
    ['JUJU_RELATION_ID', { JUJU_RELATION_ID: 'db:x' }],
    ['JUJU_RELATION', { JUJU_RELATION: 'other' }],
    ['JUJU_REMOTE_UNIT', { JUJU_REMOTE_UNIT: '' }],
    ['JUJU_REMOTE_UNIT', { JUJU_REMOTE_UNIT: 'bad unit' }],
  ])('relation-joined with a bad %s', (variable, bad) => {
    const env = hook('db-relation-joined', { JUJU_RELATION: 'db', JUJU_RELATION_ID: 'db:1', JUJU_REMOTE_UNIT: 'mysql/0', JUJU_REMOTE_APP: 'mysql', ...bad });
    expect(errorOf(() => HookContext.fromEnv(env)).variable).toBe(variable);
  });

  it('secret hooks: id, label; revision for secret-remove/-expired', () => {
    const changed = HookContext.fromEnv(hook('secret-changed', { JUJU_SECRET_ID: 'secret://8a0b6c4e-1d2f-4a3b-9c8d-7e6f5a4b3c2d/cn1', JUJU_SECRET_LABEL: 'upstream' }));
    expect(changed.secret).toEqual({ id: 'secret://8a0b6c4e-1d2f-4a3b-9c8d-7e6f5a4b3c2d/cn1', label: 'upstream' });
    const remove = HookContext.fromEnv(hook('secret-remove', { JUJU_SECRET_ID: 'secret:cn1', JUJU_SECRET_LABEL: '', JUJU_SECRET_REVISION: '3' }));
    expect(remove.secret).toEqual({ id: 'secret:cn1', label: '', revision: 3 });
    expect(errorOf(() => HookContext.fromEnv(hook('secret-expired', { JUJU_SECRET_ID: 'secret:cn1' }))).variable).toBe('JUJU_SECRET_REVISION');
    expect(errorOf(() => HookContext.fromEnv(hook('secret-rotate', {}))).variable).toBe('JUJU_SECRET_ID');
    expect(errorOf(() => HookContext.fromEnv(hook('secret-remove', { JUJU_SECRET_ID: 'secret:cn1', JUJU_SECRET_REVISION: '0' }))).variable).toBe('JUJU_SECRET_REVISION');
  });

  it('actions: actions/<name>, JUJU_HOOK_NAME empty, name/uuid required (contract §1.2)', () => {
    const env = { ...BASE, JUJU_DISPATCH_PATH: 'actions/backup', JUJU_HOOK_NAME: '', JUJU_ACTION_NAME: 'backup', JUJU_ACTION_UUID: '2', JUJU_ACTION_TAG: 'action-2' };
    const ctx = HookContext.fromEnv(env);
    expect(ctx.kind).toBe('action');
    expect(ctx.isAction).toBe(true);
    expect(ctx.action).toEqual({ name: 'backup', id: '2', tag: 'action-2' });
    expect(errorOf(() => HookContext.fromEnv({ ...env, JUJU_ACTION_UUID: '' })).variable).toBe('JUJU_ACTION_UUID');
    expect(errorOf(() => HookContext.fromEnv({ ...env, JUJU_ACTION_NAME: 'restore' })).variable).toBe('JUJU_ACTION_NAME');
  });

  it('storage and pebble hooks', () => {
    const st = HookContext.fromEnv(hook('data-storage-attached', { JUJU_STORAGE_ID: 'data/0', JUJU_STORAGE_LOCATION: '/srv/data', JUJU_STORAGE_KIND: 'filesystem' }));
    expect(st.storage).toEqual({ id: 'data/0', name: 'data', location: '/srv/data', kind: 'filesystem' });
    expect(errorOf(() => HookContext.fromEnv(hook('data-storage-detaching'))).variable).toBe('JUJU_STORAGE_ID');
    expect(HookContext.fromEnv(hook('nats-pebble-ready', { JUJU_WORKLOAD_NAME: 'nats' })).workloadName).toBe('nats');
    expect(errorOf(() => HookContext.fromEnv(hook('nats-pebble-ready'))).variable).toBe('JUJU_WORKLOAD_NAME');
  });

  it('meter-status-changed tolerates a missing JUJU_VERSION (contract §1.2)', () => {
    expect(HookContext.fromEnv({ ...hook('meter-status-changed'), JUJU_VERSION: '' }).jujuVersion).toBe('');
  });
});

describe('classification and parsing', () => {
  it.each([
    ['install', 'install', undefined], ['update-status', 'update-status', undefined], ['leader-elected', 'leader-elected', undefined],
    ['upgrade-charm', 'upgrade-charm', undefined], ['secret-rotate', 'secret-rotate', undefined],
    ['db-relation-created', 'relation-created', 'db'], ['my-peers-relation-departed', 'relation-departed', 'my-peers'],
    ['ca-client-relation-broken', 'relation-broken', 'ca-client'], ['data-storage-attached', 'storage-attached', 'data'],
    ['web-pebble-check-failed', 'pebble-check-failed', 'web'], ['some-future-hook', 'other', undefined],
  ])('%s → %s', (name, kind, prefix) => {
    expect(classifyHook(name)).toEqual(prefix === undefined ? { kind } : { kind, prefix });
  });

  it('parses relation ids at the last colon and unit names', () => {
    expect(parseRelationId('db:12')).toEqual({ endpoint: 'db', id: 12, idString: 'db:12' });
    expect(parseRelationId('12')).toBeNull();
    expect(parseRelationId('db:')).toBeNull();
    expect(parseUnitName('remote-76cd96ab50f146b284912afd1cc13a0e/3')).toEqual({ name: 'remote-76cd96ab50f146b284912afd1cc13a0e/3', app: 'remote-76cd96ab50f146b284912afd1cc13a0e', number: 3 });
    expect(parseUnitName('app')).toBeNull();
  });
});

describe('HookContext.forTest (lenient)', () => {
  it('fills defaults and classifies from the name', () => {
    const ctx = HookContext.forTest({ name: 'db-relation-changed', relation: { endpoint: 'db', id: 1, idString: 'db:1' } });
    expect(ctx.kind).toBe('relation-changed');
    expect(ctx.dispatchPath).toBe('hooks/db-relation-changed');
    expect(ctx.unit.name).toBe('app/0');
    expect(HookContext.forTest({ dispatchPath: 'actions/backup' }).kind).toBe('action');
  });
});
