/**
 * reconcileCertificates against the simulator engine, in-process: a small charm with a peer
 * endpoint and a tls-certificates endpoint, deployed on 3.6 and 2.9 personalities.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { defineCharm } from '../juju/dispatch.ts';
import { active } from '../juju/status.ts';
import { createEngine } from '../testing/engine/index.ts';
import type { Engine } from '../testing/engine/api.ts';
import type { CertificateAuthority } from '../tls/ca.ts';
import { reconcileCertificates, type CertificatesResult } from './certificates.ts';
import { charmKit } from './kit.ts';
import { serverNames } from './addresses.ts';
import { dispatcher, revealSecret, secretList, settleOk, spec } from './testing/sim.ts';
import { FAKE_CA_SPEC, fakeCaCharm } from './testing/fake-ca.ts';

const tls = await import('../tls/index.ts');
const EC = { type: 'ec', curve: 'P-256' } as const;

const CERTY = spec('certy', {
  provides: { web: { interface: 'http' } },
  requires: { 'ca-client': { interface: 'tls-certificates', limit: 1 } },
  peers: { cluster: { interface: 'certy-cluster' } },
  config: { 'tls-cert': { type: 'string', default: '' }, 'tls-key': { type: 'string', default: '' }, 'tls-ca-cert': { type: 'string', default: '' }, nonce: { type: 'string', default: '' } },
});

/** What each unit's last reconcile returned. */
const seen = new Map<string, CertificatesResult>();

const certy = defineCharm({
  reconcile: async (ctx) => {
    const kit = charmKit(ctx, { peerEndpoint: 'cluster' });
    const cfg = ctx.tools.configGet();
    const certs = await reconcileCertificates(kit, {
      endpoint: 'ca-client',
      config: { cert: String(cfg['tls-cert'] ?? ''), key: String(cfg['tls-key'] ?? ''), caCert: String(cfg['tls-ca-cert'] ?? '') },
      leaves: [{ name: 'server', usage: 'server', sans: serverNames(ctx.tools, ['web']) }, { name: 'client', usage: 'client', commonName: ctx.hook.unit.name }],
      caKey: EC,
      caDescription: 'certy test CA',
    });
    seen.set(ctx.hook.unit.name, certs);
    kit.relations.commit();
    return certs.status ?? active(`tls from ${certs.source}`);
  },
});

let externalCa: CertificateAuthority;
beforeAll(async () => {
  externalCa = await tls.CertificateAuthority.create({ commonName: 'external test CA', key: EC });
});
const run = dispatcher({ certy, 'fake-ca': fakeCaCharm({ ca: () => externalCa }) });

function deploy(version: string, units: number): Engine {
  const engine = createEngine();
  engine.addModel('m', { agentVersion: version });
  engine.deploy('m', CERTY, 'certy', { units });
  return engine;
}

const fp = (pem: string): string => tls.Certificate.fromPem(pem).fingerprintSha256;
const revisions = (engine: Engine): Record<string, number> => Object.fromEntries(secretList(engine, 'm').map((s) => [`${s.owner}:${s.label}`, s.revision]));

describe('reconcileCertificates (contract §3: app-owned CA, unit-owned keys)', () => {
  it('3.6, 3 units: the leader makes one CA in the app secret "ca"; every unit gets leaves chained to it', async () => {
    seen.clear();
    const engine = deploy('3.6.8', 3);
    await settleOk(engine, run);
    const ca = revealSecret(engine, 'm', 'ca')!;
    expect(ca.owner).toBe('certy');
    expect(ca.description).toBe('certy test CA');
    expect(ca.revision).toBe(1);
    for (const unit of ['certy/0', 'certy/1', 'certy/2']) {
      const r = seen.get(unit)!;
      expect(r.status).toBeUndefined();
      expect(r.source).toBe('self-signed');
      expect(fp(r.caPem!)).toBe(fp(ca.content!.cert!));
      const v = await tls.verifyCertificate({ certificate: r.leaves.server!.certPem, key: r.leaves.server!.keyPem, trusted: ca.content!.cert!, usage: 'server' });
      expect(v.ok).toBe(true);
      const keys = revealSecret(engine, 'm', 'tls-keys', unit)!;
      expect(keys.content!['server-key']).toBe(r.leaves.server!.keyPem);
      expect(keys.content!['client-key']).toBe(r.leaves.client!.keyPem);
    }
    // No private key in any databag (show-unit of every unit).
    for (const unit of ['certy/0', 'certy/1', 'certy/2']) expect(JSON.stringify(engine.showUnit('m', unit))).not.toMatch(/PRIVATE KEY/);
  });

  it('running again changes nothing; a leader change keeps the CA and every key', async () => {
    seen.clear();
    const engine = deploy('3.6.8', 2);
    await settleOk(engine, run);
    const before = revisions(engine);
    const caBefore = revealSecret(engine, 'm', 'ca')!.content!.cert!;
    const leafBefore = seen.get('certy/1')!.leaves.server!.certPem;
    const first = seen.get('certy/0')!;
    expect(first.trustPem).toMatch(/BEGIN CERTIFICATE/);
    engine.setConfig('m', 'certy', { nonce: '1' }); // a config-changed that changes nothing
    await settleOk(engine, run);
    expect(revisions(engine)).toEqual(before);
    expect(seen.get('certy/0')!.changed).toBe(false);
    // the fast path: same inputs, nothing due, so the planner (and x509) did not run
    expect(seen.get('certy/0')!.plan).toBeUndefined();
    expect(seen.get('certy/0')!.leaves.server!.certPem).toBe(first.leaves.server!.certPem);
    expect(seen.get('certy/0')!.trustPem).toBe(first.trustPem);
    expect(seen.get('certy/0')!.caPem).toBe(first.caPem);
    engine.setLeader('m', 'certy/1');
    await settleOk(engine, run);
    expect(revisions(engine)).toEqual(before);
    expect(revealSecret(engine, 'm', 'ca')!.content!.cert).toBe(caBefore);
    expect(seen.get('certy/1')!.leaves.server!.certPem).toBe(leafBefore);
  });

  it('reissue gives a fresh leaf key under the same CA', async () => {
    seen.clear();
    const engine = deploy('3.6.8', 1);
    await settleOk(engine, run);
    const before = seen.get('certy/0')!;
    const again = defineCharm({
      reconcile: async (ctx) => {
        const kit = charmKit(ctx, { peerEndpoint: 'cluster' });
        // Re-issue only in this one hook (as an action would): re-issuing on every hook would loop
        // through secret-remove of the keys' old revisions.
        const reissue = ctx.hook.name === 'config-changed' ? ['server'] : [];
        if (ctx.hook.kind === 'secret-remove') kit.store.handleSecretRemove(ctx.hook.secret!.id, ctx.hook.secret!.revision);
        const r = await reconcileCertificates(kit, { leaves: [{ name: 'server', usage: 'server', sans: serverNames(ctx.tools, ['web']) }, { name: 'client', usage: 'client', commonName: ctx.hook.unit.name }], caKey: EC, reissue });
        if (ctx.hook.name === 'config-changed') seen.set(ctx.hook.unit.name, r);
        kit.relations.commit();
        return;
      },
    });
    engine.setConfig('m', 'certy', { nonce: '2' });
    await settleOk(engine, dispatcher({ certy: again }));
    const after = seen.get('certy/0')!;
    expect(after.changed).toBe(true);
    expect(after.leaves.server!.keyPem).not.toBe(before.leaves.server!.keyPem);
    expect(after.leaves.client!.keyPem).toBe(before.leaves.client!.keyPem);
    expect(fp(after.caPem!)).toBe(fp(before.caPem!));
  });

  it('config PEMs win over the self-signed CA; clearing them falls back without a new CA', async () => {
    seen.clear();
    const engine = deploy('3.6.8', 1);
    await settleOk(engine, run);
    const selfSigned = fp(seen.get('certy/0')!.caPem!);
    const opCa = await tls.CertificateAuthority.create({ commonName: 'operator CA', key: EC });
    const leaf = await opCa.issue({ usage: 'both', sans: ['10.0.0.1'], key: EC });
    engine.setConfig('m', 'certy', { 'tls-cert': leaf.certPem, 'tls-key': leaf.keyPem, 'tls-ca-cert': opCa.certPem });
    await settleOk(engine, run);
    let r = seen.get('certy/0')!;
    expect(r.source).toBe('config');
    expect(r.leaves.server!.certPem).toContain(leaf.certPem.trim().split('\n')[1]!);
    engine.setConfig('m', 'certy', { 'tls-cert': '', 'tls-key': '', 'tls-ca-cert': '' });
    await settleOk(engine, run);
    r = seen.get('certy/0')!;
    expect(r.source).toBe('self-signed');
    expect(fp(r.caPem!)).toBe(selfSigned);
    expect(revealSecret(engine, 'm', 'ca')!.revision).toBe(1);
  });

  it('invalid config PEMs: blocked naming the option problem, current leaves kept', async () => {
    seen.clear();
    const engine = deploy('3.6.8', 1);
    await settleOk(engine, run);
    const good = seen.get('certy/0')!.leaves.server!.certPem;
    engine.setConfig('m', 'certy', { 'tls-cert': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' });
    await settleOk(engine, run);
    const r = seen.get('certy/0')!;
    expect(r.status?.name).toBe('blocked');
    expect(r.status?.message).toMatch(/config/);
    expect(r.leaves.server!.certPem).toBe(good);
  });

  it('a tls-certificates relation wins: CSRs out, verified answers installed, no key in any bag', async () => {
    seen.clear();
    const engine = deploy('3.6.8', 2);
    engine.deploy('m', FAKE_CA_SPEC, 'fake-ca');
    engine.integrate('m', 'certy:ca-client', 'fake-ca:certificates');
    await settleOk(engine, run);
    for (const unit of ['certy/0', 'certy/1']) {
      const r = seen.get(unit)!;
      expect(r.status).toBeUndefined();
      expect(r.source).toBe('relation');
      expect(fp(r.caPem!)).toBe(fp(externalCa.certPem));
      expect(JSON.stringify(engine.showUnit('m', unit))).not.toMatch(/PRIVATE KEY/);
    }
    expect(JSON.stringify(engine.showUnit('m', 'fake-ca/0'))).not.toMatch(/PRIVATE KEY/);
    const before = revisions(engine);
    engine.setConfig('m', 'certy', { nonce: '3' });
    await settleOk(engine, run);
    expect(revisions(engine)).toEqual(before);
  });

  it('invalid remote data: blocked naming relation and field; good leaves are not replaced', async () => {
    seen.clear();
    const engine = deploy('3.6.8', 1);
    engine.deploy('m', FAKE_CA_SPEC, 'fake-ca');
    engine.integrate('m', 'certy:ca-client', 'fake-ca:certificates');
    await settleOk(engine, run);
    const good = seen.get('certy/0')!.leaves.server!.certPem;
    const bad = dispatcher({ certy, 'fake-ca': fakeCaCharm({ ca: () => externalCa, tamper: () => '[{"certificate":"nope"}]' }) });
    engine.setConfig('m', 'fake-ca', { nonce: 'x' }); // any hook on the fake CA republishes (tampered)
    await settleOk(engine, bad);
    const r = seen.get('certy/0')!;
    expect(r.status?.name).toBe('blocked');
    expect(r.status?.message).toMatch(/ca-client:\d+ app bag field "certificates"/);
    expect(r.leaves.server!.certPem).toBe(good);
  });

  it('2.9: the CA lives in the peer app bag (no secrets), same API; both units share it', async () => {
    seen.clear();
    const engine = deploy('2.9.45', 2);
    await settleOk(engine, run);
    expect(secretList(engine, 'm')).toEqual([]);
    const a = seen.get('certy/0')!;
    const b = seen.get('certy/1')!;
    expect(a.status).toBeUndefined();
    expect(b.status).toBeUndefined();
    expect(fp(a.caPem!)).toBe(fp(b.caPem!));
  });

  it('a follower that finds no CA yet waits for the leader, then uses the CA the leader made', async () => {
    seen.clear();
    const engine = deploy('3.6.8', 2);
    const idle = defineCharm({ reconcile: () => active() });
    // The leader (certy/0) does nothing yet; only the follower runs the certificate code.
    await settleOk(engine, dispatcher({ certy: (hook) => (hook.unit === 'certy/0' ? idle : certy) }));
    expect(seen.get('certy/0')).toBeUndefined();
    expect(seen.get('certy/1')!.status).toEqual({ name: 'waiting', message: 'waiting for leader to create the CA' });
    expect(secretList(engine, 'm').filter((s) => s.label === 'ca')).toEqual([]);
    engine.setConfig('m', 'certy', { nonce: '4' });
    // The follower ignores config-changed here: only the leader's peer-bag wake-up can reach it.
    await settleOk(engine, dispatcher({ certy: (hook) => (hook.unit === 'certy/1' && hook.name === 'config-changed' ? idle : certy) }));
    const ca = revealSecret(engine, 'm', 'ca')!;
    expect(seen.get('certy/1')!.status).toBeUndefined();
    expect(fp(seen.get('certy/1')!.caPem!)).toBe(fp(ca.content!.cert!));
  });

  it('a hook that fails after making the CA leaves nothing behind; the retry makes exactly one CA', async () => {
    seen.clear();
    const engine = deploy('3.6.8', 2);
    let failures = 0;
    const flaky = defineCharm({
      reconcile: async (ctx) => {
        const status = await certy.reconcile!(ctx);
        if (ctx.hook.unit.name === 'certy/0' && failures === 0 && seen.get('certy/0')?.changed) {
          failures += 1;
          throw new Error('boom after the CA was made'); // Juju discards every buffered write (contract §1.5)
        }
        return status;
      },
    });
    const { settle } = await import('../testing/in-process.ts');
    const ran = await settle(engine, dispatcher({ certy: flaky }));
    expect(ran.filter((r) => r.exitCode !== 0)).toHaveLength(1);
    expect(secretList(engine, 'm').filter((x) => x.label === 'ca')).toEqual([]);
    engine.resolve('m', 'certy/0');
    await settleOk(engine, run);
    const cas = secretList(engine, 'm').filter((x) => x.label === 'ca');
    expect(cas.map((c) => c.revision)).toEqual([1]);
    const ca = revealSecret(engine, 'm', 'ca')!.content!['cert']!;
    for (const unit of ['certy/0', 'certy/1']) expect(fp(seen.get(unit)!.caPem!)).toBe(fp(ca));
  });
});
