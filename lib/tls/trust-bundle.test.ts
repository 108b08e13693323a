import { describe, it, expect, beforeAll } from '@jest/globals';
import { CertificateAuthority } from './ca.ts';
import { newTrustBundle, stageCa, rotateCa, pruneTrustBundle, trustedCas, trustBundlePem, nextTrustBundleChange, retentionEnd } from './trust-bundle.ts';
import { splitCertificatePems } from './pem.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const at = (minutes: number): Date => new Date(NOW.getTime() + minutes * 60_000);
let ca1: CertificateAuthority;
let ca2: CertificateAuthority;
let ca3: CertificateAuthority;

beforeAll(async () => {
  const make = (n: number): Promise<CertificateAuthority> => CertificateAuthority.create({ key: { type: 'ec' }, commonName: `ca${n}`, validity: { minutes: 60 }, backdate: {}, now: NOW });
  ca1 = await make(1);
  ca2 = await make(2);
  ca3 = await make(3);
});

describe('trust bundle (CA rotation)', () => {
  it('stages the next CA (trusted, not current), then rotates and keeps the old CA until its last leaf expires', async () => {
    const leaf = await ca1.issue({ key: { type: 'ec' }, commonName: 'l', validity: { minutes: 10 }, backdate: {}, now: NOW });
    let s = newTrustBundle(ca1.certPem);
    s = stageCa(s, ca2.certPem);
    expect(trustedCas(s, NOW)).toEqual([ca1.certPem, ca2.certPem]);
    s = rotateCa(s, ca2.certPem, { now: at(1), leaves: [leaf.certPem] });
    expect(s.current).toBe(ca2.certPem);
    expect(s.staged).toBeUndefined();
    expect(s.retired).toEqual([{ pem: ca1.certPem, keepUntil: '2026-03-01T12:10:00.000Z' }]);
    expect(nextTrustBundleChange(s)?.toISOString()).toBe('2026-03-01T12:10:00.000Z');
    expect(splitCertificatePems(trustBundlePem(s, at(10)))).toEqual([ca2.certPem, ca1.certPem]);
    expect(trustedCas(s, at(10.01))).toEqual([ca2.certPem]);
    expect(pruneTrustBundle(s, at(11)).retired).toEqual([]);
  });

  it('without known leaves keeps the old CA until min(its expiry, now + leaf validity)', () => {
    expect(retentionEnd(ca1.certificate, { now: NOW }).toISOString()).toBe('2026-03-01T13:00:00.000Z');
    expect(retentionEnd(ca1.certificate, { now: NOW, leafValidity: { minutes: 5 } }).toISOString()).toBe('2026-03-01T12:05:00.000Z');
    expect(retentionEnd(ca1.certificate, { now: NOW, leaves: [] }).toISOString()).toBe(NOW.toISOString());
  });

  it('rotating back to a retired CA revives it; rotating to the current CA is a no-op', () => {
    let s = rotateCa(newTrustBundle(ca1.certPem), ca2.certPem, { now: NOW });
    expect(rotateCa(s, ca2.certPem, { now: NOW })).toBe(s);
    s = rotateCa(s, ca1.certPem, { now: NOW });
    expect(s.current).toBe(ca1.certPem);
    expect(s.retired.map((r) => r.pem)).toEqual([ca2.certPem]);
    s = rotateCa(s, ca3.certPem, { now: NOW });
    expect(trustedCas(s, NOW)).toEqual([ca3.certPem, ca2.certPem, ca1.certPem]);
  });
});
