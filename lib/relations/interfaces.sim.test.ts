/**
 * Typed interface reads end to end (simulator, in-process): invalid remote data becomes a
 * status naming relation, field and why, and never replaces the last good state.
 */
import { describe, it, expect } from '@jest/globals';
import { loadInterface } from './interfaces.ts';
import { Relations } from './relations.ts';
import { charmSpec, Sim, type HookRun } from './testing/sim.ts';

const PROV = charmSpec('natsp', { provides: { client: 'nats' } });
const REQ = charmSpec('natsr', { requires: { nats: 'nats' } });
const CERT = (tag: string) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(tag).toString('base64')}\n-----END CERTIFICATE-----\n`;

let providerCa = CERT('good-1');

async function provider({ tools, ctx }: HookRun): Promise<void> {
  const nats = await loadInterface('nats');
  const relations = Relations.fromContext(tools, ctx);
  for (const r of relations.all('client')) {
    nats.write(r.local, 'provider.unit', { url: 'tls://10.0.0.9:4222' });
    // Bypasses the codec on purpose to publish bad data, as a buggy remote charm would.
    if (relations.actor.isLeader()) r.localApp.set('ca_cert', providerCa);
  }
  relations.commit();
}

async function requirer({ tools, ctx }: HookRun): Promise<void> {
  const nats = await loadInterface('nats');
  const relations = Relations.fromContext(tools, ctx);
  for (const r of relations.all('nats')) {
    const app = nats.read(r.remoteAppBag, 'provider.app');
    if (!app.ok) {
      tools.statusSet(app.reason === 'incomplete' ? 'waiting' : 'blocked', app.message);
      continue;
    }
    if (app.value.ca_cert) tools.stateSet({ 'rendered-ca': app.value.ca_cert });
    tools.statusSet('active', '');
  }
}

describe.each([['3.6', '3.6.8'], ['2.9', '2.9.44']])('interface data on Juju %s', (_p, version) => {
  it('reports bad remote data by relation, field and why, and keeps the last good state', async () => {
    providerCa = CERT('good-1');
    const sim = new Sim();
    sim.on('natsp', provider).on('natsr', requirer);
    sim.engine.addModel('m', { agentVersion: version });
    sim.engine.deploy('m', PROV, 'natsp');
    sim.engine.deploy('m', REQ, 'natsr');
    await sim.settle();
    const id = sim.engine.integrate('m', 'natsp:client', 'natsr:nats');
    await sim.settle();
    const unit = () => sim.engine.toJSON().models['m']!.apps['natsr']!.units['natsr/0']!;
    expect(unit().state['rendered-ca']).toBe(CERT('good-1'));
    expect(unit().workload.status).toBe('active');

    providerCa = 'garbage';
    await sim.exec('m', 'natsp/0', provider, 'config-changed');
    await sim.settle();
    expect(sim.failures()).toEqual([]);
    expect(unit().workload).toMatchObject({ status: 'blocked', message: `nats:${id} app bag field "ca_cert": must be a PEM certificate` });
    expect(unit().state['rendered-ca']).toBe(CERT('good-1'));
  });
});
