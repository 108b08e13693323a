import { describe, it, expect, beforeAll } from '@jest/globals';
import { CertificateAuthority } from './ca.ts';
import { IssuedCertificate } from './issued.ts';
import { CertificateRequest } from './csr.ts';
import { PrivateKey } from './keys.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
let ca: CertificateAuthority;

beforeAll(async () => {
  ca = await CertificateAuthority.create({ key: { type: 'ec' }, commonName: 'test CA', now: NOW });
});

describe('IssuedCertificate.create', () => {
  it('issues a server leaf: SANs split IP/DNS, EKU serverAuth, KU digitalSignature only for EC, AKI = CA SKI', async () => {
    const leaf = await ca.issue({ key: { type: 'ec' }, sans: ['10.1.2.3', 'nats-0.example', '::1'], now: NOW });
    const c = leaf.certificate;
    expect(c.commonName).toBe('nats-0.example');
    expect(c.subjectAltNames).toEqual({ dns: ['nats-0.example'], ip: ['10.1.2.3', '::1'] });
    expect(c.extendedKeyUsage).toEqual(['serverAuth']);
    expect(c.keyUsage).toEqual(['digitalSignature']);
    expect(c.basicConstraints).toEqual({ ca: false, critical: true });
    expect(c.authorityKeyId).toBe(ca.certificate.subjectKeyId);
    expect(c.subjectKeyId).toBeDefined();
    expect(c.issuerNameMatches(ca.certificate)).toBe(true);
    expect(await c.isSignedBy(ca.certificate)).toBe(true);
    expect(leaf.key?.matchesSpki(c.publicKeySpki)).toBe(true);
    expect(leaf.chainPems).toEqual([leaf.certPem, ca.certPem]);
    expect(leaf.fullChainPem).toBe(leaf.certPem);
  });

  it('defaults to 90 days and caps the leaf at the CA expiry', async () => {
    const leaf = await ca.issue({ key: { type: 'ec' }, sans: ['a.example'], now: NOW });
    expect(leaf.certificate.notAfter.toISOString()).toBe('2026-05-30T12:00:00.000Z');
    const late = await ca.issue({ key: { type: 'ec' }, sans: ['a.example'], now: new Date('2027-02-01T00:00:00Z') });
    expect(late.certificate.notAfter).toEqual(ca.certificate.notAfter);
  });

  it('issues client (clientAuth) and both (serverAuth+clientAuth) leaves; RSA adds keyEncipherment', async () => {
    const client = await ca.issue({ key: { type: 'ec' }, usage: 'client', commonName: 'ams/0', now: NOW });
    expect(client.certificate.extendedKeyUsage).toEqual(['clientAuth']);
    expect(client.certificate.subjectAltNames).toEqual({ dns: [], ip: [] });
    const both = await ca.issue({ key: await PrivateKey.create({ type: 'rsa', bits: 2048 }), usage: 'both', sans: ['10.0.0.1'], now: NOW });
    expect(both.certificate.extendedKeyUsage).toEqual(['serverAuth', 'clientAuth']);
    expect(both.certificate.keyUsage).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(both.certificate.keyAlgorithm).toEqual({ type: 'rsa', bits: 2048 });
  });

  it('signs a CSR: takes CN, SANs and EKU from it, checks proof of possession', async () => {
    const key = await PrivateKey.create({ type: 'ec', curve: 'P-384' });
    const csr = await CertificateRequest.create({ key, sans: ['10.9.9.9', 'etcd.example'], usage: 'both' });
    const issued = await IssuedCertificate.create({ ca, csr: csr.pem, now: NOW });
    expect(issued.key).toBeUndefined();
    expect(() => issued.keyPem).toThrow(/issued for a CSR/);
    expect(issued.certificate.commonName).toBe('etcd.example');
    expect(issued.certificate.subjectAltNames).toEqual({ dns: ['etcd.example'], ip: ['10.9.9.9'] });
    expect(issued.certificate.extendedKeyUsage).toEqual(['serverAuth', 'clientAuth']);
    expect(key.matchesSpki(issued.certificate.publicKeySpki)).toBe(true);
  });

  it('refuses a CSR whose signature does not verify', async () => {
    const csr = await CertificateRequest.create({ key: await PrivateKey.create({ type: 'ec' }), sans: ['x.example'] });
    const der = new Uint8Array(csr.der);
    der[der.length - 5] = (der[der.length - 5] ?? 0) ^ 0xff; // corrupt the signature
    const tampered = CertificateRequest.fromDer(der);
    await expect(IssuedCertificate.create({ ca, csr: tampered, now: NOW })).rejects.toThrow(/no proof of key possession/);
  });

  it('needs a CN or a SAN', async () => {
    await expect(ca.issue({ key: { type: 'ec' }, now: NOW })).rejects.toThrow(/Option "commonName"/);
  });

  it('issues through an intermediate: full chain = leaf + intermediate, root = trust anchor', async () => {
    const inter = await CertificateAuthority.create({ key: { type: 'ec' }, commonName: 'inter', issuer: ca, now: NOW });
    const leaf = await inter.issue({ key: { type: 'ec' }, sans: ['b.example'], now: NOW });
    expect(leaf.intermediates.map((c) => c.commonName)).toEqual(['inter']);
    expect(leaf.root.equals(ca.certificate)).toBe(true);
    expect(leaf.chainPems).toHaveLength(3);
    expect(leaf.fullChainPem).toBe(leaf.certPem + inter.certPem);
  });
});
