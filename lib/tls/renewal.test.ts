import { describe, it, expect, beforeAll } from '@jest/globals';
import { CertificateAuthority } from './ca.ts';
import { needsRenewal, renewalTime } from './renewal.ts';
import type { IssuedCertificate } from './issued.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
let leaf: IssuedCertificate;

beforeAll(async () => {
  const ca = await CertificateAuthority.create({ key: { type: 'ec' }, now: NOW });
  leaf = await ca.issue({ key: { type: 'ec' }, commonName: 'x', backdate: {}, now: NOW }); // 90 days, no backdate
});

describe('needsRenewal', () => {
  it('renews at 2/3 of life by default (day 60 of 90)', () => {
    expect(renewalTime(leaf.certPem).toISOString()).toBe('2026-04-30T12:00:00.000Z');
    expect(needsRenewal(leaf.certPem, new Date('2026-04-30T11:59:59Z'))).toBe(false);
    expect(needsRenewal(leaf.certificate, new Date('2026-04-30T12:00:00Z'))).toBe(true);
  });

  it('takes another fraction, and validates it', () => {
    expect(needsRenewal(leaf.certPem, new Date('2026-03-16T12:00:00Z'), 1 / 6)).toBe(true);
    expect(() => needsRenewal(leaf.certPem, NOW, 0)).toThrow(/Option "fraction"/);
  });

  it('treats unreadable stored material as due, so it heals', () => {
    expect(needsRenewal('garbage', NOW)).toBe(true);
  });
});
