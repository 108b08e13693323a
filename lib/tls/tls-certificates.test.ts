import { describe, it, expect, beforeAll } from '@jest/globals';
import { CertificateAuthority } from './ca.ts';
import { CertificateRequest } from './csr.ts';
import { PrivateKey } from './keys.ts';
import {
  buildCsrRequests, parseCsrRequests, buildProviderCertificates, parseProviderCertificates,
  findCertificateForCsr, verifyProviderCertificate, answerCsrRequests,
} from './tls-certificates.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
let ca: CertificateAuthority;
let key: PrivateKey;
let csr: CertificateRequest;

beforeAll(async () => {
  ca = await CertificateAuthority.create({ key: { type: 'ec' }, commonName: 'external CA', now: NOW });
  key = await PrivateKey.create({ type: 'ec' });
  csr = await CertificateRequest.create({ key, sans: ['10.0.0.7', 'ams.example'], usage: 'both' });
});

describe('tls-certificates v1 requirer data', () => {
  it('builds and parses certificate_signing_requests', () => {
    const json = buildCsrRequests([csr]);
    expect(JSON.parse(json)).toEqual([{ certificate_signing_request: csr.pem.trim(), ca: false }]);
    expect(parseCsrRequests(json)).toEqual({ ok: true, entries: [{ certificate_signing_request: csr.pem.trim(), ca: false }] });
    expect(parseCsrRequests(undefined)).toEqual({ ok: true, entries: [] });
    expect(parseCsrRequests('{')).toEqual({ ok: false, reason: 'certificate_signing_requests is not valid JSON' });
    expect(parseCsrRequests('[{"ca":true}]')).toEqual({ ok: false, reason: 'certificate_signing_requests[0] lacks a certificate_signing_request string' });
  });
});

describe('tls-certificates v1 provider side (test CA charm / self-signed path)', () => {
  it('signs each request, refuses CA requests and junk, and reuses still-valid answers', async () => {
    const requests = parseCsrRequests(JSON.stringify([
      { certificate_signing_request: csr.pem },
      { certificate_signing_request: csr.pem, ca: true },
      { certificate_signing_request: 'junk' },
    ]));
    if (!requests.ok) throw new Error(requests.reason);
    const first = await answerCsrRequests(ca, requests.entries, { now: NOW, issue: { validity: { days: 30 } } });
    expect(first.entries).toHaveLength(1);
    expect(first.rejected.map((r) => r.reason)).toEqual(['CA certificates are not issued', 'No "CERTIFICATE REQUEST" PEM block found']);
    const again = await answerCsrRequests(ca, requests.entries, { now: NOW, existing: first.entries });
    expect(again.entries[0]).toBe(first.entries[0]);
  });
});

describe('tls-certificates v1 requirer receives', () => {
  it('matches by CSR DER (PEM formatting differences ignored) and verifies', async () => {
    const answer = await answerCsrRequests(ca, [{ certificate_signing_request: csr.pem }], { now: NOW });
    const parsed = parseProviderCertificates(buildProviderCertificates(answer.entries));
    if (!parsed.ok) throw new Error(parsed.reason);
    const reformatted = csr.pem.replace(/\n/g, '\r\n');
    const entry = findCertificateForCsr(parsed.entries, reformatted);
    expect(entry).toBeDefined();
    const r = await verifyProviderCertificate(entry!, { csr, key, usage: 'both', names: ['ams.example'], now: NOW });
    expect(r.ok).toBe(true);
    expect(entry!.chain).toHaveLength(2);
  });

  it('rejects a certificate for another key, a pinned-CA mismatch, and a non-CA `ca`', async () => {
    const [entry] = (await answerCsrRequests(ca, [{ certificate_signing_request: csr.pem }], { now: NOW })).entries;
    const otherKey = await PrivateKey.create({ type: 'ec' });
    const otherCsr = await CertificateRequest.create({ key: otherKey, sans: ['x.example'] });
    const [otherEntry] = (await answerCsrRequests(ca, [{ certificate_signing_request: otherCsr.pem }], { now: NOW })).entries;
    const swapped = { ...entry!, certificate: otherEntry!.certificate };
    expect(await verifyProviderCertificate(swapped, { csr, now: NOW })).toMatchObject({ ok: false, code: 'csr-mismatch', reason: 'certificate "x.example" does not carry the public key of our CSR' });
    const pinned = await CertificateAuthority.create({ key: { type: 'ec' }, commonName: 'pinned', now: NOW });
    expect(await verifyProviderCertificate(entry!, { csr, expectedCa: pinned.certPem, now: NOW })).toMatchObject({ ok: false, code: 'untrusted' });
    const fakeCa = { ...entry!, ca: otherEntry!.certificate };
    expect(await verifyProviderCertificate(fakeCa, { csr, now: NOW })).toMatchObject({ ok: false, reason: expect.stringMatching(/^provider CA: .*not a CA/) });
    expect(await verifyProviderCertificate(entry!, { csr: otherCsr, now: NOW })).toEqual({ ok: false, code: 'csr-mismatch', reason: 'the entry answers a different CSR' });
  });

  it('reports malformed provider data instead of throwing', () => {
    expect(parseProviderCertificates('[{"certificate":"x"}]')).toEqual({ ok: false, reason: 'certificates[0].certificate_signing_request must be a string' });
    expect(parseProviderCertificates('[{"certificate_signing_request":"a","certificate":"b","ca":"c","chain":"d"}]')).toEqual({ ok: false, reason: 'certificates[0].chain must be a list of strings' });
    expect(parseProviderCertificates(JSON.stringify({}))).toEqual({ ok: false, reason: 'certificates must be a JSON list' });
  });
});
