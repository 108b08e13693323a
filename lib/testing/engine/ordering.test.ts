/** Hook ordering of the unit agent (contract §1.4) and queue determinism (seed, FIFO). */
import { describe, expect, it } from '@jest/globals';
import { drain, inUnit, newEngine, PROVIDER, REQUIRER, scene, sh, until } from '../tools/testkit.ts';
import { loadEngine } from './engine.ts';

const ofUnit = (seen: string[], unit: string): string[] => seen.filter((s) => s.startsWith(`${unit} `)).map((s) => s.slice(unit.length + 1));

describe('hook ordering (contract §1.4)', () => {
  it('deploy: install → peer relation-created → leader-elected|leader-settings-changed → config-changed → start; peers join after', () => {
    const engine = newEngine();
    engine.addModel('m');
    engine.deploy('m', PROVIDER, 'db', { units: 2 });
    const seen = drain(engine);
    expect(ofUnit(seen, 'db/0')).toEqual(['install', 'cluster-relation-created', 'leader-elected', 'config-changed', 'start', 'cluster-relation-joined', 'cluster-relation-changed']);
    expect(ofUnit(seen, 'db/1')).toEqual(['install', 'cluster-relation-created', 'leader-settings-changed', 'config-changed', 'start', 'cluster-relation-joined', 'cluster-relation-changed']);
  });

  it('§1.4 single unit: no peer joined/changed', () => {
    const engine = newEngine();
    engine.addModel('m');
    engine.deploy('m', PROVIDER, 'db');
    expect(drain(engine)).toEqual(['db/0 install', 'db/0 cluster-relation-created', 'db/0 leader-elected', 'db/0 config-changed', 'db/0 start']);
  });

  it('integrate: relation-created, then joined → changed per remote unit, on both sides', () => {
    const { engine } = scene(undefined, { relate: false });
    engine.integrate('m', 'web', 'db');
    const hooks: string[] = [];
    drain(engine, (h) => { hooks.push(`${h.unit} ${h.name} ${h.env['JUJU_REMOTE_UNIT']}`); });
    expect(ofUnit(hooks, 'web/0')).toEqual(['db-relation-created ', 'db-relation-joined db/0', 'db-relation-changed db/0', 'db-relation-joined db/1', 'db-relation-changed db/1']);
    expect(ofUnit(hooks, 'db/0')).toEqual(['db-relation-created ', 'db-relation-joined web/0', 'db-relation-changed web/0']);
    expect(ofUnit(hooks, 'db/1')).toEqual(['db-relation-created ', 'db-relation-joined web/0', 'db-relation-changed web/0']);
  });

  it('add-unit: existing units get joined → changed; the new unit gets created then joined/changed', () => {
    const { engine } = scene();
    expect(engine.addUnit('m', 'db')).toEqual(['db/2']);
    const hooks: string[] = [];
    drain(engine, (h) => { hooks.push(`${h.unit} ${h.name} ${h.env['JUJU_REMOTE_UNIT'] ?? ''}`); });
    expect(ofUnit(hooks, 'db/2')).toEqual(['install ', 'cluster-relation-created ', 'db-relation-created ', 'leader-settings-changed ', 'config-changed ', 'start ',
      'cluster-relation-joined db/0', 'cluster-relation-changed db/0', 'cluster-relation-joined db/1', 'cluster-relation-changed db/1',
      'db-relation-joined web/0', 'db-relation-changed web/0']);
    expect(ofUnit(hooks, 'web/0')).toEqual(['db-relation-joined db/2', 'db-relation-changed db/2']);
    expect(ofUnit(hooks, 'db/0')).toEqual(['cluster-relation-joined db/2', 'cluster-relation-changed db/2']);
  });

  it('remove-relation: every unit gets -departed per remote unit, then -broken; relation-broken sees no relation', () => {
    const { engine } = scene();
    engine.removeRelation('m', 'db', 'web');
    const hooks: string[] = [];
    drain(engine, (h, run) => {
      hooks.push(`${h.unit} ${h.name} ${h.env['JUJU_REMOTE_UNIT'] ?? ''} ${h.env['JUJU_DEPARTING_UNIT'] ?? ''}`.trim());
      if (h.name === 'db-relation-broken') {
        expect(run('relation-ids db')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
        expect(run('relation-list')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
        expect(h.env['JUJU_REMOTE_UNIT']).toBe('');
      }
      if (h.name === 'db-relation-departed' && h.unit === 'web/0' && h.env['JUJU_DEPARTING_UNIT'] === 'db/0') {
        expect(run('relation-list').stdout).toBe('db/1\n'); // the departing unit is already gone
        expect(run('relation-get - db/0 --format json').exitCode).toBe(0); // its settings stay readable
      }
    });
    expect(ofUnit(hooks, 'web/0')).toEqual(['db-relation-departed db/0 db/0', 'db-relation-departed db/1 db/1', 'db-relation-broken']);
    expect(ofUnit(hooks, 'db/1')).toEqual(['db-relation-departed web/0 web/0', 'db-relation-broken']);
    expect(engine.status('m').relations.map((r) => r.type)).toEqual(['peer']);
  });

  it('remove-relation while one of its hooks runs keeps the running hook and queues the teardown after it', () => {
    const { engine } = scene();
    const w = inUnit(engine, 'web/0');
    w.run('relation-set -r 1 k=v');
    w.finish(0);
    const h = until(engine, (x) => x.name === 'db-relation-changed' && x.unit === 'db/0');
    engine.removeRelation('m', 1);
    expect(sh(engine, h.contextId, 'relation-get -r 1 k web/0')).toEqual({ stdout: 'v\n', stderr: '', exitCode: 0 });
    engine.finishHook(h.contextId, { exitCode: 0 });
    expect(ofUnit(drain(engine), 'db/0')).toEqual(['db-relation-departed', 'db-relation-broken']);
  });

  it('a change committed while the same -changed hook is running queues another one (no coalescing into a running hook)', () => {
    const { engine } = scene();
    const w = inUnit(engine, 'web/0');
    w.run('relation-set -r 1 k=1');
    w.finish(0);
    const h = until(engine, (x) => x.name === 'db-relation-changed' && x.unit === 'db/0');
    const w2 = inUnit(engine, 'web/0');
    w2.run('relation-set -r 1 k=2');
    w2.finish(0);
    engine.finishHook(h.contextId, { exitCode: 0 });
    expect(ofUnit(drain(engine), 'db/0')).toEqual(['db-relation-changed']);
  });

  it('§1.4 relation-broken can be the first and only hook of a relation (removed before created ran)', () => {
    const { engine } = scene(undefined, { relate: false });
    engine.integrate('m', 'db', 'web');
    engine.removeRelation('m', 'db', 'web');
    const hooks: string[] = [];
    drain(engine, (h, run) => {
      hooks.push(`${h.unit} ${h.name}`);
      expect(h.env['JUJU_RELATION_ID']).toBe('db:1');
      expect(run('relation-list')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    });
    expect(hooks).toEqual(['db/0 db-relation-broken', 'db/1 db-relation-broken', 'web/0 db-relation-broken']);
    expect(engine.status('m').relations.map((r) => r.id)).toEqual([0]);
  });

  it('§1.2 hook environment: required variables always set, versions per model', () => {
    for (const version of ['3.6.8', '2.9.49']) {
      const engine = newEngine();
      const m = engine.addModel('m', { agentVersion: version });
      engine.deploy('m', REQUIRER, 'web');
      const h = engine.nextHook()!;
      expect(h.env).toMatchObject({
        JUJU_DISPATCH_PATH: 'hooks/install', JUJU_HOOK_NAME: 'install', JUJU_UNIT_NAME: 'web/0', JUJU_MODEL_NAME: 'm',
        JUJU_MODEL_UUID: m.uuid, JUJU_VERSION: version, JUJU_CONTEXT_ID: h.contextId,
      });
      expect(h.env['JUJU_CHARM_DIR']).toBe(h.env['CHARM_DIR']);
      expect(Object.keys(h.env).filter((k) => k.startsWith('JUJU_RELATION') || k.startsWith('JUJU_SECRET'))).toEqual([]);
    }
  });

  it('remove-unit: stop → -departed/-broken → remove on the leaving unit; -departed on the others; a new leader is elected', () => {
    const { engine } = scene();
    engine.removeUnit('m', 'db/0');
    const hooks: string[] = [];
    drain(engine, (h) => { hooks.push(`${h.unit} ${h.name} ${h.env['JUJU_REMOTE_UNIT'] ?? ''} ${h.env['JUJU_DEPARTING_UNIT'] ?? ''}`.trim()); });
    expect(ofUnit(hooks, 'db/0')).toEqual(['stop', 'cluster-relation-departed db/1 db/0', 'db-relation-departed web/0 db/0', 'db-relation-broken', 'remove']);
    // the old leader's departure is queued before the new election (its lease ends with it)
    expect(ofUnit(hooks, 'db/1')).toEqual(['cluster-relation-departed db/0 db/0', 'leader-elected']);
    expect(ofUnit(hooks, 'web/0')).toEqual(['db-relation-departed db/0 db/0']);
    expect(Object.keys((engine.status('m').applications['db'] as { units: object }).units)).toEqual(['db/1']);
    expect(engine.addUnit('m', 'db')).toEqual(['db/2']); // numbers are never reused
  });

  it('leader change: new leader gets leader-elected, the others leader-settings-changed', () => {
    const { engine } = scene(undefined, { dbUnits: 3 });
    engine.setLeader('m', 'db/2');
    expect(drain(engine).sort()).toEqual(['db/0 leader-settings-changed', 'db/1 leader-settings-changed', 'db/2 leader-elected']);
    const st = engine.status('m').applications['db'] as { units: Record<string, { leader?: boolean }> };
    expect(st.units['db/2']!.leader).toBe(true);
    expect(st.units['db/0']!.leader).toBeUndefined();
  });

  it('remove-application: units tear down and the related side sees -departed then -broken', () => {
    const { engine } = scene();
    engine.removeApplication('m', 'web');
    const hooks = drain(engine);
    expect(ofUnit(hooks, 'web/0')).toEqual(['stop', 'db-relation-departed', 'db-relation-departed', 'db-relation-broken', 'remove']);
    expect(ofUnit(hooks, 'db/0')).toEqual(['db-relation-departed', 'db-relation-broken']);
    expect(engine.status('m').applications['web']).toBeUndefined();
  });

  it('refresh (machine): upgrade-charm → config-changed → leader-settings-changed (non-leaders) → start; new peers get created', () => {
    const { engine } = scene();
    engine.refresh('m', 'db', { ...PROVIDER, peers: { ...PROVIDER.peers, extra: { interface: 'x' } }, config: { ...PROVIDER.config, fresh: { type: 'int', default: 7 } } });
    const hooks = drain(engine, (h, run) => { if (h.name === 'config-changed') expect(run('config-get fresh')).toEqual({ stdout: '7\n', stderr: '', exitCode: 0 }); });
    expect(ofUnit(hooks, 'db/0').slice(0, 4)).toEqual(['upgrade-charm', 'extra-relation-created', 'config-changed', 'start']);
    expect(ofUnit(hooks, 'db/1').slice(0, 5)).toEqual(['upgrade-charm', 'extra-relation-created', 'config-changed', 'leader-settings-changed', 'start']);
    expect(hooks).toContain('db/0 extra-relation-joined');
  });

  it('endpoint limits are enforced by integrate', () => {
    const engine = newEngine();
    engine.addModel('m');
    engine.deploy('m', { ...PROVIDER, provides: { db: { interface: 'pg', limit: 1 } } }, 'db');
    engine.deploy('m', REQUIRER, 'a');
    engine.deploy('m', REQUIRER, 'b');
    engine.integrate('m', 'db', 'a');
    expect(() => engine.integrate('m', 'db', 'b')).toThrow('establishing a new relation for db:db would exceed its maximum relation limit of 1');
    expect(() => engine.integrate('m', 'db', 'a')).toThrow('relation db:db a:db already exists');
  });

  it('one hook at a time per unit: a unit with an open hook is not offered again', () => {
    const engine = newEngine();
    engine.addModel('m');
    engine.deploy('m', PROVIDER, 'db', { units: 2 });
    const a = engine.nextHook()!;
    const b = engine.nextHook()!;
    expect([a.unit, b.unit]).toEqual(['db/0', 'db/1']);
    expect(engine.nextHook()).toBeUndefined();
    engine.finishHook(a.contextId, { exitCode: 0 });
    expect(engine.nextHook()!.unit).toBe('db/0');
  });
});

describe('queue determinism', () => {
  const run = (seed?: number): string[] => {
    const engine = newEngine(seed === undefined ? {} : { seed });
    engine.addModel('m');
    engine.deploy('m', PROVIDER, 'db', { units: 3 });
    engine.deploy('m', REQUIRER, 'web', { units: 2 });
    engine.integrate('m', 'db', 'web');
    return drain(engine);
  };

  it('no seed: deterministic FIFO; same seed: same run; another seed: another interleaving with each unit order kept', () => {
    expect(run()).toEqual(run());
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
    const fifo = run();
    const shuffled = run(7);
    expect([...shuffled].sort()).toEqual([...fifo].sort());
    for (const u of ['db/0', 'db/1', 'db/2', 'web/0', 'web/1']) {
      // deploy hooks keep their order per unit whatever the interleaving
      const deploy = (s: string[]) => ofUnit(s, u).filter((n) => ['install', 'leader-elected', 'leader-settings-changed', 'config-changed', 'start'].includes(n));
      expect(deploy(shuffled)).toEqual(deploy(fifo));
    }
  });
});

describe('persistence', () => {
  it('toJSON/loadEngine round-trips exactly, queues included; open contexts are not persisted', () => {
    const { engine } = scene();
    engine.addUnit('m', 'web');
    const h = engine.nextHook()!;
    sh(engine, h.contextId, 'relation-set -r 1 x=y');
    const json = JSON.parse(JSON.stringify(engine.toJSON()));
    const copy = loadEngine(json, { now: () => 0 });
    expect(copy.toJSON()).toEqual(json);
    expect(copy.runTool(h.contextId, 'relation-ids', ['db']).exitCode).toBe(1);
    // the copy offers the same head again (the context was not persisted) and continues alike
    engine.finishHook(h.contextId, { exitCode: 0 });
    const rest = drain(engine);
    const again = drain(copy);
    expect(again).toEqual([`${h.unit} ${h.name}`, ...rest]);
  });
});
