/** Hook transactions (contract §0.4) and failure/resolve (contract §1.5). */
import { describe, expect, it } from '@jest/globals';
import { drain, inUnit, ok, REQUIRER, scene, sh, until } from '../tools/testkit.ts';

type Units = Record<string, { 'workload-status': { current: string; message?: string }; 'juju-status': { current: string } }>;
const unitsOf = (engine: ReturnType<typeof scene>['engine'], app: string): Units => (engine.status('m').applications[app] as { units: Units }).units;

describe('a failing hook (contract §0.4, §1.5)', () => {
  it('discards relation/secret/state/port writes, keeps status-set and juju-log; unit shows hook failed and blocks; resolve re-runs it', () => {
    const { engine } = scene();
    engine.setConfig('m', 'db', { name: 'changed' });
    const h = until(engine, (x) => x.unit === 'db/0' && x.name === 'config-changed');
    const run = (c: string) => sh(engine, h.contextId, c);
    expect(run('relation-set -r 1 lost=1')).toEqual(ok(''));
    expect(run('state-set lost=1')).toEqual(ok(''));
    expect(run('open-port 80')).toEqual(ok(''));
    expect(run('secret-add lost-key=1').exitCode).toBe(0);
    expect(run('status-set maintenance "doing things"')).toEqual(ok(''));
    expect(run('juju-log about to fail')).toEqual(ok(''));
    engine.finishHook(h.contextId, { exitCode: 1, stderr: 'Traceback: boom\n' });

    expect(unitsOf(engine, 'db')['db/0']!['workload-status']).toMatchObject({ current: 'error', message: 'hook failed: "config-changed"' });
    expect(unitsOf(engine, 'db')['db/0']!['juju-status'].current).toBe('idle');
    expect(engine.secrets('m')).toEqual({});
    const log = engine.debugLog('m').join('\n');
    expect(log).toContain('INFO unit.db/0.juju-log about to fail');
    expect(log).toContain('WARNING unit.db/0.config-changed Traceback: boom');
    expect(log).toContain('ERROR juju.worker.uniter.operation hook "config-changed" (via hook dispatching script: dispatch) failed: exit status 1');
    // the other unit still runs; db/0 is blocked
    expect(drain(engine)).toEqual(['db/1 config-changed']);
    expect(engine.pending('m')).toEqual({ 'm/db/0': ['config-changed'] });
    const w = inUnit(engine, 'web/0');
    expect(w.run('relation-get -r 1 lost db/0')).toEqual(ok(''));
    w.finish();

    engine.resolve('m', 'db/0');
    expect(unitsOf(engine, 'db')['db/0']!['workload-status'].current).toBe('maintenance');
    const again = until(engine, (x) => x.unit === 'db/0');
    expect(again.name).toBe('config-changed');
    const r = (c: string) => sh(engine, again.contextId, c);
    expect(r('state-get lost')).toEqual(ok(''));
    expect(r('opened-ports')).toEqual(ok(''));
    expect(r('status-get')).toEqual(ok('maintenance\n'));
    r('state-set kept=1');
    engine.finishHook(again.contextId, { exitCode: 0 });
    expect(inUnit(engine, 'db/0').run('state-get kept')).toEqual(ok('1\n'));
  });

  it('resolve --no-retry skips the failed hook; resolving a healthy unit is refused', () => {
    const { engine } = scene();
    engine.setConfig('m', 'db', { name: 'x' });
    const h = until(engine, (x) => x.unit === 'db/0');
    engine.finishHook(h.contextId, { exitCode: 2 });
    engine.resolve('m', 'db/0', { noRetry: true });
    expect(drain(engine)).toEqual(['db/1 config-changed']);
    expect(() => engine.resolve('m', 'db/0')).toThrow('unit "db/0" is not in an error state');
  });

  it('§0.4 a commit-time failure turns exit 0 into a hook error and discards every buffered write', () => {
    const { engine } = scene();
    const a = inUnit(engine, 'db/0');
    const uri = a.run('secret-add a-key=1').stdout.trim();
    a.finish(0);
    engine.advanceTime(5 * 60e3);
    const h = until(engine, (x) => x.unit === 'web/0' && x.name === 'update-status');
    expect(sh(engine, h.contextId, 'relation-set -r 1 lost=1')).toEqual(ok(''));
    expect(sh(engine, h.contextId, 'state-set lost=1')).toEqual(ok(''));
    expect(sh(engine, h.contextId, `secret-set ${uri} a-key=2`)).toEqual(ok('')); // not owned: fails at commit
    engine.finishHook(h.contextId, { exitCode: 0 });
    expect(unitsOf(engine, 'web')['web/0']!['workload-status']).toMatchObject({ current: 'error', message: 'hook failed: "update-status"' });
    expect(engine.debugLog('m').join('\n')).toContain('cannot commit hook "update-status": permission denied');
    expect(inUnit(engine, 'db/0').run('relation-get -r 1 lost web/0')).toEqual(ok(''));
    expect(engine.showSecret('m', uri, { reveal: true })[uri.slice(7)]!.content).toEqual({ 'a-key': '1' });
    engine.resolve('m', 'web/0', { noRetry: true });
    expect(inUnit(engine, 'web/0').run('state-get lost')).toEqual(ok(''));
  });

  it('§1.5 failed hooks are retried automatically as time passes: 5 s, 10 s, 20 s … (automatically-retry-hooks)', () => {
    const { engine } = scene();
    engine.setConfig('m', 'db', { name: 'retry' });
    const fail = (): void => { const h = until(engine, (x) => x.unit === 'db/0'); engine.finishHook(h.contextId, { exitCode: 1 }); };
    fail();
    drain(engine);
    engine.advanceTime(4999);
    expect(engine.nextHook()).toBeUndefined();
    engine.advanceTime(1);
    fail(); // retry 1 fails again
    engine.advanceTime(9999);
    expect(engine.nextHook()).toBeUndefined();
    engine.advanceTime(1);
    expect(drain(engine)).toEqual(['db/0 config-changed']);
    expect(unitsOf(engine, 'db')['db/0']!['workload-status'].current).not.toBe('error');
    // with automatically-retry-hooks=false only resolve helps
    const e2 = scene().engine;
    e2.addModel('noretry', { automaticallyRetryHooks: false });
    e2.deploy('noretry', REQUIRER, 'web');
    const h = until(e2, (x) => x.model === 'noretry' && x.name === 'install');
    e2.finishHook(h.contextId, { exitCode: 1 });
    drain(e2);
    e2.advanceTime(3600e3);
    expect(e2.pending('noretry')).toEqual({ 'noretry/web/0': ['install', 'leader-elected', 'config-changed', 'start'] });
    drain(e2);
    expect(e2.pending('noretry')).toEqual({ 'noretry/web/0': ['install', 'leader-elected', 'config-changed', 'start'] });
  });

  it('an exec context (juju exec) that fails does not put the unit in error', () => {
    const { engine } = scene();
    const u = inUnit(engine, 'db/0');
    u.run('state-set a=1');
    u.finish(1);
    expect(unitsOf(engine, 'db')['db/0']!['workload-status'].current).not.toBe('error');
    expect(inUnit(engine, 'db/0').run('state-get a')).toEqual(ok(''));
  });
});
