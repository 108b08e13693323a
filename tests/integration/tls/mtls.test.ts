/**
 * A real Node `tls` server and client complete mTLS with certificates from lib/tls on TLS 1.3
 * and 1.2; clients with a foreign-CA certificate, an expired one, or none are rejected; a
 * TLS 1.1-only client is refused by the server (minVersion TLSv1.2).
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { CertificateAuthority, type IssuedCertificate } from '../../../lib/tls/index.ts';
import { startEchoServer, handshake, type EchoServer, type Material } from './tls-harness.ts';

let ca: CertificateAuthority;
let server: EchoServer; // rejectUnauthorized: true, as a workload would run
let diag: EchoServer; // same checks by hand, keeps the reason
let serverLeaf: IssuedCertificate;
let client: Material;

const material = (leaf: IssuedCertificate, caPem: string): Material => ({ key: leaf.keyPem, cert: leaf.fullChainPem, ca: caPem });

beforeAll(async () => {
  ca = await CertificateAuthority.create({ key: { type: 'ec', curve: 'P-384' }, commonName: 'mtls CA' });
  serverLeaf = await ca.issue({ key: { type: 'ec' }, usage: 'server', sans: ['127.0.0.1', 'localhost'] });
  client = material(await ca.issue({ key: { type: 'ec' }, usage: 'client', commonName: 'agent/0' }), ca.certPem);
  server = await startEchoServer(material(serverLeaf, ca.certPem));
  diag = await startEchoServer(material(serverLeaf, ca.certPem), { diagnostic: true });
});
afterAll(async () => { await server.close(); await diag.close(); });

/** Rejected by the strict server, and the diagnostic server names why. */
async function expectRejected(m: Partial<Material>, reason: RegExp): Promise<void> {
  const before = server.accepted;
  const r = await handshake(server.port, m);
  expect(r.ok).toBe(false);
  expect(server.accepted).toBe(before);
  expect((await handshake(diag.port, m)).ok).toBe(false);
  expect(diag.clientErrors.at(-1)).toMatch(reason);
}

describe('mTLS with library certificates', () => {
  it.each(['TLSv1.3', 'TLSv1.2'] as const)('completes on %s and the client sees the server certificate we issued', async (v) => {
    const r = await handshake(server.port, client, { minVersion: v, maxVersion: v });
    expect(r).toEqual({ ok: true, protocol: v, peerFingerprint256: serverLeaf.fingerprintSha256 });
  });

  it('a valid client passes the diagnostic server too (its checks are not stricter)', async () => {
    expect((await handshake(diag.port, client)).ok).toBe(true);
  });

  it('works with RSA 2048 leaves and through an intermediate too', async () => {
    const inter = await CertificateAuthority.create({ key: { type: 'ec' }, commonName: 'inter', issuer: ca });
    const rsaClient = await inter.issue({ key: { type: 'rsa', bits: 2048 }, usage: 'both', commonName: 'rsa-client' });
    for (const v of ['TLSv1.3', 'TLSv1.2'] as const) {
      expect(await handshake(server.port, material(rsaClient, ca.certPem), { minVersion: v, maxVersion: v })).toMatchObject({ ok: true, protocol: v });
    }
  });

  it('rejects a client certificate from another CA', async () => {
    const other = await CertificateAuthority.create({ key: { type: 'ec' }, commonName: 'mtls CA' }); // same name, other key
    await expectRejected(material(await other.issue({ key: { type: 'ec' }, usage: 'client', commonName: 'intruder' }), ca.certPem), /^UNABLE_TO_VERIFY_LEAF_SIGNATURE$/);
    const unrelated = await CertificateAuthority.create({ key: { type: 'ec' }, commonName: 'elsewhere' });
    await expectRejected(material(await unrelated.issue({ key: { type: 'ec' }, usage: 'client', commonName: 'intruder' }), ca.certPem), /^UNABLE_TO_VERIFY_LEAF_SIGNATURE$/);
  });

  it('rejects an expired client certificate', async () => {
    const old = await ca.issue({ key: { type: 'ec' }, usage: 'client', commonName: 'old', validity: { minutes: 1 }, now: new Date(Date.now() - 10 * 60_000) });
    expect(old.certificate.notAfter.getTime()).toBeLessThan(Date.now());
    await expectRejected(material(old, ca.certPem), /^CERT_HAS_EXPIRED$/);
  });

  it('rejects a client without a certificate', async () => {
    const r = await handshake(server.port, { ca: ca.certPem });
    expect(r.ok).toBe(false);
    expect(server.clientErrors.at(-1)).toMatch(/peer did not return a certificate|certificate required/i);
  });

  it('rejects a server-only certificate used as a client certificate (EKU)', async () => {
    await expectRejected(material(serverLeaf, ca.certPem), /^INVALID_PURPOSE$/);
  });

  it('refuses a TLS 1.1-only client (server minVersion TLSv1.2)', async () => {
    // SECLEVEL=0 lets the client offer TLS 1.1 at all, so the refusal is the server's.
    const r = await handshake(server.port, client, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    expect(r.ok).toBe(false);
    expect(server.clientErrors.at(-1)).toMatch(/unsupported protocol/i);
  });

  it('the client rejects a server whose certificate does not cover the address dialled', async () => {
    const wrongName = await ca.issue({ key: { type: 'ec' }, sans: ['10.99.99.99'] });
    const s2 = await startEchoServer(material(wrongName, ca.certPem));
    try {
      const r = await handshake(s2.port, client);
      expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/ERR_TLS_CERT_ALTNAME_INVALID/) });
    } finally {
      await s2.close();
    }
  });
});
