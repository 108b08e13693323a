/**
 * Fuzzing, level 1 (fast): 10,000 generated remote databags per interface (nats, rest,
 * agent-api, tls-certificates), covering both sides' bags that the other side reads. Each
 * bag starts from a good one and gets 1–3 fields replaced by wrong "types", huge values,
 * broken PEM, certificates from the wrong CA / expired / RSA 1024 / a CA as leaf, or JSON that
 * is almost right; keys may be deleted or junk keys added.
 *
 * Properties: the interface codec (lib/relations, precompiled validators) never throws; a
 * rejection names the relation and only fields we broke (never a good one), never echoes a
 * value; and the certificate checks the charms apply after the codec (lib/tls verify, the
 * tls-certificates parsers, AMS's client-certificate check) never throw and accept a PEM only
 * when it is the good certificate.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import fc from 'fast-check';
import { loadInterface, type InterfaceName } from '../../../lib/relations/interfaces.ts';
import { parseCsrRequests, parseProviderCertificates, verifyProviderCertificate } from '../../../lib/tls/tls-certificates.ts';
import { verifyCertificate } from '../../../lib/tls/verify.ts';
import { Certificate } from '../../../lib/tls/certificate.ts';
import { checkClientCertificate } from '../../../charms/ams/src/client-certificates.ts';
import { almostJson, brokenPem, junk, makeMaterial, wrongCertificate, type Material } from './fuzz-material.ts';

const RUNS = Number(process.env['RELIABILITY_FUZZ_RUNS'] ?? 10_000);
const SEED = Number(process.env['RELIABILITY_FUZZ_SEED'] ?? 20261122);

type FieldKind = 'pem' | 'flag' | 'port' | 'host' | 'node' | 'fingerprint' | 'secretId' | 'token' | 'natsUrl' | 'httpsUrl' | 'certList' | 'csrList';
interface BagSpec { readonly key: string; readonly fields: Readonly<Record<string, FieldKind>>; readonly good: (m: Material) => Record<string, string> }

const flagBag: BagSpec['fields'] = { secrets_supported: 'flag' };
const restFields: BagSpec['fields'] = { port: 'port', private_address: 'host', public_address: 'host', node: 'node', ca_cert: 'pem', certificate_fingerprint: 'fingerprint' };
const restGood = (m: Material): Record<string, string> => ({ port: '8444', private_address: '10.0.0.2', public_address: '10.128.0.2', node: 'lxd0', ca_cert: m.caPem, certificate_fingerprint: m.fingerprint });
const SECRET_ID = 'secret:d4b1c9k8j7h6g5f4e3d2';

/** Every bag each side reads from the other, per interface (schemas in lib/relations/schemas). */
const INTERFACES: Record<'nats' | 'rest' | 'agent-api' | 'tls-certificates', BagSpec[]> = {
  'nats': [
    { key: 'provider.unit', fields: { url: 'natsUrl' }, good: () => ({ url: 'tls://10.129.0.2:4222' }) },
    { key: 'provider.app', fields: { ca_cert: 'pem', token_secret_id: 'secretId', token: 'token' }, good: (m) => ({ ca_cert: m.caPem, token_secret_id: SECRET_ID }) },
    { key: 'requirer.unit', fields: flagBag, good: () => ({ secrets_supported: 'true' }) },
    { key: 'requirer.app', fields: flagBag, good: () => ({ secrets_supported: 'true' }) },
  ],
  'rest': [
    { key: 'provider.unit', fields: restFields, good: restGood },
    { key: 'provider.app', fields: restFields, good: restGood },
    { key: 'requirer.unit', fields: { client_certificate: 'pem' }, good: (m) => ({ client_certificate: m.leafPem }) },
  ],
  'agent-api': [
    { key: 'provider.app', fields: { url: 'httpsUrl', token_secret_id: 'secretId', token: 'token', certificate_fingerprint: 'fingerprint' }, good: (m) => ({ url: 'https://10.2.0.3:8446', token_secret_id: SECRET_ID, certificate_fingerprint: m.fingerprint }) },
    { key: 'requirer.app', fields: flagBag, good: () => ({ secrets_supported: 'false' }) },
    { key: 'requirer.unit', fields: flagBag, good: () => ({ secrets_supported: 'true' }) },
  ],
  'tls-certificates': [
    { key: 'provider.app', fields: { certificates: 'certList' }, good: (m) => ({ certificates: JSON.stringify([{ certificate_signing_request: m.csrPem, certificate: m.leafPem, ca: m.caPem, chain: [m.caPem] }]) }) },
    { key: 'requirer.unit', fields: { certificate_signing_requests: 'csrList' }, good: (m) => ({ certificate_signing_requests: JSON.stringify([{ certificate_signing_request: m.csrPem, ca: false }]) }) },
  ],
};

/** A wrong value for a field of this kind (may by chance still be valid: the oracle allows for that). */
function badValue(kind: FieldKind, good: string | undefined, m: Material): fc.Arbitrary<string> {
  const common = junk();
  switch (kind) {
    case 'pem': return fc.oneof(brokenPem(m), wrongCertificate(m).map((w) => w.pem), common);
    case 'certList': {
      const g = good ?? '[]';
      const entry = (cert: string, ca: string, chain: string[]) => JSON.stringify([{ certificate_signing_request: m.csrPem, certificate: cert, ca, chain }]);
      return fc.oneof(
        almostJson(g),
        wrongCertificate(m).map((w) => entry(w.pem, w.why === 'foreign CA' ? m.caPem : m.caPem, [m.caPem])),
        fc.constant(entry(m.foreignLeafPem, m.foreignCaPem, [m.foreignCaPem])), // a valid chain, but not to the CA we pinned
        brokenPem(m).map((p) => entry(p, m.caPem, [m.caPem])),
        brokenPem(m).map((p) => entry(m.leafPem, p, [p])),
        fc.constant(JSON.stringify(Array.from({ length: 1100 }, () => JSON.parse(g)[0]))), // over maxItems
        common,
      );
    }
    case 'csrList': return fc.oneof(almostJson(good ?? '[]'), brokenPem(m).map((p) => JSON.stringify([{ certificate_signing_request: p.replace(/CERTIFICATE/g, 'CERTIFICATE REQUEST') }])), fc.constant(JSON.stringify([{ certificate_signing_request: m.csrPem, ca: 'yes' }])), common);
    case 'natsUrl': return fc.oneof(fc.constantFrom('nats://', 'tls://host', 'tls://host:99999999', 'http://10.0.0.1:4222', 'tls://a b:4222', 'tls://u@@h:1', `tls://${'t'.repeat(9000)}@h:1`), common);
    case 'httpsUrl': return fc.oneof(fc.constantFrom('http://10.0.0.1:8446', 'https://', 'https://a b', 'https://h:8446/\u0000'), common);
    case 'fingerprint': return fc.oneof(fc.constantFrom(m.fingerprint.slice(1), `${m.fingerprint}0`, m.fingerprint.replace(/^./, 'g'), m.fingerprint.toUpperCase().match(/../g)!.join('-')), common);
    case 'secretId': return fc.oneof(fc.constantFrom('secret://', 'secret:a/b', 'secret: spaced', 'notsecret:abc', `secret:${'x'.repeat(600)}`), common);
    default: return common;
  }
}

interface Case { readonly spec: BagSpec; readonly bag: Record<string, string>; readonly touched: ReadonlySet<string> }

function caseArb(specs: readonly BagSpec[], m: Material): fc.Arbitrary<Case> {
  return fc.constantFrom(...specs).chain((spec) => {
    const good = spec.good(m);
    const names = Object.keys(spec.fields);
    const edit = fc.record({
      fields: fc.subarray(names, { minLength: 1, maxLength: Math.min(3, names.length) }),
      deleteInstead: fc.boolean(),
      extra: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 32 }), { maxKeys: 2 }),
    });
    return edit.chain(({ fields, deleteInstead, extra }) =>
      fc.tuple(...fields.map((f) => badValue(spec.fields[f]!, good[f], m))).map((values) => {
        const bag: Record<string, string> = { ...extra, ...good };
        fields.forEach((f, i) => {
          if (deleteInstead && i === 0) delete bag[f];
          else bag[f] = values[i]!;
        });
        return { spec, bag, touched: new Set(fields) };
      }));
  });
}

/** A Databag stand-in: the codec only needs `all()` and `label`. */
const bagOf = (iface: string, data: Record<string, string>) => ({ label: `${iface}:7 app bag`, all: () => ({ ...data }) });

let m: Material;
let goodCertFp: string;
beforeAll(async () => {
  m = await makeMaterial();
  goodCertFp = m.fingerprint;
}, 60_000);

/** Is this PEM exactly the good leaf / good CA (whitespace aside)? */
function isCert(pem: string, wanted: string): boolean {
  const p = Certificate.parse(pem);
  if (!p.ok) return false;
  const w = Certificate.parse(wanted);
  return w.ok && p.certificate.fingerprintSha256Hex === w.certificate.fingerprintSha256Hex && (pem.match(/BEGIN/g) ?? []).length === 1;
}

/**
 * Certificate checks are pure and deterministic, and the generators reuse a few hundred
 * distinct certificate values, so results are memoised by input (10,000 ECDSA P-384 path
 * verifications would cost minutes on 2 cores and prove nothing more).
 */
const memo = new Map<string, boolean>();
async function semanticCheck(iface: string, key: string, field: string, value: unknown): Promise<boolean> {
  const k = `${iface}|${key}|${field}|${JSON.stringify(value)}`;
  if (k.length > 200_000) return semanticCheckUncached(iface, key, field, value);
  let r = memo.get(k);
  if (r === undefined) { r = await semanticCheckUncached(iface, key, field, value); memo.set(k, r); }
  return r;
}

async function semanticCheckUncached(iface: string, key: string, field: string, value: unknown): Promise<boolean> {
  // Only for values that passed the codec: what the charms do next with a certificate.
  if (iface === 'rest' && field === 'client_certificate') {
    const r = await checkClientCertificate(value as string, new Date());
    // AMS trusts by fingerprint (any issuer, client-certificates.ts); policy/expiry/usage must hold.
    if (r.ok) expect([goodCertFp, Certificate.fromPem(m.foreignLeafPem).fingerprintSha256Hex]).toContain(r.fingerprint);
    return r.ok;
  }
  if (field === 'ca_cert') {
    const r = await verifyCertificate({ certificate: value as string, trusted: value as string, role: 'ca' });
    if (r.ok) expect(isCert(value as string, m.caPem) || isCert(value as string, m.foreignCaPem)).toBe(true);
    return r.ok;
  }
  if (iface === 'tls-certificates' && key === 'provider.app') {
    const parsed = parseProviderCertificates(JSON.stringify(value));
    if (!parsed.ok) return false;
    let allOk = true;
    for (const entry of parsed.entries) {
      const r = await verifyProviderCertificate(entry, { csr: m.csrPem, key: m.leafKeyPem, expectedCa: m.caPem, usage: 'both' });
      if (r.ok) expect(isCert(entry.certificate, m.leafPem)).toBe(true);
      else expect(r.reason.length).toBeGreaterThan(0);
      allOk &&= r.ok;
    }
    return allOk;
  }
  if (iface === 'tls-certificates' && key === 'requirer.unit') {
    return parseCsrRequests(JSON.stringify(value)).ok;
  }
  return true;
}

const stats: Record<string, { runs: number; rejectedByCodec: number; rejectedByCertCheck: number; accepted: number }> = {};

describe.each(Object.keys(INTERFACES) as Array<keyof typeof INTERFACES>)('fuzz level 1: %s', (iface) => {
  it(`${RUNS} generated remote bags: codec and certificate checks never throw, name relation + field, keep good fields`, async () => {
    const codec = await loadInterface(iface as InterfaceName);
    const s = (stats[iface] = { runs: 0, rejectedByCodec: 0, rejectedByCertCheck: 0, accepted: 0 });
    await fc.assert(
      fc.asyncProperty(caseArb(INTERFACES[iface], m), async ({ spec, bag, touched }) => {
        s.runs++;
        const read = codec.read(bagOf(iface, bag), spec.key as never);
        if (!read.ok) {
          s.rejectedByCodec++;
          expect(read.problems.length).toBeGreaterThan(0);
          for (const p of read.problems) {
            expect(p.bag).toBe(`${iface}:7 app bag`);
            // Only fields we broke (or the bag as a whole for the either/or rule), never a good field.
            if (p.field !== '') expect(touched.has(p.field)).toBe(true);
            expect(read.message).toContain(p.field ? `field "${p.field}"` : p.bag);
          }
          expect(read.message).not.toContain('-----BEGIN');
          for (const f of touched) {
            const v = bag[f];
            if (v !== undefined && v.length >= 24) expect(read.message).not.toContain(v);
          }
          expect(read.message.length).toBeLessThan(4000);
          return;
        }
        let certOk = true;
        for (const f of touched) {
          const v = (read.value as Record<string, unknown>)[f];
          if (v === undefined) continue;
          certOk = (await semanticCheck(iface, spec.key, f, v)) && certOk;
        }
        if (certOk) s.accepted++;
        else s.rejectedByCertCheck++;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    process.stdout.write(`fuzz level 1 ${iface}: ${JSON.stringify(s)}\n`);
    expect(s.runs).toBeGreaterThanOrEqual(RUNS);
    // Most bags are broken (absent optional fields are legitimately accepted).
    expect(s.rejectedByCodec + s.rejectedByCertCheck).toBeGreaterThan(RUNS / 3);
  }, 240_000);
});
