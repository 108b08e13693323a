/**
 * Material for the databag fuzzers, made once per test file (EC P-384; tooling.md): a "right"
 * CA with a leaf and a CSR, a foreign CA with a leaf, an expired leaf, a CA certificate used as
 * a leaf, an RSA 1024 self-signed certificate (below policy; made with the openssl CLI since
 * lib/tls refuses weak keys), plus fast-check arbitraries for broken and almost-right values.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CertificateAuthority } from '../../../lib/tls/ca.ts';
import { CertificateRequest } from '../../../lib/tls/csr.ts';
import { PrivateKey } from '../../../lib/tls/keys.ts';

export interface Material {
  readonly caPem: string;
  readonly leafPem: string;
  readonly leafKeyPem: string;
  readonly csrPem: string;
  readonly foreignCaPem: string;
  readonly foreignLeafPem: string;
  readonly expiredLeafPem: string;
  readonly weakRsaPem: string;
  readonly weakRsaKeyPem: string;
  readonly fingerprint: string;
}

const EC = { type: 'ec', curve: 'P-384' } as const;

export async function makeMaterial(): Promise<Material> {
  const ca = await CertificateAuthority.create({ key: EC, commonName: 'fuzz right CA' });
  const leafKey = await PrivateKey.create(EC);
  const csr = await CertificateRequest.create({ key: leafKey, commonName: 'fuzz-leaf', sans: ['10.0.0.1'], usage: 'both' });
  const leaf = await ca.issue({ csr, usage: 'both' });
  const foreign = await CertificateAuthority.create({ key: EC, commonName: 'fuzz foreign CA' });
  const foreignLeaf = await foreign.issue({ key: EC, commonName: 'foreign-leaf', usage: 'both' });
  const day = 24 * 3600 * 1000;
  const oldCa = await CertificateAuthority.create({ key: EC, commonName: 'fuzz old CA', now: new Date(Date.now() - 10 * day) });
  const expired = await oldCa.issue({ key: EC, commonName: 'expired-leaf', usage: 'both', now: new Date(Date.now() - 9 * day), validity: { days: 1 } });
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-weak-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/CN=weak-rsa-1024', '-days', '2'], { stdio: 'ignore' });
    return {
      caPem: ca.certificate.pem,
      leafPem: leaf.certificate.pem,
      leafKeyPem: leafKey.pem,
      csrPem: csr.pem,
      foreignCaPem: foreign.certificate.pem,
      foreignLeafPem: foreignLeaf.certificate.pem,
      expiredLeafPem: expired.certificate.pem,
      weakRsaPem: readFileSync(join(dir, 'c.pem'), 'utf8'),
      weakRsaKeyPem: readFileSync(join(dir, 'k.pem'), 'utf8'),
      fingerprint: leaf.certificate.fingerprintSha256Hex,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Broken PEM made from a good one: truncated, a bad character, no END line, wrong label, a
 * private key, padding changed, over the size limit. A fixed pool of ~80 variants (positions
 * spread over the text), so the certificate checks downstream can be memoised.
 */
const brokenPool = new WeakMap<Material, string[]>();
export function brokenPem(m: Material): fc.Arbitrary<string> {
  let pool = brokenPool.get(m);
  if (!pool) {
    const pem = m.leafPem;
    const body = pem.split('\n').slice(1, -2).join('\n');
    const cuts = Array.from({ length: 30 }, (_, i) => Math.floor(((i + 1) * (pem.length - 1)) / 31));
    pool = [
      ...cuts.map((n) => pem.slice(0, n)),
      ...cuts.flatMap((i, j) => (i > 28 && i < pem.length - 30 ? [pem.slice(0, i) + ['!', '*', '\u00e9', '\u0000', ' ', 'A'][j % 6] + pem.slice(i + 1)] : [])),
      pem.replace('-----END CERTIFICATE-----', ''),
      pem.replace(/CERTIFICATE/g, 'CERTIFICATE REQUEST'),
      `-----BEGIN CERTIFICATE-----\n${Buffer.from('not a certificate at all').toString('base64')}\n-----END CERTIFICATE-----\n`,
      `-----BEGIN CERTIFICATE-----\n${body.slice(0, 64)}\n-----END CERTIFICATE-----\n`,
      m.leafKeyPem,
      `${pem}${m.leafKeyPem}`,
      pem.replace(/\n/g, '\r\n').replace('MII', 'MIJ'),
      pem.replace(/=*\n-----END/, '==\n-----END'),
      pem.repeat(100), // ~75 KB: over the 64 KiB PEM limit
    ];
    brokenPool.set(m, pool);
  }
  return fc.constantFrom(...pool);
}

/** Certificates that parse but must not be accepted where a leaf from the right CA is expected. */
export function wrongCertificate(m: Material): fc.Arbitrary<{ pem: string; why: string }> {
  return fc.constantFrom(
    { pem: m.foreignLeafPem, why: 'foreign CA' },
    { pem: m.expiredLeafPem, why: 'expired' },
    { pem: m.weakRsaPem, why: 'RSA 1024' },
    { pem: m.caPem, why: 'a CA certificate' },
  );
}

/** Strings of every shape: wrong "types" (databag values are strings, contract §2.3), huge, control characters. */
export function junk(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('', ' ', '0', '-1', '65536', '1e3', 'true', 'false', 'null', 'undefined', 'NaN', '{}', '[]', '[1]', '{"a":1}', '"quoted"', 'secret:', 'tls://', 'https://', '\u0000', '\n', 'x'.repeat(9000)),
    fc.string({ maxLength: 64 }),
    fc.string({ unit: 'binary', maxLength: 64 }),
    fc.integer().map(String),
    fc.double().map(String),
    fc.integer({ min: 8_000, max: 100_000 }).map((n) => 'A'.repeat(n)),
    fc.json({ maxDepth: 3 }),
  );
}

/** JSON that is almost right: good JSON with one edit (trailing comma, quotes, truncation, type swap). */
export function almostJson(good: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.integer({ min: 0, max: Math.max(0, good.length - 1) }).map((n) => good.slice(0, n)),
    fc.constant(good.replace(/\]$/, ',]')),
    fc.constant(good.replace(/"/g, "'")),
    fc.constant(good.replace(/^\[/, '{').replace(/\]$/, '}')),
    fc.constant(`[${good}]`),
    fc.constant(good.replace(/"certificate_signing_request"/, '"certificate_signing_requests"')),
    fc.constant(good.replace(/"(certificate|ca)":"/, '"$1":["').replace(/(-----END CERTIFICATE-----\\n)"/, '$1"]')),
    fc.constant(good.replace(/"chain":\[/, '"chain":"').replace(/\]\}/, '"}')),
    fc.constant(JSON.stringify(JSON.stringify(JSON.parse(good)))),
    fc.constant(good.replace(/:"/, ':1, "x":"')),
    fc.constant(`${good} `.repeat(2)),
    fc.json({ maxDepth: 4 }),
  );
}
