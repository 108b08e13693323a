/**
 * decideTrust with real certificates and the verdict memo (issue 8): a hook where every
 * certificate was seen before does not load lib/tls (x509) at all, decisions are the same
 * with and without the memo, an expiry is noticed from the memo alone, a tampered entry is
 * not trusted, and departed units' entries leave the memo.
 *
 * lib/tls/index.ts (what client-certificates.ts loads lazily) is replaced by a stand-in that
 * counts loads and parses and otherwise delegates to the real modules.
 */
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import 'reflect-metadata';
import type { DerivedMemo } from './certificate-verdicts.ts';
import type { Relation } from '../../../lib/relations/relation.ts';
import type { TrustStoreEntry } from './workload.ts';

let loads = 0;
let parses = 0;
jest.unstable_mockModule('../../../lib/tls/index.ts', async () => {
  loads++;
  const { Certificate } = await import('../../../lib/tls/certificate.ts');
  const { certificatePolicyViolation } = await import('../../../lib/tls/policy.ts');
  return {
    certificatePolicyViolation,
    Certificate: {
      parse: (pem: unknown) => {
        parses++;
        return Certificate.parse(pem);
      },
    },
  };
});

const { decideTrust, checkClientCertificate } = await import('./client-certificates.ts');
const { decodeVerdicts, encodeVerdicts, pemDigest, VERDICTS_KEY } = await import('./certificate-verdicts.ts');
const { loadInterface } = await import('../../../lib/relations/interfaces.ts');
const { CertificateAuthority } = await import('../../../lib/tls/ca.ts');
const { Certificate } = await import('../../../lib/tls/certificate.ts');

const DAY = 86_400_000;
const NOW = new Date();
const rest = await loadInterface('rest');

/** A `rest-api` relation stand-in: `units` present, each with its bag. */
function relation(bags: Record<string, Record<string, string>>, id = 3): Relation {
  return {
    name: `rest-api:${id}`,
    units: Object.keys(bags),
    remoteUnit: (unit: string) => ({ label: `rest-api:${id} unit bag ${unit}`, all: () => ({ ...bags[unit] }) }),
  } as unknown as Relation;
}

function mapMemo(): DerivedMemo & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return { values, get: (k) => values.get(k), set: (k, v) => void values.set(k, v) };
}

const cert = (client_certificate: string) => ({ client_certificate });

let pems: { good: string; other: string; shortLived: string; later: string; server: string; caCert: string; crlf: string };

beforeAll(async () => {
  const ec = { type: 'ec', curve: 'P-256' } as const;
  const ca = await CertificateAuthority.create({ commonName: 'clients CA', key: ec });
  const issue = async (commonName: string, extra: object = {}) => (await ca.issue({ usage: 'client', commonName, key: ec, ...extra })).certPem;
  const good = await issue('good');
  pems = {
    good,
    other: await issue('other'),
    shortLived: await issue('short', { validity: { days: 1 } }),
    later: await issue('later', { now: new Date(NOW.getTime() + 5 * DAY), validity: { days: 10 } }),
    server: await issue('server', { usage: 'server' }),
    caCert: ca.certPem,
    crlf: good.replace(/\n/g, '\r\n'),
  };
});

describe('decideTrust with the verdict memo', () => {
  // First: nothing here has loaded lib/tls/index.ts yet (the stand-in counts it).
  it('does not load x509 when every certificate is in the memo', async () => {
    const c = Certificate.fromPem(pems.good);
    const memo = mapMemo();
    memo.set(VERDICTS_KEY, encodeVerdicts(new Map([[pemDigest(pems.good), { fingerprint: c.fingerprintSha256Hex, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() }]])));
    const decision = await decideTrust([relation({ 'agent/0': cert(pems.good), 'agent/1': cert(pems.good) })], rest, NOW, [], { memo });
    expect(decision.trusted.map((t) => [t.name, t.fingerprint])).toEqual([['agent/0', c.fingerprintSha256Hex], ['agent/1', c.fingerprintSha256Hex]]);
    expect(loads).toBe(0);

    // The same decision with no memo (and now x509 is loaded).
    expect(await decideTrust([relation({ 'agent/0': cert(pems.good), 'agent/1': cert(pems.good) })], rest, NOW)).toEqual(decision);
    expect(loads).toBe(1);
  });

  it('decides the same with no memo, an empty memo and a filled one, and parses nothing on the warm pass', async () => {
    const relations = [
      relation({
        'agent/0': cert(pems.good),
        'agent/1': cert(pems.good), // the same certificate twice: one trust entry later, one parse here
        'agent/2': cert(pems.server),
        'agent/3': cert(pems.caCert),
        'agent/4': cert(pems.later),
        'agent/5': cert(pems.crlf),
        'agent/6': {},
        'agent/7': cert('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
        'agent/8': cert('not a pem'), // codec-invalid: its last trusted certificate is kept
      }),
      relation({ 'agent/9': cert(pems.other) }, 4),
    ];
    const previous: TrustStoreEntry[] = [{ name: 'agent/8', fingerprint: Certificate.fromPem(pems.other).fingerprintSha256Hex, certificate: pems.other }];
    const plain = await decideTrust(relations, rest, NOW, previous);
    const memo = mapMemo();
    const cold = await decideTrust(relations, rest, NOW, previous, { memo });
    const before = parses;
    let calledPrevious = 0;
    const warm = await decideTrust(relations, rest, NOW, () => (calledPrevious++, previous), { memo });
    expect(parses).toBe(before);
    expect(calledPrevious).toBe(1);
    expect(cold).toEqual(plain);
    expect(warm).toEqual(plain);

    expect(plain.trusted.map((t) => t.name)).toEqual(['agent/0', 'agent/1', 'agent/5', 'agent/8', 'agent/9']);
    expect(plain.trusted.find((t) => t.name === 'agent/5')?.certificate).toBe(pems.good); // canonical text
    expect(plain.pending).toEqual(['rest-api:3 agent/6']);
    expect(plain.problems).toHaveLength(5);
    // Each verdict is the uncached check's.
    for (const [unit, pem] of [['agent/2', pems.server], ['agent/3', pems.caCert], ['agent/4', pems.later]] as const) {
      const check = await checkClientCertificate(pem, NOW);
      expect(check.ok).toBe(false);
      expect(plain.problems).toContain(`rest-api:3 unit bag ${unit} field "client_certificate": ${check.ok ? '' : check.reason}; not trusted`);
    }
    // The CRLF text is stored with its canonical form; the canonical one without.
    const stored = decodeVerdicts(memo.values.get(VERDICTS_KEY)).verdicts;
    expect(stored.get(pemDigest(pems.crlf))).toMatchObject({ pem: pems.good });
    expect(stored.get(pemDigest(pems.good))).not.toHaveProperty('pem');
    expect(memo.values.get(VERDICTS_KEY)).not.toMatch(/PRIVATE KEY/);
  });

  it('rejects an expired certificate from the memo alone, and accepts one that became valid', async () => {
    const memo = mapMemo();
    const relations = [relation({ 'agent/0': cert(pems.shortLived), 'agent/1': cert(pems.later) })];
    const today = await decideTrust(relations, rest, NOW, [], { memo });
    expect(today.trusted.map((t) => t.name)).toEqual(['agent/0']);
    const before = parses;
    const inSixDays = await decideTrust(relations, rest, new Date(NOW.getTime() + 6 * DAY), [], { memo });
    expect(parses).toBe(before);
    expect(inSixDays.trusted.map((t) => t.name)).toEqual(['agent/1']);
    expect(inSixDays.problems).toEqual([expect.stringMatching(/agent\/0 field "client_certificate": expired at .*; not trusted$/)]);
  });

  it('does not trust on a memo entry that does not decode', async () => {
    const memo = mapMemo();
    const bogus = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    // "Trusted" facts for garbage, but damaged (fingerprint not lower-case hex): examined again.
    memo.set(VERDICTS_KEY, `v1:${JSON.stringify({ [pemDigest(bogus)]: { fingerprint: 'AB'.repeat(32), notBefore: '2000-01-01T00:00:00.000Z', notAfter: '2999-01-01T00:00:00.000Z' } })}`);
    const decision = await decideTrust([relation({ 'agent/0': cert(bogus) })], rest, NOW, [], { memo });
    expect(decision.trusted).toEqual([]);
    expect(decision.problems).toEqual([expect.stringMatching(/not a parseable X\.509 certificate/)]);
    expect(decodeVerdicts(memo.values.get(VERDICTS_KEY)).verdicts.get(pemDigest(bogus))).toHaveProperty('rejected');
  });

  it('keeps only the entries of certificates present units send', async () => {
    const memo = mapMemo();
    await decideTrust([relation({ 'agent/0': cert(pems.good), 'agent/1': cert(pems.other) })], rest, NOW, [], { memo });
    expect(decodeVerdicts(memo.values.get(VERDICTS_KEY)).verdicts.size).toBe(2);
    await decideTrust([relation({ 'agent/0': cert(pems.good) })], rest, NOW, [], { memo }); // agent/1 departed
    expect([...decodeVerdicts(memo.values.get(VERDICTS_KEY)).verdicts.keys()]).toEqual([pemDigest(pems.good)]);
  });
});
