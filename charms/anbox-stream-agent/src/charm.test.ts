/**
 * The anbox-stream-agent charm in-process against the simulator engine (Juju 3.6 and 2.9),
 * with the real ams charm and a small NATS provider built on lib/secrets (the `natsy` test
 * charm: token as a secret id when negotiated, else inline). Checks what lands in the
 * rendered config.yaml (and nowhere else), token rotation via secret-changed, waiting on a
 * not-yet-granted secret, the legacy `tls://<token>@host:port` URL, pinning vs CA, statuses.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { HookContext } from '../../../lib/juju/context.ts';
import { defineCharm } from '../../../lib/juju/dispatch.ts';
import { Tools } from '../../../lib/juju/hook-tools.ts';
import { active } from '../../../lib/juju/status.ts';
import { JujuVersion } from '../../../lib/juju/version.ts';
import { NATSY, natsyHook, natsyRotate } from '../../../lib/secrets/testing/charms.ts';
import type { CharmSpec } from '../../../lib/testing/engine/api.ts';
import { InProcessRunner } from '../../../lib/testing/in-process.ts';
import { Certificate } from '../../../lib/tls/certificate.ts';
import { certificateFingerprint } from '../../../lib/tls/fingerprint.ts';
import { CharmHarness } from '../../common/src/testing/charm-harness.ts';

const EC = { key_algorithm: 'ec-p384' } as const;
const AGENT = 'anbox-stream-agent';

interface AgentConfig {
  region: string;
  tls: { cert: string; key: string };
  ams?: { url: string; fingerprint?: string; ca?: string };
  nats?: { urls: string[]; ca?: string; token?: string };
  api?: { 'listen-address': string; token: string };
}

const natsyCharm = defineCharm({ reconcile: async ({ tools, hook }) => { await natsyHook({ tools, ctx: hook }); return active(); } });

/** A NATS provider that only publishes the published charm's legacy URL (token inside). */
const LEGACY_NATS: CharmSpec = { name: 'legacy-nats', provides: { client: { interface: 'nats' } }, requires: {}, peers: {}, config: {}, actions: {} };
const legacyNatsCharm = defineCharm({
  reconcile: ({ tools }) => {
    for (const id of tools.relationIds('client')) tools.relationSet(id, { url: 'tls://legacy-token-0123456789@10.9.9.9:4222' });
    return active();
  },
});

/** A NATS provider that shares a secret id but never grants it: the agent must wait. */
const UNGRANTED_NATS: CharmSpec = { ...LEGACY_NATS, name: 'ungranted-nats' };
const ungrantedNatsCharm = defineCharm({
  reconcile: ({ tools }) => {
    if (!tools.isLeader()) return active();
    for (const id of tools.relationIds('client')) {
      tools.relationSet(id, { url: 'tls://10.9.9.8:4222' });
      if (!tools.relationGet(id, 'ungranted-nats', { app: true })['token_secret_id']) {
        const secret = tools.secretAdd({ token: 'never-granted-token-0123' }, { label: 'ungranted' });
        tools.relationSet(id, { token_secret_id: secret }, { app: true });
      }
    }
    return active();
  },
});

function agentConfig(h: CharmHarness, model: string, unit: string): AgentConfig {
  return load(readFileSync(join(h.unitDir(model, unit, 'agent'), 'config.yaml'), 'utf8')) as AgentConfig;
}

function amsServerFingerprint(h: CharmHarness, model: string): string {
  const pem = readFileSync(join(h.unitDir(model, 'ams/0', 'ams'), 'server/server.crt'), 'utf8');
  return certificateFingerprint(pem.split(/(?<=-----END CERTIFICATE-----\n)/)[0]!, 'plain');
}

/** Run `fn` on `unit` in an ad-hoc context (like `juju exec`), committed when it returns. */
async function exec<T>(h: CharmHarness, model: string, unit: string, fn: (tools: Tools, ctx: HookContext) => T | Promise<T>): Promise<T> {
  const inv = h.engine.openContext(model, unit);
  const tools = new Tools(new InProcessRunner(h.engine, inv.contextId), { unitName: unit, version: JujuVersion.parse(inv.env['JUJU_VERSION']!) });
  try {
    const out = await fn(tools, HookContext.fromEnv(inv.env));
    h.engine.finishHook(inv.contextId, { exitCode: 0 });
    return out;
  } catch (e) {
    h.engine.finishHook(inv.contextId, { exitCode: 1 });
    throw e;
  }
}

describe.each([['3.6.8'], ['2.9.44']])('anbox-stream-agent charm on Juju %s', (version) => {
  const secrets = version.startsWith('3');
  let h: CharmHarness;

  async function story(options: { agentConfig?: Record<string, string | boolean> } = {}): Promise<void> {
    h = new CharmHarness();
    h.charms.set('natsy', natsyCharm);
    h.engine.addModel('m', { agentVersion: version });
    h.deploy('m', 'ams', { config: EC });
    h.deploy('m', AGENT, { units: 2, config: { ...EC, ...options.agentConfig } });
    h.engine.deploy('m', NATSY, 'natsy');
    h.engine.integrate('m', 'ams:rest-api', `${AGENT}:ams`);
    h.engine.integrate('m', 'ams:agent', `${AGENT}:client`);
    h.engine.integrate('m', 'natsy:client', `${AGENT}:nats`);
    await h.settle();
    expect(h.failures).toEqual([]);
  }

  afterEach(() => h?.cleanup());

  it('renders config.yaml from ams and nats, pins AMS, and keeps every credential in that 0600 file only', async () => {
    await story();
    const statuses = h.statuses('m');
    expect(statuses[`${AGENT}/0`]).toBe('active');
    expect(statuses[`${AGENT}/1`]).toBe('active');
    const dir = h.unitDir('m', `${AGENT}/0`, 'agent');
    const cfg = agentConfig(h, 'm', `${AGENT}/0`);
    expect(cfg.region).toBe('cloud-0');
    expect(cfg.ams).toEqual({ url: expect.stringMatching(/^https:\/\/10\.[0-9.]+:8444$/), fingerprint: amsServerFingerprint(h, 'm') });
    expect(cfg.nats?.urls).toEqual([expect.stringMatching(/^tls:\/\/natsy-0\.example:4222$/)]);
    expect(cfg.nats?.token).toMatch(/^tok-[0-9a-f]{32}$/);
    expect(cfg.api?.token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dir, 'config.yaml')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'certs/client.key')).mode & 0o777).toBe(0o600);
    // Both agent units render the same app-wide API token; AMS received it too.
    expect(agentConfig(h, 'm', `${AGENT}/1`).api?.token).toBe(cfg.api?.token);
    const amsItems = readFileSync(join(h.unitDir('m', 'ams/0', 'ams'), 'server/config-items.yaml'), 'utf8');
    expect(amsItems).toContain(cfg.api!.token);

    const bags = h.databagValues();
    const natsApp = bags.join('\n');
    if (secrets) {
      // The tokens crossed as secret ids only (contract §3; design.md negotiation).
      expect(bags.filter((v) => v.includes(cfg.nats!.token!) || v.includes(cfg.api!.token))).toEqual([]);
      expect(bags.filter((v) => v.includes('PRIVATE KEY'))).toEqual([]);
      expect(natsApp).toMatch(/secret:/);
    } else {
      expect(bags).toContain(cfg.nats!.token!); // 2.9: inline, the only form a 2.9 agent can read
      expect(h.databagValues({ crossAppOnly: true }).filter((v) => v.includes('PRIVATE KEY'))).toEqual([]);
    }
    // No credential in any status or log line.
    const log = h.engine.debugLog('m').join('\n');
    for (const secret of [cfg.nats!.token!, cfg.api!.token]) {
      expect(log).not.toContain(secret);
      expect(JSON.stringify(h.statuses('m'))).not.toContain(secret);
    }
    expect(log).not.toMatch(/PRIVATE KEY-----\n[A-Za-z0-9]/);
  }, 60_000);

  it('re-renders on token rotation (secret-changed on 3.6, relation-changed on 2.9)', async () => {
    await story();
    const before = agentConfig(h, 'm', `${AGENT}/0`).nats!.token;
    const [rotated] = await exec(h, 'm', 'natsy/0', (tools, ctx) => natsyRotate({ tools, ctx }));
    expect(rotated).toBeDefined();
    const ran = await h.settle();
    expect(h.failures).toEqual([]);
    if (secrets) expect(ran.map((r) => `${r.hook.unit} ${r.hook.name}`)).toContain(`${AGENT}/0 secret-changed`);
    expect(rotated).not.toBe(before);
    expect(agentConfig(h, 'm', `${AGENT}/0`).nats!.token).toBe(rotated);
    expect(agentConfig(h, 'm', `${AGENT}/1`).nats!.token).toBe(rotated);
  }, 60_000);

  it('without pinning, verifies AMS against the CA it published', async () => {
    await story({ agentConfig: { tls_use_pinning: false } });
    const cfg = agentConfig(h, 'm', `${AGENT}/0`);
    expect(cfg.ams?.fingerprint).toBeUndefined();
    expect(cfg.ams?.ca).toBe(join(h.unitDir('m', `${AGENT}/0`, 'agent'), 'certs/ams-ca.crt'));
    const amsCa = await h.action('m', 'ams/0', 'get-ca-certificate');
    expect(readFileSync(cfg.ams!.ca!, 'utf8')).toBe(String(amsCa.results['ca-certificate']));
  }, 60_000);

  it('reads the legacy tls://<token>@host:port URL; the token goes to config.yaml only', async () => {
    h = new CharmHarness();
    h.charms.set('legacy-nats', legacyNatsCharm);
    h.engine.addModel('m', { agentVersion: version });
    h.deploy('m', AGENT, { config: EC });
    h.engine.deploy('m', LEGACY_NATS, 'legacy-nats');
    h.engine.integrate('m', 'legacy-nats:client', `${AGENT}:nats`);
    await h.settle();
    expect(h.failures).toEqual([]);
    const cfg = agentConfig(h, 'm', `${AGENT}/0`);
    expect(cfg.nats).toEqual({ urls: ['tls://10.9.9.9:4222'], token: 'legacy-token-0123456789' });
    expect(h.statuses('m')[`${AGENT}/0`]).toBe('blocked: missing relation "ams": relate anbox-stream-agent:ams to ams:rest-api');
    expect(h.engine.debugLog('m').join('\n')).not.toContain('legacy-token-0123456789');
  }, 60_000);

  it('regenerate-certificates: AMS trusts the new client certificate and drops the old one', async () => {
    await story();
    const trustFile = join(h.unitDir('m', 'ams/0', 'ams'), 'server/trusted-clients.yaml');
    const old = certificateFingerprint(readFileSync(join(h.unitDir('m', `${AGENT}/1`, 'agent'), 'certs/client.crt'), 'utf8'), 'plain');
    expect(readFileSync(trustFile, 'utf8')).toContain(old);
    const regen = await h.action('m', `${AGENT}/1`, 'regenerate-certificates');
    expect(regen.status).toBe('completed');
    const fresh = String(regen.results['fingerprint']);
    expect(fresh).not.toBe(old);
    await h.settle();
    expect(h.failures).toEqual([]);
    const trust = readFileSync(trustFile, 'utf8');
    expect(trust).toContain(fresh);
    expect(trust).not.toContain(old);
    const ca = await h.action('m', `${AGENT}/0`, 'get-ca-certificate');
    expect(ca.status).toBe('completed');
    expect(Object.keys(ca.results)).toEqual(expect.arrayContaining(['ams-ca-certificate', 'ca-certificate', 'nats-ca-certificate']));
  }, 60_000);
});

describe('anbox-stream-agent charm, Juju 3.6 only', () => {
  let h: CharmHarness;
  afterEach(() => h?.cleanup());

  it('a shared secret id it may not read yet means waiting, not error', async () => {
    h = new CharmHarness();
    h.charms.set('ungranted-nats', ungrantedNatsCharm);
    h.engine.addModel('m');
    h.deploy('m', AGENT, { config: EC });
    h.engine.deploy('m', UNGRANTED_NATS, 'ungranted-nats');
    h.engine.integrate('m', 'ungranted-nats:client', `${AGENT}:nats`);
    await h.settle();
    expect(h.failures).toEqual([]);
    const status = h.statuses('m')[`${AGENT}/0`]!;
    expect(status).toMatch(/^blocked: missing relation "ams"/); // the blocker comes first …
    expect(status).not.toContain('never-granted-token');
    // … and once AMS is there, the unreadable token is what it waits for.
    h.deploy('m', 'ams', { config: EC });
    h.engine.integrate('m', 'ams:rest-api', `${AGENT}:ams`);
    await h.settle();
    expect(h.failures).toEqual([]);
    expect(h.statuses('m')[`${AGENT}/0`]).toMatch(/^waiting: nats:\d+: secret token_secret_id not readable yet \(.*permission denied.*\)$/);
  }, 60_000);

  it('issue 4/6: invalid nats/ams bags change nothing, block naming relation and field; a removed relation drops its last good view', async () => {
    h = new CharmHarness();
    h.charms.set('natsy', natsyCharm);
    h.engine.addModel('m');
    h.deploy('m', 'ams', { config: EC });
    h.deploy('m', AGENT, { config: EC });
    h.engine.deploy('m', NATSY, 'natsy');
    h.engine.integrate('m', 'ams:rest-api', `${AGENT}:ams`);
    h.engine.integrate('m', 'natsy:client', `${AGENT}:nats`);
    await h.settle();
    const file = join(h.unitDir('m', `${AGENT}/0`, 'agent'), 'config.yaml');
    const before = readFileSync(file, 'utf8');
    const caBefore = readFileSync(join(h.unitDir('m', `${AGENT}/0`, 'agent'), 'certs/nats-ca.crt'), 'utf8');
    const natsId = await exec(h, 'm', 'natsy/0', (tools) => {
      const [id] = tools.relationIds('client');
      tools.relationSet(id!, { ca_cert: 'not a certificate' }, { app: true });
      tools.relationSet(id!, { url: 'http://nats.example' });
      return `nats:${id!.split(':')[1]}`; // the same id, as the agent names it
    });
    await exec(h, 'm', 'ams/0', (tools) => tools.relationSet(tools.relationIds('rest-api')[0]!, { port: 'not-a-port' }));
    await h.settle();
    expect(h.failures).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readFileSync(join(h.unitDir('m', `${AGENT}/0`, 'agent'), 'certs/nats-ca.crt'), 'utf8')).toBe(caBefore);
    const status = h.statuses('m')[`${AGENT}/0`]!;
    expect(status).toMatch(/^blocked: /);
    expect(status).toContain(`${natsId} app bag field "ca_cert"`);
    expect(status).toContain(`${natsId} unit bag natsy/0 field "url"`);
    expect(status).toMatch(/ams:\d+ unit bag ams\/0 field "port"/);
    expect(Object.keys(await exec(h, 'm', `${AGENT}/0`, (tools) => tools.stateGet()))).toContain(`anbox-stream-agent.remote.${natsId}`);
    h.engine.removeRelation('m', 'natsy:client', `${AGENT}:nats`);
    await h.settle();
    expect(h.failures).toEqual([]);
    expect(Object.keys(await exec(h, 'm', `${AGENT}/0`, (tools) => tools.stateGet()))).not.toContain(`anbox-stream-agent.remote.${natsId}`);
    expect(agentConfig(h, 'm', `${AGENT}/0`).nats).toBeUndefined();
  }, 60_000);

  it('default key algorithm: an RSA 4096 client certificate; alone it is blocked on both relations', async () => {
    h = new CharmHarness();
    h.engine.addModel('m');
    h.deploy('m', AGENT);
    await h.settle();
    expect(h.failures).toEqual([]);
    const cert = Certificate.fromPem(readFileSync(join(h.unitDir('m', `${AGENT}/0`, 'agent'), 'certs/client.crt'), 'utf8'));
    expect(cert.keyAlgorithm).toEqual({ type: 'rsa', bits: 4096 });
    expect(cert.extendedKeyUsage).toEqual(expect.arrayContaining(['clientAuth', 'serverAuth']));
    expect(h.statuses('m')[`${AGENT}/0`]).toBe(
      'blocked: missing relation "ams": relate anbox-stream-agent:ams to ams:rest-api; missing relation "nats": relate anbox-stream-agent:nats to nats:client',
    );
  }, 60_000);
});
