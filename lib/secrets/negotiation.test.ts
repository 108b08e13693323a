/**
 * Per-relation negotiation across cross-model relations, mixed 2.9/3.6 (contract §3.1, §4.3),
 * against the simulator (in-process).
 */
import { describe, it, expect } from '@jest/globals';
import { Sim } from '../relations/testing/sim.ts';
import { AGENT, agentHook, NATSY, natsyHook, type ObservedMap } from './testing/charms.ts';

type State = ReturnType<Sim['engine']['toJSON']>;
const bagsText = (state: State) => JSON.stringify(Object.values(state.relations).map((r) => r.bags));
const grants = (state: State, app: string) => state.toolCalls.filter((c) => c.tool === 'secret-grant' && c.unit.startsWith(`${app}/`));

async function cmr(offerVersion: string, consumerVersion: string, observed: ObservedMap, providerOffers = true): Promise<Sim> {
  const sim = new Sim();
  sim.on('natsy', natsyHook).on('agent', agentHook(observed));
  sim.engine.addModel('off', { agentVersion: offerVersion });
  sim.engine.addModel('con', { agentVersion: consumerVersion });
  if (providerOffers) {
    sim.engine.deploy('off', NATSY, 'natsy', { units: 2 });
    sim.engine.deploy('con', AGENT, 'agent', { units: 2 });
    await sim.settle();
    const url = sim.engine.offer('off', 'natsy', ['client'], 'nats');
    sim.engine.integrate('con', 'agent:nats', url);
  } else {
    // The requirer offers; the provider is on the CONSUMING side and must never grant.
    sim.engine.deploy('off', AGENT, 'agent', { units: 2 });
    sim.engine.deploy('con', NATSY, 'natsy', { units: 2 });
    await sim.settle();
    const url = sim.engine.offer('off', 'agent', ['nats'], 'agent');
    sim.engine.integrate('con', 'natsy:client', url);
  }
  await sim.settle();
  return sim;
}

const tokensSeen = (observed: ObservedMap) => [...observed.values()].flatMap((m) => [...m.values()]);

describe('secret negotiation across models', () => {
  it('3.6 offer <-> 3.6 consumer: only a secret id crosses, granted by the offering side', async () => {
    const observed: ObservedMap = new Map();
    const sim = await cmr('3.6.8', '3.6.8', observed);
    expect(sim.failures()).toEqual([]);
    const seen = tokensSeen(observed);
    expect(seen).toHaveLength(2);
    for (const o of seen) expect(o).toMatchObject({ status: 'ready', via: 'secret' });
    expect(new Set(seen.map((o) => o.token)).size).toBe(1);
    const state = sim.engine.toJSON();
    expect(bagsText(state)).not.toContain(seen[0]!.token!);
    expect(bagsText(state)).toMatch(/"token_secret_id":"secret:/);
    expect(grants(state, 'natsy').length).toBeGreaterThan(0);
  });

  it.each([['3.6.8', '2.9.44'], ['2.9.44', '3.6.8']])('offer %s <-> consumer %s: plaintext inline, no grant', async (offerV, consumerV) => {
    const observed: ObservedMap = new Map();
    const sim = await cmr(offerV, consumerV, observed);
    expect(sim.failures()).toEqual([]);
    const seen = tokensSeen(observed);
    expect(seen).toHaveLength(2);
    for (const o of seen) expect(o).toMatchObject({ status: 'ready', via: 'inline' });
    const state = sim.engine.toJSON();
    expect(bagsText(state)).not.toContain('token_secret_id');
    expect(grants(state, 'natsy')).toEqual([]);
    // the requirer said what it can do
    expect(bagsText(state)).toContain(`"secrets_supported":"${consumerV.startsWith('3') ? 'true' : 'false'}"`);
  });

  it('the consuming side of a CMR never tries to grant (relation-model-get tells it apart)', async () => {
    const observed: ObservedMap = new Map();
    const sim = await cmr('3.6.8', '3.6.8', observed, false);
    expect(sim.failures()).toEqual([]);
    const seen = tokensSeen(observed);
    expect(seen).toHaveLength(2);
    for (const o of seen) expect(o).toMatchObject({ status: 'ready', via: 'inline' });
    expect(grants(sim.engine.toJSON(), 'natsy')).toEqual([]);
  });

  it('a relation that started in plaintext switches once both sides can, and drops the inline value', async () => {
    const observed: ObservedMap = new Map();
    const sim = new Sim();
    // The requirer first runs as a legacy client that cannot read secrets ("false").
    let legacy = true;
    const modern = agentHook(observed);
    sim.on('natsy', natsyHook).on('agent', (run) => {
      if (!legacy) return modern(run);
      return modern({ ...run, ctx: Object.assign(Object.create(Object.getPrototypeOf(run.ctx)), run.ctx, { jujuVersion: '2.9.44' }) });
    });
    sim.engine.addModel('m', { agentVersion: '3.6.8' });
    sim.engine.deploy('m', NATSY, 'natsy', { units: 1 });
    sim.engine.deploy('m', AGENT, 'agent', { units: 1 });
    await sim.settle();
    sim.engine.integrate('m', 'natsy:client', 'agent:nats');
    await sim.settle();
    const first = tokensSeen(observed)[0]!;
    expect(first).toMatchObject({ status: 'ready', via: 'inline' });
    legacy = false;
    await sim.exec('m', 'agent/0', modern, 'upgrade-charm');
    await sim.settle();
    expect(sim.failures()).toEqual([]);
    await sim.exec('m', 'agent/0', modern, 'update-status');
    const after = tokensSeen(observed)[0]!;
    expect(after).toMatchObject({ status: 'ready', via: 'secret', token: first.token });
    expect(bagsText(sim.engine.toJSON())).not.toContain(first.token!);
  });
});
