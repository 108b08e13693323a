/**
 * lib/relations against the simulator (in-process), in a 3.6 and a 2.9 personality.
 */
import { describe, it, expect } from '@jest/globals';
import { RelationAccessError } from '../juju/errors.ts';
import { Relations, RelationLookupError } from './relations.ts';
import { charmSpec, Sim, type HookRun } from './testing/sim.ts';

const PROV = charmSpec('prov', { provides: { db: 'kv' }, peers: { peers: 'kv-peer' } });
const REQ = charmSpec('req', { requires: { db: 'kv' } });

type State = ReturnType<Sim['engine']['toJSON']>;
const toolCalls = (sim: Sim, from: number, tool?: string) => sim.engine.toJSON().toolCalls.slice(from).filter((c) => !tool || c.tool === tool);
const leaderOf = (state: State, model: string, app: string) => state.models[model]!.apps[app]!.leader!;

/** Provider writes `<relation>`-specific values in both its bags; requirers record what they saw. */
function provHook({ tools, ctx }: HookRun): void {
  const relations = Relations.fromContext(tools, ctx);
  for (const r of relations.all('db')) {
    r.local.set('who', `${ctx.unit.name}@${r.name}`);
    if (relations.actor.isLeader()) r.localApp.setJson('info', { relation: r.name, remote: r.remoteApp });
  }
  relations.commit();
}

const seen = new Map<string, Record<string, unknown>>();
function reqHook({ tools, ctx }: HookRun): void {
  const relations = Relations.fromContext(tools, ctx);
  for (const r of relations.all('db')) {
    r.local.set('mine', `${ctx.unit.name}@${r.name}`);
    seen.set(`${ctx.modelName}/${ctx.unit.name}/${r.name}`, {
      app: r.remoteAppBag.getJson('info'),
      units: r.remoteUnitBags().map((b) => b.get('who')),
    });
  }
  relations.commit();
}

async function world(version: string): Promise<Sim> {
  const sim = new Sim();
  sim.on('prov', provHook).on('req', reqHook);
  sim.engine.addModel('m', { agentVersion: version });
  sim.engine.deploy('m', PROV, 'prov', { units: 2 });
  for (const a of ['r1', 'r2', 'r3']) sim.engine.deploy('m', REQ, a, { units: 1 });
  await sim.settle();
  for (const a of ['r1', 'r2', 'r3']) sim.engine.integrate('m', 'prov:db', `${a}:db`);
  await sim.settle();
  return sim;
}

describe.each([['3.6', '3.6.8'], ['2.9', '2.9.44']])('Relations on Juju %s', (_p, version) => {
  it('keeps data per relation id: several relations of one endpoint never mix', async () => {
    seen.clear();
    const sim = await world(version);
    expect(sim.failures()).toEqual([]);
    const rel = (app: string) => [...seen.entries()].filter(([k]) => k.includes(`/${app}/0/`));
    const names = new Set<string>();
    for (const app of ['r1', 'r2', 'r3']) {
      const entries = rel(app);
      expect(entries).toHaveLength(1);
      const [key, value] = entries[0]!;
      const relName = key.split('/').pop()!;
      names.add(relName);
      expect(value.app).toEqual({ relation: expect.stringMatching(/^db:\d+$/), remote: app });
      expect((value.units as string[]).sort()).toEqual([`prov/0@${(value.app as { relation: string }).relation}`, `prov/1@${(value.app as { relation: string }).relation}`]);
    }
    expect(names.size).toBe(3);
    // Provider side: each relation's remote unit bag holds only its own requirer's value.
    const state = sim.engine.toJSON();
    for (const r of Object.values(state.relations).filter((x) => !x.peer)) {
      const text = JSON.stringify(r.bags);
      expect(['r1', 'r2', 'r3'].filter((a) => text.includes(`${a}/0@`))).toHaveLength(1);
    }
  });

  it('get(endpoint, id) refuses another endpoint\'s id and unknown ids', async () => {
    const sim = await world(version);
    await sim.exec('m', 'prov/0', ({ tools, ctx }) => {
      const relations = Relations.fromContext(tools, ctx);
      const db = relations.all('db');
      expect(db).toHaveLength(3);
      expect(db.map((r) => r.id)).toEqual([...db.map((r) => r.id)].sort((a, b) => a - b));
      const peer = relations.all('peers')[0]!;
      expect(peer.isPeer).toBe(true);
      expect(() => relations.get('db', peer.id)).toThrow(RelationLookupError);
      expect(() => relations.get('peers', db[0]!.id)).toThrow(`relation peers:${db[0]!.id} is not a live relation of endpoint "peers"`);
      expect(() => relations.get('db', 999)).toThrow(RelationLookupError);
      expect(relations.get('db', db[1]!.id).name).toBe(db[1]!.name);
    });
  });

  it('enforces contract §2.6 before any tool runs, naming unit, bag and rule', async () => {
    const sim = await world(version);
    const state = sim.engine.toJSON();
    const follower = leaderOf(state, 'm', 'prov') === 'prov/0' ? 'prov/1' : 'prov/0';
    await sim.exec('m', follower, ({ tools, ctx }) => {
      const relations = Relations.fromContext(tools, ctx);
      const r = relations.all('db')[0]!;
      const remote = r.remoteApp; // resolve the remote app name first (a read tool)
      const calls = sim.engine.toJSON().toolCalls.length;
      expect(() => r.localApp.set('x', 'y')).toThrow(RelationAccessError);
      expect(() => r.localApp.set('x', 'y')).toThrow(`unit ${follower} may not write the application bag of "prov" on relation ${r.name}: only the leader may write its application bag (contract §2.6) [app-bag-write-needs-leader]`);
      expect(() => r.localApp.get('info')).toThrow('[own-app-bag-read-needs-leader-outside-peer]');
      expect(() => r.remoteAppBag.set('x', 'y')).toThrow('[only-own-bags-are-writable]');
      expect(() => r.remoteUnit(`${remote}/0`).set("x", "y")).toThrow(`may not write the unit bag of "${remote}/0"`);
      expect(toolCalls(sim, calls).filter((c) => c.tool.startsWith('relation-'))).toEqual([]);
      // Peer relation: every unit reads the app bag; peers' unit bags are read-only.
      const peer = relations.all('peers')[0]!;
      expect(peer.localApp.all()).toEqual({});
      expect(() => peer.remoteUnit(peer.units[0]!).set('x', 'y')).toThrow('[only-own-bags-are-writable]');
    });
  });

  it('flushes one relation-set per bag, and nothing when values are unchanged', async () => {
    const sim = await world(version);
    const leader = leaderOf(sim.engine.toJSON(), 'm', 'prov');
    let calls = sim.engine.toJSON().toolCalls.length;
    await sim.exec('m', leader, ({ tools, ctx }) => {
      const relations = Relations.fromContext(tools, ctx);
      const r = relations.all('db')[0]!;
      r.local.set('a', '1'); r.local.set('b', '2'); r.local.setJson('c', [1, 2]);
      r.localApp.set('d', '4'); r.localApp.set('e', '5');
      expect(r.local.get('a')).toBe('1');
      relations.commit();
    });
    expect(toolCalls(sim, calls, 'relation-set')).toHaveLength(2);
    calls = sim.engine.toJSON().toolCalls.length;
    await sim.exec('m', leader, ({ tools, ctx }) => {
      const relations = Relations.fromContext(tools, ctx);
      const r = relations.all('db')[0]!;
      r.local.set('a', '1'); r.localApp.set('d', '4');
      expect(r.local.dirty || r.localApp.dirty).toBe(false);
      r.local.set('b', ''); // empty string deletes
      relations.commit();
      expect(r.local.get('b')).toBeUndefined();
    });
    expect(toolCalls(sim, calls, 'relation-set')).toHaveLength(1);
  });

  it('treats the relation in -relation-broken as not live', async () => {
    const sim = await world(version);
    const observedBroken: Array<Record<string, unknown>> = [];
    sim.on('req', ({ tools, ctx }) => {
      const relations = Relations.fromContext(tools, ctx);
      if (ctx.kind !== 'relation-broken') return;
      const b = relations.brokenRelation()!;
      observedBroken.push({ live: b.live, all: relations.all('db').length, units: b.units.length });
      expect(() => relations.get('db', b.id)).toThrow('it is being broken by this hook');
    });
    sim.engine.removeRelation('m', 'prov:db', 'r1:db');
    await sim.settle();
    expect(sim.failures()).toEqual([]);
    expect(observedBroken).toEqual([{ live: false, all: 0, units: 0 }]);
  });
});

describe.each([['3.6 <-> 3.6', '3.6.8', '3.6.8'], ['2.9 offer <-> 3.6 consumer', '2.9.44', '3.6.8'], ['3.6 offer <-> 2.9 consumer', '3.6.8', '2.9.44']])(
  'Relations across models (%s)', (_name, offerVersion, consumerVersion) => {
    it('keeps cross-model relations of one endpoint apart too', async () => {
      seen.clear();
      const sim = new Sim();
      sim.on('prov', provHook).on('req', reqHook);
      sim.engine.addModel('off', { agentVersion: offerVersion });
      sim.engine.addModel('con', { agentVersion: consumerVersion });
      sim.engine.deploy('off', PROV, 'prov', { units: 1 });
      sim.engine.deploy('off', REQ, 'local', { units: 1 });
      sim.engine.deploy('con', REQ, 'x1', { units: 1 });
      sim.engine.deploy('con', REQ, 'x2', { units: 1 });
      await sim.settle();
      const url = sim.engine.offer('off', 'prov', ['db'], 'kv');
      sim.engine.integrate('con', 'x1:db', url);
      sim.engine.integrate('con', 'x2:db', 'kv');
      sim.engine.integrate('off', 'prov:db', 'local:db');
      await sim.settle();
      expect(sim.failures()).toEqual([]);
      const entries = [...seen.entries()];
      expect(entries).toHaveLength(3);
      const relations = new Set(entries.map(([, v]) => (v.app as { relation: string }).relation));
      expect(relations.size).toBe(3);
      for (const [key, v] of entries) {
        const unit = key.split('/').slice(1, 3).join('/');
        const info = v.app as { relation: string; remote: string };
        // the provider sees consumers as remote-<hex> on the offering side, the local one by name
        expect(info.remote).toMatch(unit.startsWith('local') ? /^local$/ : /^remote-[0-9a-f]{32}$/);
        expect(v.units).toEqual([`prov/0@${info.relation}`]);
      }
    });
  });
