/** The in-process transport: InProcessRunner, runNextHook and settle (style.md #8). */
import { describe, expect, it } from '@jest/globals';
import { Tools } from '../juju/hook-tools.ts';
import { InProcessRunner, runNextHook, settle, type InProcessDispatch } from './in-process.ts';
import { newEngine, PROVIDER, REQUIRER } from './tools/testkit.ts';

/** A tiny "charm": the provider publishes a secret id + url; the requirer reads them. */
const dispatch: InProcessDispatch = (env, runner) => {
  const tools = new Tools(runner, { unitName: env['JUJU_UNIT_NAME']!, ...(env['JUJU_RELATION_ID'] ? { relationId: env['JUJU_RELATION_ID'] as `${string}:${number}` } : {}) });
  const hook = env['JUJU_HOOK_NAME'];
  if (env['JUJU_UNIT_NAME']!.startsWith('db/') && hook === 'db-relation-joined' && tools.isLeader()) {
    const rid = env['JUJU_RELATION_ID'] as `${string}:${number}`;
    const id = tools.secretAdd({ password: 'pa$$ word\nline2' }, { label: `db.${rid.split(':')[1]}.password` });
    tools.secretGrant(id, rid);
    tools.relationSet(rid, { 'secret-id': id, url: 'pg://db' }, { app: true });
  }
  if (env['JUJU_UNIT_NAME']!.startsWith('web/') && hook === 'db-relation-changed') {
    const rid = env['JUJU_RELATION_ID'] as `${string}:${number}`;
    const data = tools.relationGet(rid, env['JUJU_REMOTE_APP']!, { app: true });
    if (data['secret-id']) {
      const secret = tools.secretGet({ id: data['secret-id'] });
      tools.stateSet({ password: secret['password']!, url: data['url']! });
      tools.statusSet('active', 'connected');
    }
  }
  return 0;
};

describe('in-process transport', () => {
  it('InProcessRunner answers lib/juju Tools from the engine; settle runs every hook', async () => {
    const engine = newEngine();
    engine.addModel('m');
    engine.deploy('m', PROVIDER, 'db', { units: 2 });
    engine.deploy('m', REQUIRER, 'web');
    engine.integrate('m', 'db', 'web');
    const ran = await settle(engine, dispatch);
    expect(ran.every((r) => r.exitCode === 0)).toBe(true);
    expect(ran.map((r) => `${r.hook.unit} ${r.hook.name}`)).toContain('web/0 db-relation-changed');
    const probe = engine.openContext('m', 'web/0');
    const runner = new InProcessRunner(engine, probe.contextId);
    expect(runner.run('state-get', ['password']).stdout).toBe('pa$$ word\nline2\n');
    expect(runner.run('status-get', []).stdout).toBe('active\n');
    expect(runner.calls.map((c) => c.tool)).toEqual(['state-get', 'status-get']);
    engine.finishHook(probe.contextId, { exitCode: 0 });
    // the secret content never appeared in argv
    for (const call of engine.toolCalls()) expect(call.args.join(' ')).not.toContain('pa$$');
  });

  it('a throwing dispatch is exit 1: the unit is in error and settle stops at it', async () => {
    const engine = newEngine();
    engine.addModel('m');
    engine.deploy('m', REQUIRER, 'web');
    const boom: InProcessDispatch = (env) => { if (env['JUJU_HOOK_NAME'] === 'config-changed') throw new Error('boom'); return 0; };
    const ran = await settle(engine, boom);
    expect(ran.map((r) => `${r.hook.name}:${r.exitCode}`)).toEqual(['install:0', 'leader-elected:0', 'config-changed:1']);
    expect((ran[2]!.error as Error).message).toBe('boom');
    expect(engine.pending('m')).toEqual({ 'm/web/0': ['config-changed', 'start'] });
    engine.resolve('m', 'web/0');
    expect((await runNextHook(engine, () => 0))?.hook.name).toBe('config-changed');
    expect(await settle(engine, () => 0)).toHaveLength(1);
    expect(await runNextHook(engine, () => 0)).toBeUndefined();
  });

  it('settle refuses to loop forever', async () => {
    const engine = newEngine();
    engine.addModel('m');
    engine.deploy('m', PROVIDER, 'db', { units: 2 });
    // every hook rewrites its peer data with a new value: an endless ping-pong
    let n = 0;
    const loop: InProcessDispatch = (env, runner) => {
      if (env['JUJU_HOOK_NAME']?.startsWith('cluster-relation')) runner.run('relation-set', ['-r', '0', `n=${n++}`]);
      return 0;
    };
    await expect(settle(engine, loop, { maxHooks: 50 })).rejects.toThrow('settle: more than 50 hooks ran');
  });
});
