/**
 * Issue 6 "Done when", process level: the three charms run as processes under the simulator
 * (bundled from the current sources, dev dispatch), two Juju 3.6 models, nats offered across
 * models (contract §4). Then real servers configured only from what the charms rendered on
 * their emulated machines, the user-facing views, and removals (unit, leader, relation).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:https';
import { load } from 'js-yaml';
import { CertificateAuthority } from '../../../lib/tls/ca.ts';
import { parseTrustStore } from '../../../charms/ams/src/workload-render.ts';
import { AGENT, addUnitsOnLoopback, deployStory, type StoryResult } from '../../../tox-free-scripts/demo-story.ts';
import { findNatsServer, NATS_CFG, natsClientOptions, natsConnectError, natsRoundTrip, NatsServer, natsTlsFiles, plaintextProbe, readAgentConfig, type AgentConfig } from '../../../tox-free-scripts/demo-nats.ts';
import { machineRoot } from '../../../lib/testing/process/machine.ts';
import { jujusim } from '../simulator/helpers.ts';
import { AMS_ETCD, AMS_SERVER, notActive, openWorld, readUnitFile, unitFile, type E2eWorld } from './harness.ts';
import { leaksIn, renderedPrivateKeys, secretValues } from './leaks.ts';
import { agentCallsAms, closeServer, etcdCall, startAmsStandIn, startEtcdFromAms } from './servers.ts';
import { findBinary } from '../workloads/processes.ts';

const NATS_SERVER = findNatsServer();
const ETCD = findBinary('/usr/bin/etcd', '/usr/local/bin/etcd');
if (!NATS_SERVER) console.warn('real NATS checks FAIL: nats-server not found (apt-get install nats-server)');
if (!ETCD) console.warn('real etcd checks FAIL: etcd not found (apt-get install etcd-server)');

let world: E2eWorld;
let story: StoryResult;

const agentConfig = (unit = `${AGENT}/0`): AgentConfig => readAgentConfig(machineRoot(world.home, 'anbox', unit));
const trustedFingerprints = (amsUnit = 'ams/0'): string[] => parseTrustStore(readUnitFile(world, 'anbox', amsUnit, `${AMS_SERVER}/trusted-clients.yaml`)).map((e) => e.fingerprint).sort();
const clientCreds = (unit: string) => {
  const c = agentConfig(unit);
  return { cert: readFileSync(c.tls.cert, 'utf8'), key: readFileSync(c.tls.key, 'utf8') };
};

async function withNats<T>(natsUnit: string, fn: (server: NatsServer) => Promise<T>): Promise<T> {
  const server = await NatsServer.start(NATS_SERVER!, unitFile(world, 'nats', natsUnit, NATS_CFG));
  try { return await fn(server); } finally { await server.stop(); }
}

/** Serves AMS's files where the agent's config says AMS is (or at `at` once that is gone). */
async function withAms<T>(amsUnit: string, fn: () => Promise<T>, at?: string): Promise<T> {
  const url = new URL(at ?? agentConfig().ams!.url);
  const server: Server = await startAmsStandIn(unitFile(world, 'anbox', amsUnit, AMS_SERVER), url.hostname, Number(url.port));
  try { return await fn(); } finally { await closeServer(server); }
}

beforeAll(async () => {
  world = await openWorld({ parallelism: 2 });
  story = await deployStory(world.sim, { charms: world.charms, loopback: world.loopback });
}, 240_000);

afterAll(async () => {
  await world?.cleanup();
});

describe('deploy: nats offered from a 3.6 model, ams + agent consuming it in another 3.6 model', () => {
  it('settles with every unit active', async () => {
    expect(await notActive(world.sim)).toEqual([]);
    expect(story.saas).toBe('nats');
  });

  it('the token crosses as a secret granted to the relation, not in the databag (3.6 can read secrets)', async () => {
    const unit = (await world.sim.showUnit(`${AGENT}/0`, 'anbox')) as Record<string, { 'relation-info': Array<{ endpoint: string; 'application-data': Record<string, string>; 'related-units': Record<string, { data: Record<string, string> }> }> }>;
    const nats = unit[`${AGENT}/0`]!['relation-info'].find((r) => r.endpoint === 'nats')!;
    expect(nats['application-data']['token_secret_id']).toMatch(/^secret:/);
    expect(nats['related-units']['nats/0']!.data['url']).toMatch(/^tls:\/\/[0-9.]+:4222$/);
    const id = nats['application-data']['token_secret_id']!.replace(/^secret:/, '');
    const shown = (await world.sim.showSecret(id, { model: 'nats', reveal: true })) as Record<string, { label: string; content: { token: string }; access: Array<{ target: string }> }>;
    const secret = Object.values(shown)[0]!;
    expect(secret.label).toBe('nats-token');
    expect(secret.access.map((a) => a.target)).toContain(`application-${AGENT}`);
    expect(agentConfig().nats?.token).toBe(secret.content.token);
  });
});

describe('real NATS: Debian nats-server from the rendered nats.cfg, client from the agent config.yaml only', () => {
  it('nats.cfg names TLS files inside nats/0\'s machine root', () => {
    const root = machineRoot(world.home, 'nats', 'nats/0');
    const files = natsTlsFiles(readUnitFile(world, 'nats', 'nats/0', NATS_CFG));
    expect(files).toHaveLength(3);
    for (const f of files) {
      expect(f.startsWith(`${root}/var/snap/nats/common/server/`)).toBe(true);
      expect(existsSync(f)).toBe(true);
    }
  });

  it('accepts the agent over verified TLS with its token; refuses a wrong token and a plaintext client', async () => {
    expect(NATS_SERVER).toBeDefined();
    await withNats('nats/0', async (server) => {
      const config = agentConfig();
      const ok = await natsRoundTrip(natsClientOptions(config), 'e2e.hello', 'hi');
      expect(ok).toMatchObject({ received: 'hi', tlsRequired: true });
      expect(await natsConnectError(natsClientOptions(config, { token: 'not-the-token-0123456789' }))).toBe('AUTHORIZATION_VIOLATION');
      const plain = await plaintextProbe(server.listen.host, server.listen.port, config.nats!.token!);
      expect(plain).toMatch(/^INFO .*"tls_required":true/);
      expect(plain).not.toMatch(/PONG|\+OK|TIMED_OUT/);
    });
  });
});

describe('real mTLS for AMS: a TLS server from the AMS unit\'s rendered files', () => {
  it('accepts the agent\'s client certificate (AMS pinned by fingerprint) and rejects one AMS never got', async () => {
    expect(trustedFingerprints()).toHaveLength(1);
    const stranger = await (await CertificateAuthority.create({ key: { type: 'ec', curve: 'P-256' } })).issue({ usage: 'client', commonName: `${AGENT}/0`, key: { type: 'ec', curve: 'P-256' } });
    await withAms('ams/0', async () => {
      expect(await agentCallsAms(agentConfig())).toBe(200);
      expect(await agentCallsAms(agentConfig(), { cert: stranger.certPem, key: stranger.keyPem })).toBe(403);
    });
  });
});

describe('real etcd: Debian etcd from AMS\'s embedded-etcd files, client-certificate auth', () => {
  it('accepts AMS\'s client certificate from settings.yaml and refuses a client without one', async () => {
    expect(ETCD).toBeDefined();
    const settings = load(readUnitFile(world, 'anbox', 'ams/0', `${AMS_SERVER}/settings.yaml`)) as { store: { driver: string; data: { cert: string; key: string; ca: string } } };
    expect(settings.store.driver).toBe('etcd');
    const { etcd, url } = await startEtcdFromAms(ETCD!, unitFile(world, 'anbox', 'ams/0', AMS_ETCD));
    try {
      const d = settings.store.data;
      const ams = { ca: readFileSync(d.ca), cert: readFileSync(d.cert), key: readFileSync(d.key) };
      const key = Buffer.from('ams/e2e').toString('base64');
      expect(await etcdCall(url, '/v3/kv/put', { key, value: Buffer.from('ok').toString('base64') }, ams)).toBe(200);
      expect(await etcdCall(url, '/v3/kv/range', { key }, ams)).toBe(200);
      await expect(etcdCall(url, '/v3/kv/range', { key }, { ca: ams.ca })).rejects.toThrow(/certificate|handshake|socket hang up|ECONNRESET/);
    } finally {
      await etcd.stop();
    }
  });
});

describe('what users see', () => {
  it('`jujusim secrets` lists every secret with a readable label and a description', async () => {
    for (const model of ['nats', 'anbox']) {
      const res = await jujusim(world.home, 'secrets', '-m', model, '--format', 'yaml');
      expect(res.code).toBe(0);
      const rows = load(res.stdout) as Record<string, { label?: string; description?: string; owner: string }>;
      expect(Object.keys(rows).length).toBeGreaterThanOrEqual(2);
      for (const [id, row] of Object.entries(rows)) {
        expect({ id, label: row.label }).toEqual({ id, label: expect.stringMatching(/^[a-z][a-z0-9-]*(\.[0-9]+\.[a-z0-9-]+)?$/) });
        expect((row.description ?? '').length).toBeGreaterThan(15);
      }
    }
  });

  it('no private key or token in any databag (show-unit), in debug-log or in a status', async () => {
    const values = [...await secretValues(world.sim, ['nats', 'anbox']), ...renderedPrivateKeys(join(world.home, 'machines'))];
    const token = agentConfig().nats!.token!;
    expect(values).toContain(token);
    const views: Record<string, string> = {
      'debug-log': (await world.sim.debugLog()).join('\n'),
      'status nats': JSON.stringify(await world.sim.status('nats')),
      'status anbox': JSON.stringify(await world.sim.status('anbox')),
    };
    for (const [model, units] of [['nats', story.units.nats], ['anbox', [...story.units.ams, ...story.units[AGENT]]]] as const) {
      for (const u of units) views[`show-unit ${u}`] = JSON.stringify(await world.sim.showUnit(u, model));
    }
    const leaks = Object.entries(views).map(([view, text]) => [view, leaksIn(text, values)] as const).filter(([, found]) => found.length > 0);
    expect(leaks).toEqual([]);
  });
});

describe('actions', () => {
  it('`run nats/0 rotate-token`: the agent gets the new token; the real server accepts it and refuses the old one', async () => {
    const old = agentConfig().nats!.token!;
    const { result } = await world.sim.runAction('nats/0', 'rotate-token', {}, { model: 'nats' });
    expect(result).toMatchObject({ status: 'completed' });
    expect(await notActive(world.sim)).toEqual([]);
    const config = agentConfig();
    expect(config.nats!.token).toBeDefined();
    expect(config.nats!.token).not.toBe(old);
    expect(JSON.stringify(result)).not.toContain(config.nats!.token!);
    await withNats('nats/0', async () => {
      expect(await natsRoundTrip(natsClientOptions(config), 'e2e.rotated', 'new token')).toMatchObject({ received: 'new token' });
      expect(await natsConnectError(natsClientOptions(config, { token: old }))).toBe('AUTHORIZATION_VIOLATION');
    });
  }, 120_000);
});

describe('removals leave no stale trust and no lost CA', () => {
  it('a removed agent unit\'s certificate is rejected by AMS afterwards', async () => {
    const [added] = await addUnitsOnLoopback(world.sim, 'anbox', AGENT, 1, story.plan);
    expect(await notActive(world.sim)).toEqual([]);
    const gone = clientCreds(added!);
    expect(trustedFingerprints()).toHaveLength(2);
    await withAms('ams/0', async () => {
      expect(await agentCallsAms(agentConfig(), gone)).toBe(200);
      await world.sim.removeUnit(added!, { model: 'anbox' });
      expect(trustedFingerprints()).toHaveLength(1);
      expect(await agentCallsAms(agentConfig(), gone)).toBe(403);
      expect(await agentCallsAms(agentConfig())).toBe(200);
    });
    expect(await notActive(world.sim)).toEqual([]);
  }, 150_000);

  it('removing the nats leader keeps the CA: the new leader serves a certificate the agent still verifies', async () => {
    const caBefore = readUnitFile(world, 'nats', 'nats/0', 'var/snap/nats/common/server/ca.pem');
    const [second] = await addUnitsOnLoopback(world.sim, 'nats', 'nats', 1, story.plan);
    expect(readUnitFile(world, 'nats', second!, 'var/snap/nats/common/server/ca.pem')).toBe(caBefore);
    await world.sim.removeUnit('nats/0', { model: 'nats' });
    expect(await notActive(world.sim)).toEqual([]);
    const status = (await world.sim.status('nats')) as { applications: { nats: { units: Record<string, { leader?: boolean }> } } };
    expect(status.applications.nats.units[second!]?.leader).toBe(true);
    expect(readUnitFile(world, 'nats', second!, 'var/snap/nats/common/server/ca.pem')).toBe(caBefore);
    const config = agentConfig();
    expect(config.nats!.urls).toEqual([`tls://${story.plan.map.get(`nats/${second}`)}:4222`]);
    expect(readFileSync(config.nats!.ca!, 'utf8')).toContain(caBefore.trim());
    await withNats(second!, async () => {
      expect(await natsRoundTrip(natsClientOptions(config), 'e2e.after', 'still here')).toMatchObject({ received: 'still here', tlsRequired: true });
    });
  }, 150_000);

  it('removing the ams leader keeps AMS\'s CA and the agent\'s trust on the new leader', async () => {
    const caOf = (unit: string) => readUnitFile(world, 'anbox', unit, `${AMS_ETCD}/server-ca.pem`);
    const caBefore = caOf('ams/0');
    const [second] = await addUnitsOnLoopback(world.sim, 'anbox', 'ams', 1, story.plan);
    await world.sim.removeUnit('ams/0', { model: 'anbox' });
    expect(await notActive(world.sim)).toEqual([]);
    expect(caOf(second!)).toBe(caBefore);
    expect(trustedFingerprints(second!)).toHaveLength(1);
    expect(new URL(agentConfig().ams!.url).hostname).toBe(story.plan.map.get(`anbox/${second}`));
    await withAms(second!, async () => {
      expect(await agentCallsAms(agentConfig())).toBe(200);
    });
  }, 150_000);

  it('removing the ams relation removes the trust; removing the nats relation revokes the token grant', async () => {
    const ams = Object.keys(((await world.sim.status('anbox')) as { applications: { ams: { units: Record<string, unknown> } } }).applications.ams.units)[0]!;
    const before = agentConfig();
    const creds = clientCreds(`${AGENT}/0`);
    await world.sim.removeRelation(`${AGENT}:ams`, 'ams:rest-api', { model: 'anbox' });
    expect(trustedFingerprints(ams)).toEqual([]);
    await withAms(ams, async () => {
      expect(await agentCallsAms(before, creds)).toBe(403);
    }, before.ams!.url);

    const tokenId = Object.entries((await world.sim.secrets('nats')) as Record<string, { label?: string }>).find(([, s]) => s.label === 'nats-token')?.[0];
    await world.sim.removeRelation(`${AGENT}:nats`, 'nats', { model: 'anbox' });
    if (tokenId) {
      const shown = (await world.sim.showSecret(tokenId, { model: 'nats' })) as Record<string, { access?: unknown[] }>;
      expect(Object.values(shown)[0]?.access ?? []).toEqual([]);
    }
    expect(agentConfig().nats?.token).toBeUndefined();
    const status = (await world.sim.status('anbox')) as { applications: Record<string, { units: Record<string, { 'workload-status': { current: string } }> }> };
    for (const app of Object.values(status.applications)) for (const u of Object.values(app.units)) expect(u['workload-status'].current).not.toBe('error');
  }, 150_000);
});
