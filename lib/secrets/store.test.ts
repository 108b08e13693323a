/**
 * SecretStore against the simulator (in-process), same cases in a 3.6 and a 2.9
 * personality. Asserts absence as well as presence of secret values.
 */
import { describe, it, expect } from '@jest/globals';
import { Sim } from '../relations/testing/sim.ts';
import { Relations } from '../relations/relations.ts';
import { Redactor } from '../juju/redact.ts';
import { SecretStore } from './store.ts';
import { AGENT, agentHook, NATSY, natsyHook, natsyRotate, type ObservedMap } from './testing/charms.ts';

type WorldState = ReturnType<Sim['engine']['toJSON']>;

/** Every place charm data lives in Juju except secrets: relation bags, leader settings, unit state. */
function nonSecretStores(state: WorldState): string {
  const bags = Object.values(state.relations).map((r) => r.bags);
  const apps = Object.values(state.models).flatMap((m) => Object.values(m.apps));
  return JSON.stringify({ bags, leader: apps.map((a) => a.leaderSettings), unitState: apps.flatMap((a) => Object.values(a.units).map((u) => u.state)) });
}

function secretValues(state: WorldState): string[] {
  // the engine keeps values base64-encoded, as Juju does (contract §3.3)
  return Object.values(state.secrets).flatMap((s) => Object.values(s.revisions).flatMap((r) => Object.values(r.content).map((v) => Buffer.from(v, 'base64').toString('utf8'))));
}

/** Snapshot of everything a re-run must not change (not the tool-call log, times or queues). */
function durable(state: WorldState): string {
  const secrets = Object.values(state.secrets).map((s) => ({ id: s.id, label: s.label, latest: s.latest, revisions: Object.fromEntries(Object.entries(s.revisions).map(([k, r]) => [k, r.content])), grants: s.grants }));
  return JSON.stringify({ data: nonSecretStores(state), secrets });
}

async function deployPair(version: string, observed: ObservedMap, agents = ['agent-a', 'agent-b']): Promise<Sim> {
  const sim = new Sim();
  sim.on('natsy', natsyHook).on('agent', agentHook(observed));
  sim.engine.addModel('m', { agentVersion: version });
  sim.engine.deploy('m', NATSY, 'natsy', { units: 2 });
  for (const a of agents) sim.engine.deploy('m', AGENT, a, { units: 2 });
  await sim.settle();
  for (const a of agents) sim.engine.integrate('m', 'natsy:client', `${a}:nats`);
  await sim.settle();
  return sim;
}

const versions = [['3.6', '3.6.8'], ['2.9', '2.9.44']] as const;

describe.each(versions)('SecretStore on Juju %s', (personality, version) => {
  const secrets = personality === '3.6';

  it('shares one token per relation; every requirer unit reads its own and nothing else', async () => {
    const observed: ObservedMap = new Map();
    const sim = await deployPair(version, observed);
    expect(sim.failures()).toEqual([]);
    const a0 = observed.get('agent-a/0')!.get('nats:' + [...observed.get('agent-a/0')!.keys()][0]!.split(':')[1])!;
    const tokA = [...observed.get('agent-a/0')!.values()][0]!;
    const tokB = [...observed.get('agent-b/0')!.values()][0]!;
    expect(a0.status).toBe('ready');
    expect(tokA.token).toMatch(/^tok-/);
    expect(tokB.token).toMatch(/^tok-/);
    expect(tokA.token).not.toBe(tokB.token);
    expect([...observed.get('agent-a/1')!.values()][0]!.token).toBe(tokA.token);
    expect(tokA.via).toBe(secrets ? 'secret' : 'inline');
  });

  it(secrets ? 'keeps tokens and keys out of every databag: only secret ids cross' : 'keeps fallback values where expected and nowhere else', async () => {
    const observed: ObservedMap = new Map();
    const sim = await deployPair(version, observed);
    const state = sim.engine.toJSON();
    const tokens = [...observed.values()].flatMap((m) => [...m.values()].map((o) => o.token!));
    const plain = nonSecretStores(state);
    const natsyApp = state.models['m']!.apps['natsy']!;
    if (secrets) {
      for (const t of tokens) expect(plain).not.toContain(t);
      expect(plain).not.toMatch(/key-[0-9a-f]{32}|unitkey-/);
      expect(plain).toContain('token_secret_id');
      const values = secretValues(state);
      for (const t of tokens) expect(values).toContain(t);
      const relIds = Object.values(state.relations).filter((r) => !r.peer).map((r) => r.ids['m']);
      expect(Object.values(state.secrets).map((s) => s.label).sort()).toEqual(['ca', ...relIds.map((id) => `client.${id}.token`).sort(), 'tls-key', 'tls-key']);
      for (const s of Object.values(state.secrets)) expect(s.description).toBeTruthy();
    } else {
      expect(Object.keys(state.secrets)).toEqual([]);
      // token inline in its own relation's provider app bag only
      for (const r of Object.values(state.relations).filter((x) => !x.peer)) {
        const bagText = JSON.stringify(r.bags);
        const own = tokens.filter((t) => bagText.includes(t));
        expect(new Set(own).size).toBe(1);
      }
      // CA in the peer app bag (not leader settings), unit keys in unit state only
      const peer = Object.values(state.relations).find((x) => x.peer)!;
      expect(JSON.stringify(peer.bags)).toMatch(/secret\.ca/);
      expect(JSON.stringify(natsyApp.leaderSettings)).not.toMatch(/key-/);
      for (const u of Object.values(natsyApp.units)) expect(u.state['secret.tls-key']).toMatch(/unitkey-/);
      expect(JSON.stringify(Object.values(state.relations).map((r) => r.bags))).not.toMatch(/unitkey-/);
      for (const t of tokens) expect(JSON.stringify(natsyApp.leaderSettings) + JSON.stringify(Object.values(natsyApp.units).map((u) => u.state))).not.toContain(t);
    }
  });

  it('re-running every hook changes nothing', async () => {
    const observed: ObservedMap = new Map();
    const sim = await deployPair(version, observed);
    const before = durable(sim.engine.toJSON());
    const callsBefore = sim.engine.toJSON().toolCalls.length;
    for (const unit of ['natsy/0', 'natsy/1', 'agent-a/0', 'agent-a/1', 'agent-b/0']) {
      await sim.exec('m', unit, (run) => (unit.startsWith('natsy') ? natsyHook(run) : agentHook(observed)(run)), 'config-changed');
    }
    await sim.settle();
    expect(sim.failures()).toEqual([]);
    expect(durable(sim.engine.toJSON())).toBe(before);
    const writes = sim.engine.toJSON().toolCalls.slice(callsBefore).filter((c) => /^(relation-set|secret-add|secret-set|secret-grant|secret-revoke|secret-remove|state-set|state-delete|leader-set)$/.test(c.tool));
    expect(writes).toEqual([]);
  });

  it('a leader change keeps every app-owned secret', async () => {
    const observed: ObservedMap = new Map();
    const sim = await deployPair(version, observed);
    const before = durable(sim.engine.toJSON());
    const tokBefore = [...observed.get('agent-a/0')!.values()][0]!.token;
    const leader = sim.engine.toJSON().models['m']!.apps['natsy']!.leader!;
    sim.engine.setLeader('m', leader === 'natsy/0' ? 'natsy/1' : 'natsy/0');
    await sim.settle();
    expect(sim.failures()).toEqual([]);
    expect(durable(sim.engine.toJSON())).toBe(before);
    expect([...observed.get('agent-a/0')!.values()][0]!.token).toBe(tokBefore);
  });

  it('a non-leader gets "waiting for leader" and never generates an app secret', async () => {
    const observed: ObservedMap = new Map();
    const sim = await deployPair(version, observed, []);
    const leader = sim.engine.toJSON().models['m']!.apps['natsy']!.leader!;
    const other = leader === 'natsy/0' ? 'natsy/1' : 'natsy/0';
    let made = 0;
    let result: unknown;
    await sim.exec('m', other, async ({ tools, ctx }) => {
      const relations = Relations.fromContext(tools, ctx);
      const store = new SecretStore({ tools, unit: ctx.unit.name, version: ctx.jujuVersion, relations, peerEndpoint: 'cluster' });
      result = await store.app('fresh').getOrCreate(() => { made++; return { value: 'x'.repeat(8) }; });
      const ca = await store.app('ca').getOrCreate(() => { made++; return { value: 'never' }; });
      expect(ca.status).toBe('ready');
    });
    expect(made).toBe(0);
    expect(result).toMatchObject({ status: 'waiting', reason: 'waiting-for-leader' });
  });

  it('registers every secret value it reads with the redactor (inline values too)', async () => {
    const observed: ObservedMap = new Map();
    const sim = await deployPair(version, observed, ['agent-a']);
    const token = [...observed.get('agent-a/0')!.values()][0]!.token!;
    const redactor = new Redactor();
    await sim.exec('m', 'agent-a/0', ({ tools, ctx }) => {
      const relations = Relations.fromContext(tools, ctx);
      const store = new SecretStore({ tools, unit: ctx.unit.name, version: ctx.jujuVersion, relations, redactor });
      const r = relations.all('nats')[0]!;
      expect(store.forRelation(r, 'token', { keys: ['token'] }).read()).toMatchObject({ status: 'ready', content: { token } });
    });
    expect(redactor.redact(`connect with ${token} now`)).toBe('connect with <redacted> now');
  });

  it('checks content rules before any tool runs', async () => {
    const observed: ObservedMap = new Map();
    const sim = await deployPair(version, observed, []);
    const leader = sim.engine.toJSON().models['m']!.apps['natsy']!.leader!;
    const calls = sim.engine.toJSON().toolCalls.length;
    await sim.exec('m', leader, ({ tools, ctx }) => {
      const store = new SecretStore({ tools, unit: ctx.unit.name, version: ctx.jujuVersion, relations: Relations.fromContext(tools, ctx), peerEndpoint: 'cluster' });
      expect(() => store.unit('bad').set({ Bad_Key: 'v' })).toThrow('key "Bad_Key" not valid');
      if (secrets) expect(() => store.unit('big').set({ blob: 'x'.repeat(9000) })).toThrow(/too large/);
    });
    const after = sim.engine.toJSON().toolCalls.slice(calls).filter((c) => c.tool.startsWith('secret-') || c.tool.startsWith('state-'));
    expect(after).toEqual([]);
  });
});

describe('SecretStore on Juju 3.6: revisions and grants', () => {
  it('a new revision reaches every consumer, and old revisions are removed via secret-remove', async () => {
    const observed: ObservedMap = new Map();
    const sim = await deployPair('3.6.8', observed);
    const leader = sim.engine.toJSON().models['m']!.apps['natsy']!.leader!;
    let tokens: string[] = [];
    await sim.exec('m', leader, (run) => { tokens = natsyRotate(run); });
    const hooks = await sim.settle();
    // The owner's refresh onto its own pending revision is applied at commit (contract §0.4,
    // §3.5 item 8); the simulator does not do that yet, so the owner's next reconcile (which
    // reads with --refresh) releases revision 1. Either way secret-remove must follow.
    await sim.exec('m', leader, natsyHook, 'update-status');
    hooks.push(...await sim.settle());
    expect(sim.failures()).toEqual([]);
    expect(tokens).toHaveLength(2);
    for (const unit of ['agent-a/0', 'agent-a/1', 'agent-b/0', 'agent-b/1']) {
      expect(tokens).toContain([...observed.get(unit)!.values()][0]!.token);
    }
    expect(hooks.filter((h) => h.hook === 'secret-changed')).toHaveLength(4);
    expect(hooks.filter((h) => h.hook === 'secret-remove').length).toBeGreaterThanOrEqual(2);
    const state = sim.engine.toJSON();
    for (const s of Object.values(state.secrets).filter((x) => x.label?.startsWith('client.'))) {
      expect(s.latest).toBe(2);
      expect(Object.keys(s.revisions)).toEqual(['2']);
    }
  });

  it('revokes and removes a relation\'s secret when the relation is broken; the others stay', async () => {
    const observed: ObservedMap = new Map();
    const sim = await deployPair('3.6.8', observed);
    const state0 = sim.engine.toJSON();
    const relA = Object.values(state0.relations).find((r) => !r.peer && r.ends.some((e) => e.app === 'agent-a'))!;
    sim.engine.removeRelation('m', 'natsy:client', 'agent-a:nats');
    await sim.settle();
    expect(sim.failures()).toEqual([]);
    const labels = Object.values(sim.engine.toJSON().secrets).map((s) => s.label);
    expect(labels).not.toContain(`client.${relA.ids['m']}.token`);
    expect(labels.filter((l) => l?.startsWith('client.'))).toHaveLength(1);
  });

  it('a new revision of an app-owned secret reaches the non-leader peers, and the old one is removed', async () => {
    const observed: ObservedMap = new Map();
    const sim = await deployPair('3.6.8', observed, []);
    const leader = sim.engine.toJSON().models['m']!.apps['natsy']!.leader!;
    const peer = leader === 'natsy/0' ? 'natsy/1' : 'natsy/0';
    await sim.exec('m', leader, ({ tools, ctx }) => {
      const store = new SecretStore({ tools, unit: ctx.unit.name, version: ctx.jujuVersion, relations: Relations.fromContext(tools, ctx) });
      store.app('ca').set({ 'ca-key': 'key-rotated-0123456789', 'ca-cert': 'cert-rotated' });
    });
    const hooks = await sim.settle();
    await sim.exec('m', leader, natsyHook, 'update-status'); // see the owner-refresh note above
    hooks.push(...await sim.settle());
    expect(sim.failures()).toEqual([]);
    expect(hooks.filter((h) => h.hook === 'secret-changed').map((h) => h.unit)).toEqual([peer]);
    expect(hooks.filter((h) => h.hook === 'secret-remove').map((h) => h.unit)).toEqual([leader]);
    const ca = Object.values(sim.engine.toJSON().secrets).find((x) => x.label === 'ca')!;
    expect(Object.keys(ca.revisions)).toEqual(['2']);
    expect(Object.values(ca.tracking).every((t) => t.revision === 2)).toBe(true);
  });

  it('a published id that is not readable (yet) means waiting, not an error', async () => {
    const observed: ObservedMap = new Map();
    const sim = await deployPair('3.6.8', observed, ['agent-a']);
    const leader = sim.engine.toJSON().models['m']!.apps['natsy']!.leader!;
    await sim.exec('m', leader, ({ tools, ctx }) => {
      const relations = Relations.fromContext(tools, ctx);
      const store = new SecretStore({ tools, unit: ctx.unit.name, version: ctx.jujuVersion, relations });
      // the CA secret was never granted to this relation
      relations.all('client')[0]!.localApp.set('token_secret_id', store.app('ca').id()!);
      relations.commit();
    });
    await sim.settle();
    expect(sim.failures()).toEqual([]);
    expect([...observed.get('agent-a/0')!.values()][0]).toMatchObject({ status: 'waiting' });
  });

  it('handles secret-remove idempotently', async () => {
    const observed: ObservedMap = new Map();
    const sim = await deployPair('3.6.8', observed, ['agent-a']);
    const leader = sim.engine.toJSON().models['m']!.apps['natsy']!.leader!;
    await sim.exec('m', leader, (run) => { natsyRotate(run); });
    await sim.settle();
    await sim.exec('m', leader, natsyHook, 'update-status');
    await sim.settle();
    const secret = Object.values(sim.engine.toJSON().secrets).find((x) => x.label?.startsWith('client.'))!;
    expect(Object.keys(secret.revisions)).toEqual(['2']);
    const results: string[] = [];
    await sim.exec('m', leader, ({ tools, ctx }) => {
      const store = new SecretStore({ tools, unit: ctx.unit.name, version: ctx.jujuVersion });
      results.push(store.handleSecretRemove(`secret:${secret.id}`, 1), store.handleSecretRemove(`secret:${secret.id}`, 1), store.handleSecretRemove(`secret:${secret.id}`, undefined));
    });
    // The contract is silent on removing a removed revision: the simulator accepts it (exit 0),
    // a not-found answer is mapped to 'already-gone'. Either way: no error, nothing changes.
    expect(results.slice(0, 2).every((r) => r === 'removed' || r === 'already-gone')).toBe(true);
    expect(results[2]).toBe('no-revision');
    expect(sim.failures()).toEqual([]);
    expect(Object.keys(sim.engine.toJSON().secrets[secret.id]!.revisions)).toEqual(['2']);
  });

  it('routes secret-changed labels back to their relation', () => {
    const store = new SecretStore({ tools: {} as never, unit: 'a/0', version: '3.6.8' });
    expect(store.route('nats.7.token')).toEqual({ kind: 'relation', endpoint: 'nats', relationId: 7, purpose: 'token' });
    expect(store.route('ca')).toEqual({ kind: 'scoped', purpose: 'ca' });
    expect(store.route('')).toEqual({ kind: 'unknown', label: '' });
  });
});
