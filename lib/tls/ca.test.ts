import { describe, it, expect, beforeAll } from '@jest/globals';
import { CertificateAuthority } from './ca.ts';
import { PrivateKey } from './keys.ts';
import { TlsError } from './errors.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
let root: CertificateAuthority;

beforeAll(async () => {
  root = await CertificateAuthority.create({ key: { type: 'ec', curve: 'P-384' }, commonName: 'nats CA', now: NOW });
});

describe('CertificateAuthority.create', () => {
  it('makes a self-signed CA with the extensions issue 5 lists', () => {
    const c = root.certificate;
    expect(c.commonName).toBe('nats CA');
    expect(c.isSelfIssued).toBe(true);
    expect(c.basicConstraints).toEqual({ ca: true, critical: true });
    expect(c.keyUsage).toEqual(['keyCertSign', 'cRLSign']);
    expect(c.keyUsageCritical).toBe(true);
    expect(c.subjectKeyId).toMatch(/^[0-9a-f]{40}$/);
    expect(c.authorityKeyId).toBe(c.subjectKeyId);
    expect(c.signatureHash).toBe('SHA-384'); // P-384 signs with SHA-384
    expect(root.issuerChain).toEqual([]);
    expect(root.root).toBe(root.certificate);
  });

  it('defaults to 365 days, backdated one minute for clock skew', () => {
    expect(root.certificate.notBefore.toISOString()).toBe('2026-03-01T11:59:00.000Z');
    expect(root.certificate.notAfter.toISOString()).toBe('2027-03-01T12:00:00.000Z');
  });

  it('accepts minute-scale validity and no backdate', async () => {
    const ca = await CertificateAuthority.create({ key: { type: 'ec' }, validity: { minutes: 2 }, backdate: {}, now: NOW });
    expect(ca.certificate.lifetimeMs).toBe(120_000);
    expect(ca.certificate.signatureHash).toBe('SHA-256');
  });

  it('uses random positive serials', async () => {
    const a = await CertificateAuthority.create({ key: await PrivateKey.create({ type: 'ec' }), now: NOW });
    expect(a.certificate.serialNumber).not.toBe(root.certificate.serialNumber);
    expect(parseInt(a.certificate.serialNumber.slice(0, 2), 16) & 0x80).toBe(0);
  });

  it('makes an intermediate: AKI = root SKI, chain ends at root, capped at the root expiry', async () => {
    const inter = await CertificateAuthority.create({ key: { type: 'ec' }, commonName: 'inter', issuer: root, pathLength: 0, validity: { days: 1000 }, now: NOW });
    expect(inter.certificate.authorityKeyId).toBe(root.certificate.subjectKeyId);
    expect(inter.certificate.basicConstraints).toEqual({ ca: true, pathLength: 0, critical: true });
    expect(inter.certificate.issuerNameMatches(root.certificate)).toBe(true);
    expect(await inter.certificate.isSignedBy(root.certificate)).toBe(true);
    expect(inter.root).toBe(root.certificate);
    expect(inter.certificate.notAfter).toEqual(root.certificate.notAfter);
  });

  it('rejects bad options with the option quoted', async () => {
    await expect(CertificateAuthority.create({ key: { type: 'ec' }, commonName: 'x'.repeat(65) })).rejects.toThrow(/Option "commonName"/);
    await expect(CertificateAuthority.create({ key: { type: 'ec' }, pathLength: -1 })).rejects.toThrow(/Option "pathLength" must be an integer >= 0/);
    await expect(CertificateAuthority.create({ key: { type: 'ec' }, validity: { seconds: 0.5 } })).rejects.toThrow(/Option "validity"/);
  });
});

describe('CertificateAuthority.fromPem', () => {
  it('round-trips a stored CA (cert + PKCS#8 key)', () => {
    const again = CertificateAuthority.fromPem(root.certPem, root.keyPem);
    expect(again.certificate.equals(root.certificate)).toBe(true);
  });

  it('refuses a key that does not match, and a leaf posing as a CA', async () => {
    const other = await PrivateKey.create({ type: 'ec', curve: 'P-384' });
    expect(() => CertificateAuthority.fromPem(root.certPem, other.pem)).toThrow(new TlsError('key-mismatch', 'The CA private key does not match the CA certificate'));
    const leaf = await root.issue({ key: { type: 'ec' }, sans: ['a.example'], now: NOW });
    expect(CertificateAuthority.load(leaf.certPem, leaf.keyPem)).toEqual({ ok: false, reason: 'CA "a.example" is not a CA (BasicConstraints CA flag missing)' });
  });
});
