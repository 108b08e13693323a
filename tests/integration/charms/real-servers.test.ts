/**
 * Real servers from what the CHARMS rendered (in-process against the simulator engine):
 * - Debian's etcd started from the ams charm's embedded-mode files (server certificate, key
 *   and CA named in etcd.conf.yml; loopback ports chosen here so parallel runs do not clash)
 *   accepts AMS's client certificate from settings.yaml and refuses a foreign one;
 * - mutual TLS: a server built from the AMS unit's files (API certificate, trust store by
 *   fingerprint) accepts each agent's client certificate from its config.yaml (AMS pinned by
 *   fingerprint), refuses a certificate AMS was never given, and refuses an agent unit's
 *   certificate once that unit is removed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { request, type Server } from 'node:https';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { CertificateAuthority } from '../../../lib/tls/ca.ts';
import { agentCallsAms, closeServer, startAmsStandIn } from '../e2e/servers.ts';
import type { AgentConfig } from '../../../tox-free-scripts/demo-nats.ts';
import { CharmHarness } from '../../../charms/common/src/testing/charm-harness.ts';
import { findBinary, freePort, ServerProcess } from '../workloads/processes.ts';

const EC = { key_algorithm: 'ec-p384' } as const;
const AGENT = 'anbox-stream-agent';
const ETCD = findBinary('/usr/bin/etcd', '/usr/local/bin/etcd');
const etcdSuite = ETCD ? describe : describe.skip;
if (!ETCD) console.warn('SKIPPED real etcd test: etcd not found (apt-get install etcd-server)');

interface Tls { ca: string | Buffer; cert?: string | Buffer; key?: string | Buffer }

function etcdCall(url: string, path: string, body: unknown, tls: Tls): Promise<number> {
  const u = new URL(path, url);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', ...tls, headers: { 'content-type': 'application/json' }, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(data);
  });
}

etcdSuite('real etcd from the ams charm\'s embedded-mode files', () => {
  let h: CharmHarness;
  let etcd: ServerProcess;
  let url: string;
  let settings: { store: { driver: string; data: { servers: string[]; cert: string; key: string; ca: string } } };

  beforeAll(async () => {
    h = new CharmHarness();
    h.engine.addModel('m');
    h.deploy('m', 'ams', { config: EC });
    await h.settle();
    expect(h.failures).toEqual([]);
    const dir = h.unitDir('m', 'ams/0', 'ams');
    const conf = load(readFileSync(join(dir, 'etcd/etcd.conf.yml'), 'utf8')) as { 'client-transport-security': Record<string, string | boolean> };
    const sec = conf['client-transport-security'];
    expect(sec['client-cert-auth']).toBe(true);
    settings = load(readFileSync(join(dir, 'server/settings.yaml'), 'utf8')) as typeof settings;
    const [client, peer] = [await freePort(), await freePort()];
    url = `https://127.0.0.1:${client}`;
    const peerUrl = `http://127.0.0.1:${peer}`;
    etcd = new ServerProcess(ETCD!, [
      '--name', 'ams-embedded', '--data-dir', join(dir, 'etcd/data'),
      '--listen-client-urls', url, '--advertise-client-urls', url,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `ams-embedded=${peerUrl}`,
      '--client-cert-auth', '--trusted-ca-file', String(sec['trusted-ca-file']),
      '--cert-file', String(sec['cert-file']), '--key-file', String(sec['key-file']),
      '--heartbeat-interval', '10', '--election-timeout', '100',
    ]);
    await etcd.waitFor(/ready to serve client requests/, 15_000);
  }, 60_000);

  afterAll(async () => {
    await etcd?.stop();
    h?.cleanup();
  });

  it('accepts AMS\'s client certificate from settings.yaml, refuses none and a foreign one', async () => {
    expect(settings.store.driver).toBe('etcd');
    const d = settings.store.data;
    const ams = { ca: readFileSync(d.ca), cert: readFileSync(d.cert), key: readFileSync(d.key) };
    const key = Buffer.from('ams/hello').toString('base64');
    expect(await etcdCall(url, '/v3/kv/put', { key, value: Buffer.from('world').toString('base64') }, ams)).toBe(200);
    expect(await etcdCall(url, '/v3/kv/range', { key }, ams)).toBe(200);
    await expect(etcdCall(url, '/v3/kv/range', { key }, { ca: ams.ca })).rejects.toThrow(/certificate|handshake|socket hang up/);
    const other = await CertificateAuthority.create({ commonName: 'foreign', key: { type: 'ec', curve: 'P-256' } });
    const leaf = await other.issue({ usage: 'client', commonName: 'intruder', key: { type: 'ec', curve: 'P-256' } });
    await expect(etcdCall(url, '/v3/kv/range', { key }, { ca: ams.ca, cert: leaf.certPem, key: leaf.keyPem })).rejects.toThrow(/certificate|unknown ca|socket hang up/);
  });
});

describe('real mTLS between the rendered AMS and agent files', () => {
  let h: CharmHarness;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    h = new CharmHarness();
    h.engine.addModel('m');
    h.deploy('m', 'ams', { config: EC });
    h.deploy('m', AGENT, { units: 2, config: EC });
    h.engine.integrate('m', 'ams:rest-api', `${AGENT}:ams`);
    await h.settle();
    expect(h.failures).toEqual([]);
    // The simulator's unit address is not on this machine: serve AMS's files on loopback.
    port = await freePort();
    server = await startAmsStandIn(join(h.unitDir('m', 'ams/0', 'ams'), 'server'), '127.0.0.1', port);
  }, 60_000);

  afterAll(async () => {
    await closeServer(server);
    h?.cleanup();
  });

  /** Client side from the agent's config.yaml only: its certificate + key, AMS pinned by fingerprint. */
  function agentGet(unit: string, override?: { cert: string; key: string }): Promise<number> {
    const cfg = load(readFileSync(join(h.unitDir('m', unit, 'agent'), 'config.yaml'), 'utf8')) as AgentConfig;
    return agentCallsAms(cfg, override, { host: '127.0.0.1', port });
  }

  it('accepts both agents, refuses a certificate AMS never got, and refuses a removed unit\'s certificate', async () => {
    expect(await agentGet(`${AGENT}/0`)).toBe(200);
    expect(await agentGet(`${AGENT}/1`)).toBe(200);
    const stranger = await (await CertificateAuthority.create({ key: { type: 'ec', curve: 'P-256' } })).issue({ usage: 'client', commonName: 'stranger', key: { type: 'ec', curve: 'P-256' } });
    expect(await agentGet(`${AGENT}/0`, { cert: stranger.certPem, key: stranger.keyPem })).toBe(403);

    const gone = { cert: readFileSync(join(h.unitDir('m', `${AGENT}/1`, 'agent'), 'certs/client.crt'), 'utf8'), key: readFileSync(join(h.unitDir('m', `${AGENT}/1`, 'agent'), 'certs/client.key'), 'utf8') };
    h.engine.removeUnit('m', `${AGENT}/1`);
    await h.settle();
    expect(h.failures).toEqual([]);
    expect(await agentGet(`${AGENT}/0`, gone)).toBe(403);
    expect(await agentGet(`${AGENT}/0`)).toBe(200);
  });
});
