/**
 * The nats charm in-process against the simulator engine (3.6 and 2.9 personalities), with a
 * small fake requirer charm. Each unit renders into its own directory; `snap`/`systemctl`
 * calls are recorded per unit, so restarts and reloads are observable.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { charmKit } from '../../../lib/charmkit/kit.ts';
import { defineCharm, type CharmDefinition } from '../../../lib/juju/dispatch.ts';
import type { InProcessDispatch } from '../../../lib/testing/in-process.ts';
import { FAKE_CA_SPEC, fakeCaCharm } from '../../../lib/charmkit/testing/fake-ca.ts';
import { active } from '../../../lib/juju/status.ts';
import { loadCharmDir } from '../../../lib/testing/charm-loader.ts';
import { createEngine } from '../../../lib/testing/engine/index.ts';
import type { Engine } from '../../../lib/testing/engine/api.ts';
import { dispatcher, revealSecret, secretList, settleOk, spec } from '../../../lib/charmkit/testing/sim.ts';
import { recordingRunner } from '../../common/src/workload-commands.ts';
import { createNatsCharm } from './charm.ts';
import { NATS_SERVER_DIR } from './workload.ts';

const tls = await import('../../../lib/tls/index.ts');
const HERE = fileURLToPath(new URL('.', import.meta.url));
const NATS_SPEC = loadCharmDir(resolve(HERE, '..'));
const REQUIRER_SPEC = spec('natsc', { requires: { nats: { interface: 'nats' } }, config: { nonce: { type: 'string', default: '' }, flag: { type: 'string', default: '' } } });
const EC384 = { 'ca-key-algorithm': 'ec-p384' };

let base: string;
beforeAll(() => { base = mkdtempSync(join(tmpdir(), 'nats-charm-')); });
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** One test world: engine, per-unit roots and command logs, a mutable clock for certificates. */
class World {
  readonly engine: Engine;
  readonly root: string;
  readonly commands = new Map<string, ReturnType<typeof recordingRunner>>();
  /** What each requirer unit last saw. */
  readonly seen = new Map<string, { urls: string[]; token?: string; via?: string; ca?: string }>();
  clock = Date.now();
  readonly run: InProcessDispatch;

  constructor(version: string, seed?: number) {
    this.engine = createEngine(seed === undefined ? {} : { seed });
    this.engine.addModel('m', { agentVersion: version });
    this.root = mkdtempSync(join(base, 'w-'));
    this.run = dispatcher({ nats: NATS_DEF(this), natsc: REQ_DEF(this) });
  }

  natsDef(): CharmDefinition {
    return createNatsCharm({
      root: (ctx) => join(this.root, ctx.hook.unit.name.replace('/', '-')),
      commands: (ctx) => this.cmds(ctx.hook.unit.name),
      now: () => new Date(this.clock),
    });
  }

  requirerDef(): CharmDefinition {
    return defineCharm({
      reconcile: (ctx) => {
        const kit = charmKit(ctx);
        const flag = String(ctx.tools.configGet()['flag'] ?? '');
        for (const r of kit.relations.all('nats')) {
          if (flag) r.local.set('secrets_supported', flag); else kit.store.advertise(r);
          const app = r.remoteAppBag.all();
          const urls = r.remoteUnitBags().map((b) => b.get('url')).filter((u): u is string => !!u).sort();
          let token: string | undefined;
          let via: string | undefined;
          if (app['token_secret_id']) {
            try { token = ctx.tools.secretGet({ id: app['token_secret_id'], refresh: true })['token']; via = 'secret'; } catch { /* not granted yet */ }
          } else {
            const m = /^tls:\/\/([^@]+)@/.exec(urls[0] ?? '');
            if (m) { token = m[1]; via = 'url'; }
          }
          this.seen.set(ctx.hook.unit.name, { urls, ...(token ? { token } : {}), ...(via ? { via } : {}), ...(app['ca_cert'] ? { ca: app['ca_cert'] } : {}) });
        }
        kit.relations.commit();
        return active();
      },
    });
  }

  cmds(unit: string): ReturnType<typeof recordingRunner> {
    let r = this.commands.get(unit);
    if (!r) { r = recordingRunner(); this.commands.set(unit, r); }
    return r;
  }

  deploy(units: number, config: Record<string, string | number | boolean> = EC384): void {
    this.engine.deploy('m', NATS_SPEC, 'nats', { units, config });
  }

  relate(): void {
    this.engine.deploy('m', REQUIRER_SPEC, 'natsc');
    this.engine.integrate('m', 'nats:client', 'natsc:nats');
  }

  settle(): Promise<unknown> { return settleOk(this.engine, this.run); }

  dir(unit: string): string { return join(this.root, unit.replace('/', '-'), NATS_SERVER_DIR); }
  file(unit: string, name: string): string { return readFileSync(join(this.dir(unit), name), 'utf8'); }
  /** Commands since the last call, per unit, as text. */
  drain(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [u, r] of this.commands) { out[u] = r.calls.splice(0).map((c) => c.join(' ')); }
    return out;
  }
  status(unit: string): { current: string; message?: string } {
    const s = this.engine.status('m') as { applications: Record<string, { units: Record<string, { 'workload-status': { current: string; message?: string } }> }> };
    const { current, message } = s.applications[unit.split('/')[0]!]!.units[unit]!['workload-status'];
    return { current, ...(message !== undefined ? { message } : {}) };
  }
  /** Everything in every databag, as show-unit prints it, for every unit. */
  allBags(): string {
    const s = this.engine.status('m') as { applications: Record<string, { units: Record<string, unknown> }> };
    return Object.values(s.applications).flatMap((a) => Object.keys(a.units)).map((u) => JSON.stringify(this.engine.showUnit('m', u))).join('\n');
  }
  appBag(): Record<string, string> {
    const info = ((this.engine.showUnit('m', 'natsc/0') as Record<string, unknown>)['natsc/0'] as { 'relation-info': Array<{ endpoint: string; 'application-data': Record<string, string> }> })['relation-info'];
    return info.find((i) => i.endpoint === 'nats')!['application-data'];
  }
  token(): { id: string; token: string; revision: number } {
    const s = revealSecret(this.engine, 'm', 'nats-token')!;
    return { id: s.id, token: s.content!['token']!, revision: s.revision };
  }
  caFingerprint(unit: string): string {
    return fp(this.file(unit, 'ca.pem'));
  }
  async action(unit: string, name: string): Promise<{ status: string; results: Record<string, unknown>; message?: string }> {
    const id = this.engine.enqueueAction('m', unit, name);
    await this.settle();
    return this.engine.actionResult('m', id) as { status: string; results: Record<string, unknown>; message?: string };
  }
  /** Fire update-status everywhere (a hook that changes nothing by itself). */
  async tick(): Promise<void> {
    this.engine.advanceTime(5 * 60_000 + 1000);
    await this.settle();
  }
}

/** SHA-256 fingerprint of the first certificate of a PEM bundle (the current CA comes first). */
const fp = (pem: string): string => tls.Certificate.fromPem(tls.splitCertificatePems(pem)[0]!).fingerprintSha256;
const NATS_DEF = (w: World): CharmDefinition => w.natsDef();
const REQ_DEF = (w: World): CharmDefinition => w.requirerDef();
const revisions = (w: World): Record<string, number> => Object.fromEntries(secretList(w.engine, 'm').map((s) => [`${s.owner}:${s.label}`, s.revision]));

describe('nats charm on Juju 3.6 (in-process simulator)', () => {
  it('deploys 1 unit: CA and token secrets, TLS config, port, status; a client gets only a secret id', async () => {
    const w = new World('3.6.8');
    w.deploy(1);
    w.relate();
    await w.settle();
    const ca = revealSecret(w.engine, 'm', 'ca')!;
    expect(ca.owner).toBe('nats');
    expect(ca.description).toMatch(/NATS self-signed CA/);
    const { token, id } = w.token();
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(32);
    expect(revealSecret(w.engine, 'm', 'nats-token')!.description).toMatch(/token/);
    const cfg = w.file('nats/0', 'nats.cfg');
    expect(cfg).toMatch(/tls \{/);
    expect(cfg).toContain(`token: "${token}"`);
    expect(w.file('nats/0', 'key.pem')).toMatch(/PRIVATE KEY/);
    expect(w.status('nats/0')).toEqual({ current: 'active', message: 'serving on 4222 (tls)' });
    expect(((w.engine.showUnit('m', 'nats/0') as Record<string, unknown>)['nats/0'] as { 'opened-ports': string[] })['opened-ports']).toEqual(['4222/tcp']);
    expect(w.drain()['nats/0']).toEqual(['snap install nats --channel=stable', 'snap restart nats']);
    // the requirer: secret id only, the URL without credentials, the CA
    const seen = w.seen.get('natsc/0')!;
    expect(seen.via).toBe('secret');
    expect(seen.token).toBe(token);
    expect(seen.urls).toEqual([expect.stringMatching(/^tls:\/\/[0-9.]+:4222$/)]);
    expect(fp(seen.ca!)).toBe(tls.Certificate.fromPem(ca.content!['cert']!).fingerprintSha256);
    const app = w.appBag();
    expect(Object.keys(app).sort()).toEqual(['ca_cert', 'token_secret_id']);
    expect(app['token_secret_id']).toBe(`secret:${id}`);
    // no token, no private key in ANY databag
    const bags = w.allBags();
    expect(bags).not.toContain(token);
    expect(bags).not.toMatch(/PRIVATE KEY/);
    const access = (w.engine.showSecret('m', id) as Record<string, { access?: Array<{ target: string }> }>)[id.replace(/^secret:/, '')]!.access!;
    expect(access.map((a) => a.target)).toEqual(['application-natsc']);
  });

  it('3 units: one CA and one token for all, routes to the two others, every unit publishes its url', async () => {
    const w = new World('3.6.8');
    w.deploy(3);
    w.relate();
    await w.settle();
    const { token } = w.token();
    const fps = ['nats/0', 'nats/1', 'nats/2'].map((u) => w.caFingerprint(u));
    expect(new Set(fps).size).toBe(1);
    for (const u of ['nats/0', 'nats/1', 'nats/2']) {
      const cfg = w.file(u, 'nats.cfg');
      expect(cfg).toContain(`token: "${token}"`);
      expect(cfg.match(/nats-route:\/\//g)).toHaveLength(2);
      expect(w.status(u).current).toBe('active');
    }
    expect(w.seen.get('natsc/0')!.urls).toHaveLength(3);
    expect(w.seen.get('natsc/0')!.urls.every((u) => !u.includes('@'))).toBe(true);
    expect(secretList(w.engine, 'm').filter((s) => s.label === 'ca' || s.label === 'nats-token').map((s) => `${s.owner}:${s.label}`).sort()).toEqual(['nats:ca', 'nats:nats-token']);
    expect(w.allBags()).not.toContain(token);
  });

  it.each([7, 42, 1234])('3 units with hook order shuffled (seed %i) settle active with one CA and one token', async (seed) => {
    const w = new World('3.6.8', seed);
    w.deploy(3);
    w.relate();
    await w.settle();
    const { token } = w.token();
    expect(new Set(['nats/0', 'nats/1', 'nats/2'].map((u) => w.caFingerprint(u))).size).toBe(1);
    for (const u of ['nats/0', 'nats/1', 'nats/2']) {
      expect(w.status(u)).toEqual({ current: 'active', message: 'serving on 4222 (tls)' });
      expect(w.file(u, 'nats.cfg')).toContain(`token: "${token}"`);
    }
    expect(w.seen.get('natsc/0')!.token).toBe(token);
    expect(secretList(w.engine, 'm').filter((x) => x.label === 'ca')).toHaveLength(1);
  });

  it('leader change keeps CA and token; re-running changes nothing (no revision, no reload)', async () => {
    const w = new World('3.6.8');
    w.deploy(2);
    w.relate();
    await w.settle();
    const before = { revs: revisions(w), token: w.token().token, ca: w.caFingerprint('nats/1'), cfg: w.file('nats/1', 'nats.cfg') };
    w.drain();
    await w.tick();
    expect(revisions(w)).toEqual(before.revs);
    expect(Object.values(w.drain()).flat()).toEqual([]);
    w.engine.setLeader('m', 'nats/1');
    await w.settle();
    await w.tick();
    expect(revisions(w)).toEqual(before.revs);
    expect(w.token().token).toBe(before.token);
    expect(w.caFingerprint('nats/1')).toBe(before.ca);
    expect(w.file('nats/1', 'nats.cfg')).toBe(before.cfg);
    expect(Object.values(w.drain()).flat()).toEqual([]);
  });

  it('client-relation-broken revokes the grant and rotates the token; followers reload with the new one', async () => {
    const w = new World('3.6.8');
    w.deploy(2);
    w.relate();
    await w.settle();
    const old = w.token();
    w.drain();
    w.engine.removeRelation('m', 'nats:client', 'natsc:nats');
    await w.settle();
    const now = w.token();
    expect(now.id).toBe(old.id);
    expect(now.token).not.toBe(old.token);
    expect(now.revision).toBe(old.revision + 1);
    const view = (w.engine.showSecret('m', now.id) as Record<string, { access?: unknown[] }>)[now.id.replace(/^secret:/, '')]!;
    expect(view.access ?? []).toEqual([]);
    for (const u of ['nats/0', 'nats/1']) expect(w.file(u, 'nats.cfg')).toContain(`token: "${now.token}"`);
    const cmds = w.drain();
    for (const u of ['nats/0', 'nats/1']) expect(cmds[u]).toEqual(['systemctl kill --signal=SIGHUP --kill-whom=main snap.nats.server.service']);
  });

  it('rotate-token: consumers follow the new revision and the old one is removed (secret-remove)', async () => {
    const w = new World('3.6.8');
    w.deploy(2);
    w.relate();
    await w.settle();
    const old = w.token();
    const res = await w.action('nats/0', 'rotate-token');
    expect(res.status).toBe('completed');
    expect(JSON.stringify(res.results)).not.toContain(w.token().token);
    const now = w.token();
    expect(now.token).not.toBe(old.token);
    expect(w.seen.get('natsc/0')!.token).toBe(now.token);
    const revs = (w.engine.showSecret('m', now.id, { revisions: true }) as Record<string, { revisions: Array<{ revision: number }> }>)[now.id.replace(/^secret:/, '')]!.revisions;
    expect(revs.map((r) => r.revision)).toEqual([now.revision]);
    // a non-leader refuses
    const denied = await w.action('nats/1', 'rotate-token');
    expect(denied.status).toBe('failed');
  });

  it('cleared TLS config turns config TLS off: back to the same self-signed CA, reload, no new CA', async () => {
    const w = new World('3.6.8');
    w.deploy(1);
    w.relate();
    await w.settle();
    const selfSigned = w.caFingerprint('nats/0');
    const opCa = await tls.CertificateAuthority.create({ commonName: 'operator CA', key: { type: 'ec', curve: 'P-384' } });
    const leaf = await opCa.issue({ usage: 'server', sans: ['10.0.0.1'], key: { type: 'ec', curve: 'P-384' } });
    w.drain();
    w.engine.setConfig('m', 'nats', { 'tls-cert': leaf.certPem, 'tls-key': leaf.keyPem, 'tls-ca-cert': opCa.certPem });
    await w.settle();
    expect(w.file('nats/0', 'cert.pem').trim()).toBe(leaf.certPem.trim());
    expect(w.caFingerprint('nats/0')).toBe(opCa.certificate.fingerprintSha256);
    expect(fp(w.seen.get('natsc/0')!.ca!)).toBe(opCa.certificate.fingerprintSha256);
    expect(w.drain()['nats/0']).toEqual(['systemctl kill --signal=SIGHUP --kill-whom=main snap.nats.server.service']);
    w.engine.setConfig('m', 'nats', { 'tls-cert': '', 'tls-key': '', 'tls-ca-cert': '' });
    await w.settle();
    expect(w.file('nats/0', 'cert.pem').trim()).not.toBe(leaf.certPem.trim());
    expect(w.caFingerprint('nats/0')).toBe(selfSigned);
    expect(w.drain()['nats/0']).toEqual(['systemctl kill --signal=SIGHUP --kill-whom=main snap.nats.server.service']);
    expect(revealSecret(w.engine, 'm', 'ca')!.revision).toBe(1);
    expect(fp(w.seen.get('natsc/0')!.ca!)).toBe(selfSigned);
  });

  it('ca-client relation: certificates from the external CA; config PEMs win over it; clearing them goes back', async () => {
    const ext = await tls.CertificateAuthority.create({ commonName: 'external CA', key: { type: 'ec', curve: 'P-384' } });
    const w = new World('3.6.8');
    const withCa = dispatcher({ nats: NATS_DEF(w), natsc: REQ_DEF(w), 'fake-ca': fakeCaCharm({ ca: () => ext }) });
    w.deploy(2);
    w.engine.deploy('m', FAKE_CA_SPEC, 'fake-ca');
    w.engine.integrate('m', 'nats:ca-client', 'fake-ca:certificates');
    await settleOk(w.engine, withCa);
    for (const u of ['nats/0', 'nats/1']) {
      expect(w.caFingerprint(u)).toBe(ext.certificate.fingerprintSha256);
      const v = await tls.verifyCertificate({ certificate: w.file(u, 'cert.pem'), key: w.file(u, 'key.pem'), trusted: ext.certPem, usage: 'server' });
      expect(v.ok).toBe(true);
      expect(w.status(u)).toEqual({ current: 'active', message: 'serving on 4222 (tls)' });
    }
    expect(w.allBags()).not.toMatch(/PRIVATE KEY/);
    const opCa = await tls.CertificateAuthority.create({ commonName: 'operator CA', key: { type: 'ec', curve: 'P-384' } });
    const leaf = await opCa.issue({ usage: 'server', sans: ['10.0.0.1'], key: { type: 'ec', curve: 'P-384' } });
    w.engine.setConfig('m', 'nats', { 'tls-cert': leaf.certPem, 'tls-key': leaf.keyPem, 'tls-ca-cert': opCa.certPem });
    await settleOk(w.engine, withCa);
    expect(w.caFingerprint('nats/0')).toBe(opCa.certificate.fingerprintSha256);
    w.engine.setConfig('m', 'nats', { 'tls-cert': '', 'tls-key': '', 'tls-ca-cert': '' });
    await settleOk(w.engine, withCa);
    expect(w.caFingerprint('nats/0')).toBe(ext.certificate.fingerprintSha256);
  });

  it('a renewed certificate reloads the server (defect fix) without a new CA', async () => {
    const w = new World('3.6.8');
    w.deploy(1);
    await w.settle();
    const cert = w.file('nats/0', 'cert.pem');
    w.drain();
    w.clock += 61 * 24 * 3600_000; // past 2/3 of the 90-day leaf
    await w.tick();
    expect(w.file('nats/0', 'cert.pem')).not.toBe(cert);
    expect(w.drain()['nats/0']).toEqual(['systemctl kill --signal=SIGHUP --kill-whom=main snap.nats.server.service']);
    expect(revealSecret(w.engine, 'm', 'ca')!.revision).toBe(1);
  });

  it('actions: get-ca-certificate returns the CA; regenerate-certificates re-issues the leaf only', async () => {
    const w = new World('3.6.8');
    w.deploy(1);
    await w.settle();
    const ca = await w.action('nats/0', 'get-ca-certificate');
    expect(ca.status).toBe('completed');
    expect(tls.Certificate.fromPem(String(ca.results['ca-certificate'])).fingerprintSha256).toBe(w.caFingerprint('nats/0'));
    const before = { cert: w.file('nats/0', 'cert.pem'), key: w.file('nats/0', 'key.pem'), ca: w.caFingerprint('nats/0') };
    w.drain();
    const regen = await w.action('nats/0', 'regenerate-certificates');
    expect(regen.status).toBe('completed');
    expect(w.file('nats/0', 'cert.pem')).not.toBe(before.cert);
    expect(w.file('nats/0', 'key.pem')).not.toBe(before.key);
    expect(w.caFingerprint('nats/0')).toBe(before.ca);
    expect(regen.results['fingerprint']).toBe(tls.Certificate.fromPem(w.file('nats/0', 'cert.pem')).fingerprintSha256);
    expect(w.drain()['nats/0']).toEqual(['systemctl kill --signal=SIGHUP --kill-whom=main snap.nats.server.service']);
  });

  it('invalid requirer data: blocked naming relation and field; the app bag keeps its good state', async () => {
    const w = new World('3.6.8');
    w.deploy(1);
    w.relate();
    await w.settle();
    const good = w.appBag();
    w.engine.setConfig('m', 'natsc', { flag: 'yes' });
    await w.settle();
    expect(w.status('nats/0')).toEqual({ current: 'blocked', message: expect.stringMatching(/^client:\d+ unit bag natsc\/0 field "secrets_supported": must be "true" or "false"/) });
    expect(w.appBag()).toEqual(good);
    expect(w.allBags()).not.toContain(w.token().token);
  });

  it('the default CA key is RSA 4096 (published default)', async () => {
    const w = new World('3.6.8');
    w.deploy(1, {});
    await w.settle();
    const ca = revealSecret(w.engine, 'm', 'ca')!;
    expect(tls.PrivateKey.fromPem(ca.content!['key']!).algorithm).toEqual({ type: 'rsa', bits: 4096 });
    expect(w.status('nats/0').current).toBe('active');
  }, 60_000);

  it('application-version-set from the snap metadata, once', async () => {
    const w = new World('3.6.8');
    const meta = join(w.root, 'nats-0', 'snap/nats/current/meta');
    mkdirSync(meta, { recursive: true });
    writeFileSync(join(meta, 'snap.yaml'), "name: nats\nversion: '2.9.10'\n");
    w.deploy(1);
    await w.settle();
    expect(((w.engine.showUnit('m', 'nats/0') as Record<string, unknown>)['nats/0'] as { 'workload-version'?: string })['workload-version']).toBe('2.9.10');
    expect(existsSync(meta)).toBe(true);
  });
});

describe('nats offered across models (contract §4)', () => {
  async function crossModel(consumerVersion: string): Promise<World> {
    const w = new World('3.6.8');
    w.deploy(2);
    w.engine.addModel('a', { agentVersion: consumerVersion });
    w.engine.deploy('a', REQUIRER_SPEC, 'natsc');
    const url = w.engine.offer('m', 'nats', ['client']);
    w.engine.consume('a', url, 'nats');
    w.engine.integrate('a', 'natsc:nats', 'nats:client');
    await w.settle();
    return w;
  }

  it('3.6 consumer: the offering side grants the token secret across the models; no token in any bag', async () => {
    const w = await crossModel('3.6.8');
    const seen = w.seen.get('natsc/0')!;
    expect(seen.via).toBe('secret');
    expect(seen.token).toBe(w.token().token);
    expect(seen.urls).toHaveLength(2);
    expect(seen.urls.every((u) => /^tls:\/\/[^@]+:4222$/.test(u))).toBe(true);
    expect(w.allBags()).not.toContain(w.token().token);
    expect(JSON.stringify(w.engine.showUnit('a', 'natsc/0'))).not.toContain(w.token().token);
  });

  it('2.9 consumer: the legacy tls://<token>@host:port URL, nothing secret in the app bag', async () => {
    const w = await crossModel('2.9.45');
    const seen = w.seen.get('natsc/0')!;
    expect(seen.via).toBe('url');
    expect(seen.token).toBe(w.token().token);
    const shown = JSON.stringify(w.engine.showUnit('a', 'natsc/0'));
    expect(shown).not.toContain('token_secret_id');
    expect(shown).not.toMatch(/PRIVATE KEY/);
  });
});

describe('nats charm on Juju 2.9 (no secrets: legacy URL)', () => {
  it('3 units: the token travels only in the legacy tls://<token>@host:port URL', async () => {
    const w = new World('2.9.45');
    w.deploy(3);
    w.relate();
    await w.settle();
    expect(secretList(w.engine, 'm')).toEqual([]);
    const seen = w.seen.get('natsc/0')!;
    expect(seen.via).toBe('url');
    expect(seen.urls).toHaveLength(3);
    for (const u of seen.urls) expect(u).toMatch(new RegExp(`^tls://${seen.token}@[0-9.]+:4222$`));
    for (const u of ['nats/0', 'nats/1', 'nats/2']) {
      expect(w.file(u, 'nats.cfg')).toContain(`token: "${seen.token}"`);
      expect(w.status(u).current).toBe('active');
    }
    const app = w.appBag();
    expect(Object.keys(app)).toEqual(['ca_cert']);
    const fps = ['nats/0', 'nats/1', 'nats/2'].map((u) => w.caFingerprint(u));
    expect(new Set(fps).size).toBe(1);
  });

  it('leader change keeps CA and token; relation-broken rotates the token', async () => {
    const w = new World('2.9.45');
    w.deploy(2);
    w.relate();
    await w.settle();
    const token = w.seen.get('natsc/0')!.token!;
    const ca = w.caFingerprint('nats/1');
    w.engine.setLeader('m', 'nats/1');
    await w.settle();
    expect(w.file('nats/1', 'nats.cfg')).toContain(`token: "${token}"`);
    expect(w.caFingerprint('nats/1')).toBe(ca);
    w.engine.removeRelation('m', 'nats:client', 'natsc:nats');
    await w.settle();
    for (const u of ['nats/0', 'nats/1']) expect(w.file(u, 'nats.cfg')).not.toContain(`token: "${token}"`);
  });
});
