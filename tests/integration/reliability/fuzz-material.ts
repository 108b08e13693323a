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

/** Broken PEM made from a good one: truncated, bad base64, no END line, wrong label, a key. */
export function brokenPem(m: Material): fc.Arbitrary<string> {
  const pem = m.leafPem;
  const body = pem.split('\n').slice(1, -2).join('\n');
  return fc.oneof(
    fc.integer({ min: 1, max: pem.length - 1 }).map((n) => pem.slice(0, n)),
    fc.integer({ min: 30, max: pem.length - 40 }).chain((i) => fc.constantFrom('!', '*', '\u00e9', '\u0000', ' ').map((c) => pem.slice(0, i) + c + pem.slice(i + 1))),
    fc.constant(pem.replace('-----END CERTIFICATE-----', '')),
    fc.constant(pem.replace(/CERTIFICATE/g, 'CERTIFICATE REQUEST')),
    fc.constant(`-----BEGIN CERTIFICATE-----\n${Buffer.from('not a certificate at all').toString('base64')}\n-----END CERTIFICATE-----\n`),
    fc.constant(`-----BEGIN CERTIFICATE-----\n${body.slice(0, 64)}\n-----END CERTIFICATE-----\n`),
    fc.constant(m.leafKeyPem),
    fc.constant(`${pem}${m.leafKeyPem}`),
    fc.constant(pem.replace(/\n/g, '\r\n').replace('MII', 'MIJ')),
    fc.constant(pem.repeat(2000)), // ~1.5 MB: over every size limit
  );
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
    fc.integer({ min: 10_000, max: 300_000 }).map((n) => 'A'.repeat(n)),
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
