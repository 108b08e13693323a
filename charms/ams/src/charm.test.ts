/**
 * The ams charm in-process against the simulator engine (Juju 3.6 and 2.9 personalities),
 * related to the real anbox-stream-agent charm: trust by fingerprint follows relation-list
 * (contract §1.4: a departed unit's bag stays readable, it must not stay trusted), invalid
 * client certificates are named in the status and change nothing, no secret crosses a
 * databag on 3.6, and re-running hooks changes nothing.
 */
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { defineCharm } from '../../../lib/juju/dispatch.ts';
import { active } from '../../../lib/juju/status.ts';
import type { CharmSpec } from '../../../lib/testing/engine/api.ts';
import { CertificateAuthority } from '../../../lib/tls/ca.ts';
import { Certificate } from '../../../lib/tls/certificate.ts';
import { certificateFingerprint } from '../../../lib/tls/fingerprint.ts';
import { CharmHarness } from '../../common/src/testing/charm-harness.ts';
import { parseConfigItems, parseTrustStore } from './workload.ts';

const EC = { key_algorithm: 'ec-p384' } as const;
const AGENT = 'anbox-stream-agent';

/** A bare `rest` requirer whose unit publishes config `cert` as its client_certificate. */
const REST_CLIENT: CharmSpec = {
  name: 'rest-client', provides: {}, requires: { ams: { interface: 'rest' } }, peers: {},
  config: { cert: { type: 'string', default: '' } }, actions: {},
};
const restClientCharm = defineCharm({
  reconcile: ({ tools }) => {
    const cert = String(tools.configGet()['cert'] ?? '');
    for (const id of tools.relationIds('ams')) tools.relationSet(id, { client_certificate: cert });
    return active();
  },
});

function trustedFingerprints(h: CharmHarness, model: string, unit = 'ams/0'): string[] {
  const file = join(h.unitDir(model, unit, 'ams'), 'server/trusted-clients.yaml');
  return parseTrustStore(readFileSync(file, 'utf8')).map((e) => e.fingerprint).sort();
}

function agentFingerprint(h: CharmHarness, model: string, unit: string): string {
  return certificateFingerprint(readFileSync(join(h.unitDir(model, unit, 'agent'), 'certs/client.crt'), 'utf8'), 'plain');
}

function configItems(h: CharmHarness, model: string, unit = 'ams/0'): Record<string, string> {
  return parseConfigItems(readFileSync(join(h.unitDir(model, unit, 'ams'), 'server/config-items.yaml'), 'utf8'));
}

/** Everything re-running hooks must not change: files, service commands, bags, secret revisions. */
function snapshot(h: CharmHarness, model: string): string {
  const secrets = h.engine.toolNames(model).includes('secret-get') ? h.engine.secrets(model) : {};
  return JSON.stringify({ commands: [...h.commands.entries()], bags: h.databagValues(), secrets });
}

let weak: { rsa1024: string; expired: string; caCert: string; good: string };

beforeAll(async () => {
  // RSA 1024 cannot be made with lib/tls (policy), so openssl makes it; keys never leave tmp.
  const dir = mkdtempSync(join(tmpdir(), 'ams-weak-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/CN=weak-client', '-days', '30'], { stdio: 'ignore' });
    const rsa1024 = readFileSync(join(dir, 'c.pem'), 'utf8');
    const old = new Date('2020-01-01T00:00:00Z');
    const ca = await CertificateAuthority.create({ commonName: 'old CA', key: { type: 'ec', curve: 'P-256' }, now: old, validity: { days: 10 } });
    const expired = (await ca.issue({ usage: 'client', commonName: 'expired-client', key: { type: 'ec', curve: 'P-256' }, now: old, validity: { days: 1 } })).certPem;
    const liveCa = await CertificateAuthority.create({ commonName: 'a CA, not a client', key: { type: 'ec', curve: 'P-256' } });
    const good = (await liveCa.issue({ usage: 'client', commonName: 'good-client', key: { type: 'ec', curve: 'P-256' } })).certPem;
    weak = { rsa1024, expired, caCert: liveCa.certPem, good };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe.each([['3.6.8'], ['2.9.44']])('ams charm on Juju %s', (version) => {
  const secrets = version.startsWith('3');
  let h: CharmHarness;

  async function deployStory(agents = 2): Promise<void> {
    h = new CharmHarness();
    h.engine.addModel('m', { agentVersion: version });
    h.deploy('m', 'ams', { config: EC });
    h.deploy('m', AGENT, { units: agents, config: EC });
    h.engine.integrate('m', 'ams:rest-api', `${AGENT}:ams`);
    h.engine.integrate('m', 'ams:agent', `${AGENT}:client`);
    await h.settle();
    expect(h.failures).toEqual([]);
  }

  afterEach(() => h?.cleanup());

  it('trusts exactly the agents\' client certificates, by SHA-256 fingerprint, and answers on rest-api', async () => {
    await deployStory();
    const expected = [agentFingerprint(h, 'm', `${AGENT}/0`), agentFingerprint(h, 'm', `${AGENT}/1`)].sort();
    expect(trustedFingerprints(h, 'm')).toEqual(expected);
    expect(h.statuses('m')['ams/0']).toBe('active: 2 clients trusted');
    const amsDir = h.unitDir('m', 'ams/0', 'ams');
    expect(h.commands.get(amsDir)?.filter((c) => c.startsWith('trust')).sort()).toEqual(expected.map((fp) => `trust add ${fp}`).sort());

    // The rest answer: unit bag with port/addresses/node/fingerprint of THIS unit's API certificate.
    const show = h.engine.showUnit('m', 'ams/0') as Record<string, { 'relation-info': Array<{ endpoint: string; 'local-unit': { data: Record<string, string> } }> }>;
    const rest = show['ams/0']!['relation-info'].find((r) => r.endpoint === 'rest-api')!;
    const serverFp = certificateFingerprint(readFileSync(join(amsDir, 'server/server.crt'), 'utf8').split(/(?<=-----END CERTIFICATE-----\n)/)[0]!, 'plain');
    expect(rest['local-unit'].data).toMatchObject({ port: '8444', node: 'ams-0', certificate_fingerprint: serverFp });
    expect(rest['local-unit'].data['private_address']).toMatch(/^10\./);
    // The API certificate carries the unit's addresses from network-get as SANs.
    const sans = Certificate.fromPem(readFileSync(join(amsDir, 'server/server.crt'), 'utf8')).subjectAltNames;
    expect(sans.ip).toContain(rest['local-unit'].data['private_address']);

    // The agent API, resolved from the agent's secret (3.6) or inline token (2.9).
    const items = configItems(h, 'm');
    expect(items['agent.api.url']).toMatch(/^https:\/\/10\.[0-9.]+:8446$/);
    expect(items['agent.api.fingerprint']).toBe(agentFingerprint(h, 'm', `${AGENT}/0`));
    const agentConfig = load(readFileSync(join(h.unitDir('m', `${AGENT}/0`, 'agent'), 'config.yaml'), 'utf8')) as { api: { token: string } };
    expect(items['agent.api.token']).toBe(agentConfig.api.token);
    expect(statSync(join(amsDir, 'server/config-items.yaml')).mode & 0o777).toBe(0o600);
    expect(statSync(join(amsDir, 'server/server.key')).mode & 0o777).toBe(0o600);
    // Embedded etcd (default): etcd's server files and AMS's client files, all from the AMS CA.
    expect(statSync(join(amsDir, 'etcd/server-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(amsDir, 'etcd/client-key.pem')).mode & 0o777).toBe(0o600);
    const settings = load(readFileSync(join(amsDir, 'server/settings.yaml'), 'utf8')) as { store: { data: { servers: string[] } } };
    expect(settings.store.data.servers).toEqual(['https://127.0.0.1:2379']);

    if (secrets) {
      // contract: no private key or token in any databag on Juju >= 3.0.3 (peer bags included).
      const values = h.databagValues();
      expect(values.filter((v) => v.includes('PRIVATE KEY'))).toEqual([]);
      expect(values.filter((v) => v.includes(agentConfig.api.token))).toEqual([]);
    } else {
      // 2.9 has no secrets: the CA key lives in the peer app bag (lib/secrets fallback), but
      // no private key ever crosses to another application; the token does, inline (legacy).
      expect(h.databagValues({ crossAppOnly: true }).filter((v) => v.includes('PRIVATE KEY'))).toEqual([]);
    }
  }, 60_000);

  it('removing an agent unit removes exactly its trust; removing the relation removes all', async () => {
    await deployStory();
    const fp1 = agentFingerprint(h, 'm', `${AGENT}/1`);
    const fp0 = agentFingerprint(h, 'm', `${AGENT}/0`);
    h.engine.removeUnit('m', `${AGENT}/1`);
    await h.settle();
    expect(h.failures).toEqual([]);
    // The departed unit's bag is still readable (contract §1.4) but it is no longer trusted.
    expect(trustedFingerprints(h, 'm')).toEqual([fp0]);
    expect(h.commands.get(h.unitDir('m', 'ams/0', 'ams'))).toContain(`trust remove ${fp1}`);
    expect(h.statuses('m')['ams/0']).toBe('active: 1 client trusted');

    h.engine.removeRelation('m', 'ams:rest-api', `${AGENT}:ams`);
    await h.settle();
    expect(h.failures).toEqual([]);
    expect(trustedFingerprints(h, 'm')).toEqual([]);
    expect(h.commands.get(h.unitDir('m', 'ams/0', 'ams'))).toContain(`trust remove ${fp0}`);

    // The agent relation goes too: AMS drops the agent.api.* items, the agent revokes its grant.
    const grants = (): unknown[] => {
      const list = h.engine.secrets('m') as Record<string, { label?: string; owner: string }>;
      const [id] = Object.entries(list).find(([, v]) => v.label === 'api-token' && v.owner === AGENT)!;
      return (h.engine.showSecret('m', id) as Record<string, { access?: unknown[] }>)[id]?.access ?? [];
    };
    expect(Object.keys(configItems(h, 'm'))).toContain('agent.api.token');
    if (secrets) expect(grants()).toHaveLength(1);
    h.engine.removeRelation('m', 'ams:agent', `${AGENT}:client`);
    await h.settle();
    expect(h.failures).toEqual([]);
    expect(configItems(h, 'm')).toEqual({});
    if (secrets) expect(grants()).toEqual([]);
  }, 60_000);

  it('an invalid client_certificate (garbage PEM, RSA 1024, expired, a CA) is not trusted, is named in the status, and changes nothing; a trusted unit keeps its last good one until it departs', async () => {
    await deployStory(1);
    h.charms.set('rest-client', restClientCharm);
    h.engine.deploy('m', REST_CLIENT, 'bad');
    const rid = h.engine.integrate('m', 'ams:rest-api', 'bad:ams');
    await h.settle();
    const amsDir = h.unitDir('m', 'ams/0', 'ams');
    const before = { trusted: trustedFingerprints(h, 'm'), commands: [...(h.commands.get(amsDir) ?? [])] };
    expect(before.trusted).toHaveLength(1);
    const cases: Array<[string, string, RegExp]> = [
      ['garbage PEM', '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGUgYXQgYWxs\n-----END CERTIFICATE-----\n', /not a parseable X\.509 certificate/],
      ['RSA 1024', weak.rsa1024, /RSA 1024 key is below the 2048-bit minimum/],
      ['expired', weak.expired, /expired at 2020-01-02/],
      ['a CA certificate', weak.caCert, /is a CA certificate, not a leaf/],
    ];
    for (const [what, cert, why] of cases) {
      h.engine.setConfig('m', 'bad', { cert });
      await h.settle();
      expect(h.failures).toEqual([]);
      const status = h.statuses('m')['ams/0']!;
      expect(`${what}: ${status}`).toMatch(new RegExp(`^${what}: blocked: rest-api:${rid} unit bag bad/0 field "client_certificate": `));
      expect(status).toMatch(why);
      expect(status).toMatch(/not trusted$/);
      expect(trustedFingerprints(h, 'm')).toEqual(before.trusted);
      expect(h.commands.get(amsDir)).toEqual(before.commands);
    }
    // A good certificate from the same unit is then trusted, and the status clears.
    h.engine.setConfig('m', 'bad', { cert: weak.good });
    await h.settle();
    expect(h.statuses('m')['ams/0']).toBe('active: 2 clients trusted');
    const goodFp = certificateFingerprint(weak.good, 'plain');
    const withGood = { trusted: trustedFingerprints(h, 'm'), commands: [...(h.commands.get(amsDir) ?? [])] };
    expect(withGood.trusted).toEqual([...before.trusted, goodFp].sort());

    // Issue 4/6: invalid data from a trusted unit changes nothing; its last good certificate
    // stays trusted (named in a blocked status) until the unit departs.
    h.engine.setConfig('m', 'bad', { cert: weak.expired });
    await h.settle();
    expect(h.failures).toEqual([]);
    expect(h.statuses('m')['ams/0']).toMatch(new RegExp(`^blocked: rest-api:${rid} unit bag bad/0 field "client_certificate": expired at .*; keeping its last trusted certificate$`));
    expect(trustedFingerprints(h, 'm')).toEqual(withGood.trusted);
    expect(h.commands.get(amsDir)).toEqual(withGood.commands);
    h.engine.removeUnit('m', 'bad/0');
    await h.settle();
    expect(h.failures).toEqual([]);
    expect(trustedFingerprints(h, 'm')).toEqual(before.trusted);
    expect(h.commands.get(amsDir)).toContain(`trust remove ${goodFp}`);
    expect(h.statuses('m')['ams/0']).toBe('active: 1 client trusted');
  }, 60_000);

  it('re-running hooks changes nothing (update-status, upgrade-charm)', async () => {
    await deployStory();
    const before = snapshot(h, 'm');
    const calls = h.engine.toolCalls().length;
    h.engine.advanceTime(6 * 60 * 1000);
    h.engine.refresh('m', 'ams');
    h.engine.refresh('m', AGENT);
    const ran = await h.settle();
    expect(ran.length).toBeGreaterThan(0);
    expect(h.failures).toEqual([]);
    expect(snapshot(h, 'm')).toBe(before);
    const writes = h.engine.toolCalls().slice(calls).filter((c) => ['relation-set', 'secret-add', 'secret-set', 'state-set', 'secret-grant', 'secret-revoke'].includes(c.tool));
    expect(writes).toEqual([]);
  }, 60_000);

  it('actions: get-ca-certificate returns the CA of the API certificate; regenerate-certificates makes a new one', async () => {
    await deployStory(1);
    const ca = await h.action('m', 'ams/0', 'get-ca-certificate');
    expect(ca.status).toBe('completed');
    expect(String(ca.results['ca-certificate'])).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(JSON.stringify(ca.results)).not.toMatch(/PRIVATE KEY/);
    const dir = h.unitDir('m', 'ams/0', 'ams');
    const oldCert = readFileSync(join(dir, 'server/server.crt'), 'utf8');
    const regen = await h.action('m', 'ams/0', 'regenerate-certificates');
    expect(regen.status).toBe('completed');
    const newCert = readFileSync(join(dir, 'server/server.crt'), 'utf8');
    expect(newCert).not.toBe(oldCert);
    expect(regen.results['fingerprint']).toBe(certificateFingerprint(newCert.split(/(?<=-----END CERTIFICATE-----\n)/)[0]!, 'plain'));
    await h.settle();
    expect(h.failures).toEqual([]);
    // The agent now pins the new fingerprint.
    const agentConfig = load(readFileSync(join(h.unitDir('m', `${AGENT}/0`, 'agent'), 'config.yaml'), 'utf8')) as { ams: { fingerprint: string } };
    expect(agentConfig.ams.fingerprint).toBe(regen.results['fingerprint']);
  }, 60_000);
});
