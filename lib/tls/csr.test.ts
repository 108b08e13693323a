import { describe, it, expect } from '@jest/globals';
import { CertificateRequest } from './csr.ts';
import { PrivateKey } from './keys.ts';

describe('CertificateRequest', () => {
  it('creates a PKCS#10 CSR carrying CN, SANs, EKU and a valid self-signature', async () => {
    const key = await PrivateKey.create({ type: 'ec' });
    const csr = await CertificateRequest.create({ key, commonName: 'agent/0', sans: ['10.0.0.9', 'agent.example'], usage: 'client' });
    expect(csr.pem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    expect(csr.commonName).toBe('agent/0');
    expect(csr.subjectAltNames).toEqual({ dns: ['agent.example'], ip: ['10.0.0.9'] });
    expect(csr.requestedUsage).toBe('client');
    expect(csr.keyAlgorithm).toEqual({ type: 'ec', curve: 'P-256' });
    expect(csr.signatureHash).toBe('SHA-256');
    expect(await csr.verifySignature()).toBe(true);
    expect(key.matchesSpki(csr.publicKeySpki)).toBe(true);
  });

  it('parses back from PEM (also the legacy NEW CERTIFICATE REQUEST label) and compares by DER', async () => {
    const csr = await CertificateRequest.create({ key: await PrivateKey.create({ type: 'ec' }), sans: ['a.example'] });
    const legacy = csr.pem.replace(/CERTIFICATE REQUEST/g, 'NEW CERTIFICATE REQUEST');
    expect(CertificateRequest.fromPem(legacy).equals(csr)).toBe(true);
    expect(CertificateRequest.parse('garbage')).toEqual({ ok: false, reason: 'No "CERTIFICATE REQUEST" PEM block found' });
  });
});
