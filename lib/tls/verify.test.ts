import { describe, it, expect, beforeAll } from '@jest/globals';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { CertificateAuthority } from './ca.ts';
import type { IssuedCertificate } from './issued.ts';
import { CertificateRequest } from './csr.ts';
import { PrivateKey } from './keys.ts';
import { verifyCertificate } from './verify.ts';
import { x509 } from './provider.ts';
import { derToPem } from './pem.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
let root: CertificateAuthority;
let inter: CertificateAuthority;
let leaf: IssuedCertificate;
let viaInter: IssuedCertificate;
let foreign: CertificateAuthority;

beforeAll(async () => {
  root = await CertificateAuthority.create({ key: { type: 'ec', curve: 'P-384' }, commonName: 'root', now: NOW });
  inter = await CertificateAuthority.create({ key: { type: 'ec' }, commonName: 'inter', issuer: root, now: NOW });
  leaf = await root.issue({ key: { type: 'ec' }, sans: ['10.0.0.1', 'a.example'], now: NOW });
  viaInter = await inter.issue({ key: { type: 'ec' }, usage: 'client', commonName: 'unit/0', now: NOW });
  foreign = await CertificateAuthority.create({ key: { type: 'ec' }, commonName: 'root', now: NOW }); // same name, other key
});

describe('verifyCertificate', () => {
  it('accepts a leaf from the expected CA, with key, usage and names', async () => {
    const r = await verifyCertificate({ certificate: leaf.certPem, trusted: root.certPem, key: leaf.keyPem, usage: 'server', names: ['a.example', '10.0.0.1'], now: NOW });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.anchor.equals(root.certificate)).toBe(true);
  });

  it('walks intermediates given as chain, or bundled after the leaf, ignoring duplicates of leaf and root', async () => {
    expect((await verifyCertificate({ certificate: viaInter.certPem, chain: [inter.certPem], trusted: root.certPem, now: NOW })).ok).toBe(true);
    const r = await verifyCertificate({ certificate: viaInter.fullChainPem, chain: viaInter.chainPems, trusted: [root.certificate], now: NOW });
    expect(r.ok && r.path.map((c) => c.commonName)).toEqual(['unit/0', 'inter']);
  });

  it('trusts any CA of a bundle (old + new CA during rotation)', async () => {
    expect((await verifyCertificate({ certificate: leaf.certPem, trusted: foreign.certPem + root.certPem, now: NOW })).ok).toBe(true);
  });

  it('rejects a missing intermediate as untrusted', async () => {
    expect(await verifyCertificate({ certificate: viaInter.certPem, trusted: root.certPem, now: NOW }))
      .toEqual({ ok: false, code: 'untrusted', reason: '"unit/0" (issuer "CN=inter") does not chain to the expected CA "root"' });
  });

  it('rejects a CA with the same name but another key as a bad signature', async () => {
    expect(await verifyCertificate({ certificate: leaf.certPem, trusted: foreign.certPem, now: NOW }))
      .toEqual({ ok: false, code: 'bad-signature', reason: '"a.example" names the trusted CA "root" as issuer but its signature does not verify against it' });
  });

  it('checks our key and our CSR', async () => {
    const other = await PrivateKey.create({ type: 'ec' });
    expect(await verifyCertificate({ certificate: leaf.certPem, trusted: root.certPem, key: other, now: NOW })).toMatchObject({ ok: false, code: 'key-mismatch' });
    const csr = await CertificateRequest.create({ key: other, sans: ['a.example'] });
    expect(await verifyCertificate({ certificate: leaf.certPem, trusted: root.certPem, csr: csr.pem, now: NOW })).toMatchObject({ ok: false, code: 'csr-mismatch' });
  });

  it('checks the validity window with an injected clock', async () => {
    expect(await verifyCertificate({ certificate: leaf.certPem, trusted: root.certPem, now: new Date('2026-03-01T11:00:00Z') }))
      .toEqual({ ok: false, code: 'not-yet-valid', reason: 'certificate "a.example" is not valid until 2026-03-01T11:59:00.000Z' });
    expect(await verifyCertificate({ certificate: leaf.certPem, trusted: root.certPem, now: new Date('2026-06-01T00:00:00Z') }))
      .toEqual({ ok: false, code: 'expired', reason: 'certificate "a.example" expired at 2026-05-30T12:00:00.000Z' });
  });

  it('checks the CA window too (an expired intermediate)', async () => {
    // Two certificates for one intermediate key and name: the leaf comes from the long one,
    // the chain offered holds the short one, which has expired by `later`.
    const key = await PrivateKey.create({ type: 'ec' });
    const long = await CertificateAuthority.create({ key, commonName: 'mid', issuer: root, now: NOW });
    const short = await CertificateAuthority.create({ key, commonName: 'mid', issuer: root, validity: { minutes: 10 }, now: NOW });
    const l = await long.issue({ key: { type: 'ec' }, commonName: 'x', now: NOW });
    const later = new Date(NOW.getTime() + 11 * 60_000);
    expect((await verifyCertificate({ certificate: l.certPem, chain: [long.certPem], trusted: root.certPem, now: later })).ok).toBe(true);
    expect(await verifyCertificate({ certificate: l.certPem, chain: [short.certPem], trusted: root.certPem, now: later }))
      .toEqual({ ok: false, code: 'expired', reason: 'CA "mid" expired at 2026-03-01T12:10:00.000Z' });
  });

  it('enforces usage and names', async () => {
    expect(await verifyCertificate({ certificate: leaf.certPem, trusted: root.certPem, usage: 'client', now: NOW }))
      .toEqual({ ok: false, code: 'usage', reason: 'certificate "a.example" lacks ExtendedKeyUsage clientAuth' });
    expect(await verifyCertificate({ certificate: leaf.certPem, trusted: root.certPem, names: ['b.example', '10.0.0.2'], now: NOW }))
      .toEqual({ ok: false, code: 'names', reason: 'certificate "a.example" does not cover b.example, 10.0.0.2' });
  });

  it('enforces policy: leaf must not be a CA; CA role needs the flag', async () => {
    expect(await verifyCertificate({ certificate: inter.certPem, trusted: root.certPem, now: NOW }))
      .toEqual({ ok: false, code: 'policy', reason: 'certificate "inter" is a CA certificate, not a leaf' });
    expect((await verifyCertificate({ certificate: inter.certPem, trusted: root.certPem, role: 'ca', now: NOW })).ok).toBe(true);
    expect((await verifyCertificate({ certificate: root.certPem, trusted: root.certPem, role: 'ca', now: NOW })).ok).toBe(true);
    expect(await verifyCertificate({ certificate: leaf.certPem, trusted: leaf.certPem, role: 'ca', now: NOW })).toMatchObject({ ok: false, code: 'policy' });
  });

  it('enforces policy: no SHA-1 signatures, no small RSA, no odd curves', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    // PrivateKey.create refuses 1024 bits; an imported key reaches the policy check instead.
    const l1 = await root.issue({ key: PrivateKey.fromPem(weak), commonName: 'weak', now: NOW });
    expect(await verifyCertificate({ certificate: l1.certPem, trusted: root.certPem, now: NOW }))
      .toEqual({ ok: false, code: 'policy', reason: 'certificate "weak": RSA 1024 key is below the 2048-bit minimum' });
    const p521 = generateKeyPairSync('ec', { namedCurve: 'secp521r1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const l2 = await root.issue({ key: PrivateKey.fromPem(p521), commonName: 'p521', now: NOW });
    expect(await verifyCertificate({ certificate: l2.certPem, trusted: root.certPem, now: NOW }))
      .toMatchObject({ ok: false, code: 'policy', reason: expect.stringContaining('EC curve P-521 is not allowed') });
    // A SHA-1 signature, made with x509 directly (our generators refuse to).
    const keys = await webcrypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
    const sha1 = await x509.X509CertificateGenerator.createSelfSigned({ name: 'CN=old', keys, notBefore: NOW, notAfter: new Date(NOW.getTime() + 86_400_000), signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' } as webcrypto.Algorithm });
    const pem = derToPem(new Uint8Array(sha1.rawData), 'CERTIFICATE');
    expect(await verifyCertificate({ certificate: pem, trusted: pem, now: new Date(NOW.getTime() + 1000) }))
      .toEqual({ ok: false, code: 'policy', reason: 'certificate "old" is signed with SHA-1; SHA-2 (SHA-256, SHA-384, SHA-512) required' });
  });

  it('never throws on garbage: returns parse failures with a reason', async () => {
    expect(await verifyCertificate({ certificate: 'not a pem', trusted: root.certPem })).toEqual({ ok: false, code: 'parse', reason: 'certificate: no PEM certificate found' });
    const junk = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(await verifyCertificate({ certificate: junk, trusted: root.certPem })).toMatchObject({ ok: false, code: 'parse', reason: expect.stringMatching(/^certificate: Certificate could not be parsed/) });
    expect(await verifyCertificate({ certificate: leaf.certPem, trusted: 42 as unknown as string })).toMatchObject({ ok: false, code: 'parse' });
    expect(await verifyCertificate({ certificate: leaf.certPem, trusted: root.certPem, key: 'nope' })).toEqual({ ok: false, code: 'parse', reason: 'private key: Private key is not a PEM string' });
    expect(await verifyCertificate(undefined as never)).toMatchObject({ ok: false, code: 'internal' });
  });
});
