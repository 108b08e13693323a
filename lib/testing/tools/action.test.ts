/** Conformance: action-get/-set/-fail/-log and action results (contract §1.5, §2.11). */
import { describe, expect, it } from '@jest/globals';
import { drain, err, inUnit, ok, scene, sh, until } from './testkit.ts';

describe.each([['3.6.8'], ['2.9.49']])('action tools on Juju %s (contract §2.11)', (version) => {
  it('outside an action every action tool fails with exit 1 "not running an action"', () => {
    const { engine } = scene(version);
    const u = inUnit(engine, 'db/0');
    for (const cmd of ['action-get', 'action-set a=b', 'action-fail', 'action-log hi']) expect(u.run(cmd)).toEqual(err(1, 'not running an action'));
  });

  it('action env, typed params with defaults, nested keys and missing paths', () => {
    const { engine } = scene(version);
    const id = engine.enqueueAction('m', 'db/0', 'backup', { count: '3' });
    const h = until(engine, (x) => x.kind === 'action');
    expect(h.env).toMatchObject({ JUJU_ACTION_NAME: 'backup', JUJU_ACTION_UUID: id, JUJU_ACTION_TAG: `action-${id}`, JUJU_HOOK_NAME: '', JUJU_DISPATCH_PATH: 'actions/backup' });
    const run = (c: string) => sh(engine, h.contextId, c);
    expect(run('action-get --format json')).toEqual(ok('{"count":3,"nested":{"a":{"b":"c"}},"target":"/tmp"}\n'));
    expect(run('action-get count')).toEqual(ok('3\n'));
    expect(run('action-get nested.a.b')).toEqual(ok('c\n'));
    expect(run('action-get nested.x --format json')).toEqual(ok('null\n'));
    expect(run('action-get a b')).toEqual(err(2, 'unrecognized args: ["b"]'));
    engine.finishHook(h.contextId, { exitCode: 0 });
  });

  it('action-set validation errors are exit 2 with Juju texts', () => {
    const { engine } = scene(version);
    engine.enqueueAction('m', 'db/0', 'backup');
    const h = until(engine, (x) => x.kind === 'action');
    const run = (c: string) => sh(engine, h.contextId, c);
    expect(run('action-set novalue')).toEqual(err(2, 'argument "novalue" must be of the form key...=value'));
    expect(run('action-set Bad=1')).toEqual(err(2, 'key "Bad" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods'));
    expect(run('action-set a.-b=1')).toEqual(err(2, 'key "a.-b" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods'));
    expect(run('action-set stdout=x')).toEqual(err(2, 'cannot set reserved action key "stdout"'));
    expect(run('action-fail a b')).toEqual(err(2, 'unrecognized args: ["b"]'));
    expect(run('action-log')).toEqual(err(2, 'no message specified'));
    engine.finishHook(h.contextId, { exitCode: 0 });
  });

  it('results are nested by dots, later sets override, action-log is immediate, action-fail still commits', () => {
    const { engine } = scene(version);
    const id = engine.enqueueAction('m', 'db/0', 'backup');
    const h = until(engine, (x) => x.kind === 'action');
    const run = (c: string) => sh(engine, h.contextId, c);
    expect(run('action-set a.b.c=1 a.b.d=2 top=x')).toEqual(ok(''));
    expect(run('action-set top.inner=y')).toEqual(ok(''));
    expect(run('action-log working')).toEqual(ok(''));
    expect(engine.actionResult('m', id).log.map((l) => l.replace(/^\S+ /, ''))).toEqual(['working']);
    expect(run('action-fail')).toEqual(ok(''));
    run('state-set after=fail');
    engine.finishHook(h.contextId, { exitCode: 0, stdout: 'out\n' });
    const r = engine.actionResult('m', id);
    expect(r.status).toBe('failed');
    expect(r.message).toBe('action failed without reason given, check action for errors');
    expect(r.results).toEqual({ a: { b: { c: '1', d: '2' } }, top: { inner: 'y' }, stdout: 'out\n', 'return-code': '0' });
    expect(inUnit(engine, 'db/0').run('state-get after')).toEqual(ok('fail\n'));
    expect(engine.status('m').applications['db']).toBeDefined();
  });

  it('§1.5 a non-zero action exit fails the action (exit status N) but never the unit, and discards writes', () => {
    const { engine } = scene(version);
    const id = engine.enqueueAction('m', 'db/0', 'backup');
    const h = until(engine, (x) => x.kind === 'action');
    sh(engine, h.contextId, 'action-set partial=1');
    sh(engine, h.contextId, 'state-set lost=1');
    engine.finishHook(h.contextId, { exitCode: 3 });
    const r = engine.actionResult('m', id);
    expect(r).toMatchObject({ status: 'failed', message: 'exit status 3', results: { 'return-code': '3' } });
    expect(inUnit(engine, 'db/0').run('state-get lost')).toEqual(ok(''));
    const unit = (engine.status('m').applications['db'] as { units: Record<string, { 'workload-status': { current: string } }> }).units['db/0']!;
    expect(unit['workload-status'].current).not.toBe('error');
    expect(drain(engine)).toEqual([]);
  });

  it('actions still run on a unit in error; the failed hook stays blocked until resolved', () => {
    const { engine } = scene(version);
    engine.setConfig('m', 'db', { name: 'x' });
    const h = until(engine, (x) => x.unit === 'db/0' && x.name === 'config-changed');
    engine.finishHook(h.contextId, { exitCode: 1 });
    const id = engine.enqueueAction('m', 'db/0', 'backup');
    const seen = drain(engine).filter((x) => x.startsWith('db/0'));
    expect(seen).toEqual(['db/0 backup']);
    expect(engine.actionResult('m', id).status).toBe('completed');
    expect(engine.pending('m')).toEqual({ 'm/db/0': ['config-changed'] });
    engine.resolve('m', 'db/0');
    expect(drain(engine)).toEqual(['db/0 config-changed']);
  });

  it('unknown actions are refused by the operator verb', () => {
    const { engine } = scene(version);
    expect(() => engine.enqueueAction('m', 'db/0', 'nope')).toThrow('action "nope" not defined on unit "db/0"');
  });
});
