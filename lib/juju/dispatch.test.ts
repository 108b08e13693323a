import { afterEach, describe, expect, it } from '@jest/globals';
import { defineCharm, dispatch, main } from './dispatch.ts';
import type { CharmContext } from './dispatch.ts';
import { ActionFailed, active, BlockedStatus, WaitingStatus } from './status.ts';
import { FakeTools } from './testing/fake-tools.ts';
import { MemoryRunner } from './testing/runners.ts';

const BASE = {
  JUJU_UNIT_NAME: 'nats/0',
  JUJU_MODEL_NAME: 'edge',
  JUJU_MODEL_UUID: '8a0b6c4e-1d2f-4a3b-9c8d-7e6f5a4b3c2d',
  JUJU_VERSION: '3.6.1',
};
const hookEnv = (name: string, extra: Record<string, string> = {}) => ({ ...BASE, JUJU_DISPATCH_PATH: `hooks/${name}`, JUJU_HOOK_NAME: name, ...extra });
const relEnv = (name: string, ep: string) => hookEnv(name, { JUJU_RELATION: ep, JUJU_RELATION_ID: `${ep}:4`, JUJU_REMOTE_APP: 'agent', JUJU_REMOTE_UNIT: '' });
const actionEnv = (name: string) => ({ ...BASE, JUJU_DISPATCH_PATH: `actions/${name}`, JUJU_HOOK_NAME: '', JUJU_ACTION_NAME: name, JUJU_ACTION_UUID: '5' });

async function run(charm: ReturnType<typeof defineCharm>, env: Record<string, string>, runner = new MemoryRunner()) {
  const stderr: string[] = [];
  const code = await dispatch(charm, { env, runner, stderr: (l) => void stderr.push(l) });
  return { code, stderr, argvs: runner.argvs(), runner };
}

describe('dispatch: hooks', () => {
  it('runs reconcile for a plain hook and sets the status it returns', async () => {
    const seen: string[] = [];
    const charm = defineCharm({ reconcile: (ctx) => { seen.push(ctx.hook.name); return active('ready'); } });
    const { code, argvs } = await run(charm, hookEnv('update-status'));
    expect(code).toBe(0);
    expect(seen).toEqual(['update-status']);
    expect(argvs).toEqual([['status-set', 'active', 'ready']]);
  });

  it('reconcile returning nothing leaves the status alone', async () => {
    const { code, argvs } = await run(defineCharm({ reconcile: () => undefined }), hookEnv('config-changed'));
    expect(code).toBe(0);
    expect(argvs).toEqual([]);
  });

  it('the exact hook name wins over the generic kind; the generic key serves other endpoints', async () => {
    const calls: string[] = [];
    const charm = defineCharm({
      hooks: {
        'client-relation-broken': () => void calls.push('exact'),
        'relation-broken': (ctx: CharmContext) => void calls.push(`generic:${ctx.hook.relation?.endpoint}:${ctx.hook.relation?.id}`),
      },
      reconcile: () => void calls.push('reconcile'),
    });
    await run(charm, relEnv('client-relation-broken', 'client'));
    await run(charm, relEnv('ams-relation-broken', 'ams'));
    expect(calls).toEqual(['exact', 'reconcile', 'generic:ams:4', 'reconcile']);
  });

  it('secret hooks key on their exact name and see the revision', async () => {
    const seen: unknown[] = [];
    const charm = defineCharm({ hooks: { 'secret-remove': (ctx) => void seen.push(ctx.hook.secret) } });
    await run(charm, hookEnv('secret-remove', { JUJU_SECRET_ID: 'secret:cn1', JUJU_SECRET_LABEL: 'ca', JUJU_SECRET_REVISION: '2' }));
    expect(seen).toEqual([{ id: 'secret:cn1', label: 'ca', revision: 2 }]);
  });

  it('a BlockedStatus from a handler sets the status, skips reconcile and exits 0', async () => {
    let reconciled = false;
    const charm = defineCharm({
      hooks: { 'config-changed': () => { throw new BlockedStatus('invalid port "x"'); } },
      reconcile: () => { reconciled = true; },
    });
    const { code, argvs } = await run(charm, hookEnv('config-changed'));
    expect(code).toBe(0);
    expect(reconciled).toBe(false);
    expect(argvs).toEqual([['status-set', 'blocked', 'invalid port "x"']]);
  });

  it('a WaitingStatus from reconcile sets the status and exits 0', async () => {
    const { code, argvs } = await run(defineCharm({ reconcile: async () => { throw new WaitingStatus('waiting for leader'); } }), hookEnv('start'));
    expect(code).toBe(0);
    expect(argvs).toEqual([['status-set', 'waiting', 'waiting for leader']]);
  });

  it('stop and remove skip reconcile by default; skipReconcile overrides', async () => {
    let n = 0;
    const charm = defineCharm({ reconcile: () => { n++; } });
    await run(charm, hookEnv('stop'));
    await run(charm, hookEnv('remove'));
    expect(n).toBe(0);
    await run(defineCharm({ reconcile: () => { n++; }, skipReconcile: ['relation-departed'] }), hookEnv('remove'));
    expect(n).toBe(1);
  });

  it('an unexpected error: one redacted line on stderr and juju-log ERROR, exit 1', async () => {
    const runner = new MemoryRunner((tool) => (tool === 'secret-get' ? { stdout: '{"token":"tok-very-secret"}\n' } : undefined));
    const charm = defineCharm({
      reconcile: (ctx) => {
        const { token } = ctx.tools.secretGet({ label: 'nats-token' });
        throw new Error(`cannot connect with ${token}\nsecond line`);
      },
    });
    const { code, stderr, argvs } = await run(charm, hookEnv('config-changed'), runner);
    expect(code).toBe(1);
    expect(stderr).toEqual(['config-changed failed: Error: cannot connect with <redacted> second line']);
    expect(argvs.at(-1)).toEqual(['juju-log', '--log-level', 'ERROR', 'config-changed failed: Error: cannot connect with <redacted> second line']);
    expect(JSON.stringify(argvs)).not.toContain('tok-very-secret');
  });

  it('a failing status-set while reporting a StatusError is an unexpected error (exit 1)', async () => {
    const runner = new MemoryRunner((tool) => (tool === 'status-set' ? { exitCode: 1, stderr: 'ERROR connection is shut down\n' } : undefined));
    const { code, stderr } = await run(defineCharm({ reconcile: () => { throw new BlockedStatus('x'); } }), hookEnv('start'), runner);
    expect(code).toBe(1);
    expect(stderr[0]).toContain('status-set failed (exit 1): connection is shut down');
  });

  it('a bad environment: exit 1 naming the variable, no tool called', async () => {
    const { code, stderr, argvs } = await run(defineCharm({}), { ...hookEnv('install'), JUJU_UNIT_NAME: '' });
    expect(code).toBe(1);
    expect(stderr).toEqual(['charm: cannot start: HookContextError: JUJU_UNIT_NAME: not set']);
    expect(argvs).toEqual([]);
  });

  it('the context carries the version and the relation for tools', async () => {
    const charm = defineCharm({
      reconcile: (ctx) => {
        expect(ctx.version.hasSecrets).toBe(true);
        ctx.tools.relationList(4); // numeric id → sent as client:4
      },
    });
    const { argvs } = await run(charm, relEnv('client-relation-changed', 'client'));
    expect(argvs).toEqual([['relation-list', '-r', 'client:4', '--format=json']]);
  });
});

describe('dispatch: actions', () => {
  it('runs the action handler with params; its results go to action-set; no reconcile', async () => {
    const runner = new MemoryRunner((tool) => (tool === 'action-get' ? { stdout: '{"target":"/srv"}\n' } : undefined));
    let reconciled = false;
    const charm = defineCharm({ actions: { backup: (ctx) => ({ path: `${String(ctx.params.target)}/b.tar` }) }, reconcile: () => { reconciled = true; } });
    const { code, argvs } = await run(charm, actionEnv('backup'), runner);
    expect(code).toBe(0);
    expect(reconciled).toBe(false);
    expect(argvs).toEqual([['action-get', '--format=json'], ['action-set', 'path=/srv/b.tar']]);
  });

  it('an unknown action is action-fail, exit 0', async () => {
    const { code, argvs } = await run(defineCharm({}), actionEnv('nope'));
    expect(code).toBe(0);
    expect(argvs).toEqual([['action-fail', 'action "nope" is not implemented by this charm']]);
  });

  it('ActionFailed or a StatusError → action-fail <message>, exit 0; other errors exit 1', async () => {
    const failing = defineCharm({ actions: { a: () => { throw new ActionFailed('nothing to back up'); }, b: () => { throw new TypeError('bug'); } } });
    const r1 = await run(failing, actionEnv('a'));
    expect(r1.code).toBe(0);
    expect(r1.argvs.at(-1)).toEqual(['action-fail', 'nothing to back up']);
    const blocked = await run(defineCharm({ actions: { c: () => { throw new BlockedStatus('no leader yet'); } } }), actionEnv('c'));
    expect(blocked.code).toBe(0);
    expect(blocked.argvs.at(-1)).toEqual(['action-fail', 'no leader yet']);
    const r2 = await run(failing, actionEnv('b'));
    expect(r2.code).toBe(1);
    expect(r2.stderr).toEqual(['b failed: TypeError: bug']);
  });
});

describe('defineCharm', () => {
  it('rejects a hook key that names no hook (typo guard)', () => {
    expect(() => defineCharm({ hooks: { 'config-change': () => undefined } })).toThrow('"config-change" is neither');
    expect(() => defineCharm({ hooks: { 'relation-broken': () => undefined, 'db-relation-joined': () => undefined, install: () => undefined } })).not.toThrow();
  });
});

describe('dispatch over real processes', () => {
  let fake: FakeTools | undefined;
  afterEach(() => fake?.cleanup());

  it('builds a SpawnRunner over the given env (PATH from env) when none is passed', async () => {
    fake = FakeTools.create();
    fake.on('status-set', ['active']);
    const code = await dispatch(defineCharm({ reconcile: () => active() }), { env: { ...fake.env(), ...hookEnv('update-status') } });
    expect(code).toBe(0);
    expect(fake.argvs()).toEqual([['status-set', 'active']]);
  });

  it('main() sets process.exitCode', async () => {
    const before = process.exitCode;
    try {
      await main(defineCharm({ reconcile: () => { throw new Error('x'); } }), { env: hookEnv('start'), runner: new MemoryRunner(), stderr: () => undefined });
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = before;
    }
  });
});
