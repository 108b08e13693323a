/**
 * The extension sets we put on certificates. Kept in one place so CA, leaf and CSR paths agree,
 * and so tests can read what `openssl x509 -text` must show.
 *
 * - CA: BasicConstraints CA:TRUE critical (pathlen optional), KeyUsage keyCertSign|cRLSign
 *   critical, SKI, AKI (= own SKI when self-signed). -x509_strict needs all of these.
 * - Leaf: BasicConstraints CA:FALSE critical, KeyUsage digitalSignature (+keyEncipherment
 *   for RSA only: an EC key cannot encipher, tooling.md) critical, ExtendedKeyUsage
 *   serverAuth and/or clientAuth, SAN (IP vs DNS entries), SKI, AKI = issuer's SKI.
 */
import type { CryptoImpl } from './provider.ts';
import { x509 } from './provider.ts';
import { EKU_OIDS } from './certificate.ts';
import type { KeyAlgorithmInfo } from './algorithms.ts';
import type { SubjectAltNames } from './names.ts';
import { invalidOption } from './errors.ts';

/** What a leaf certificate is for. `both` = serverAuth + clientAuth (e.g. NATS routes, etcd peers). */
export type LeafUsage = 'server' | 'client' | 'both';

export function normalizeUsage(usage: unknown, fallback: LeafUsage): LeafUsage {
  const u = usage ?? fallback;
  if (u !== 'server' && u !== 'client' && u !== 'both') throw invalidOption('usage', u, "'server', 'client' or 'both'");
  return u;
}

export function ekuFor(usage: LeafUsage): string[] {
  if (usage === 'server') return [EKU_OIDS.serverAuth];
  if (usage === 'client') return [EKU_OIDS.clientAuth];
  return [EKU_OIDS.serverAuth, EKU_OIDS.clientAuth];
}

export function usageFromEku(eku: readonly string[] | undefined): LeafUsage | undefined {
  if (!eku) return undefined;
  const s = eku.includes('serverAuth') || eku.includes(EKU_OIDS.serverAuth);
  const c = eku.includes('clientAuth') || eku.includes(EKU_OIDS.clientAuth);
  return s && c ? 'both' : s ? 'server' : c ? 'client' : undefined;
}

export function leafKeyUsageFlags(key: KeyAlgorithmInfo): number {
  return key.type === 'rsa'
    ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
    : x509.KeyUsageFlags.digitalSignature;
}

export function sanExtension(sans: SubjectAltNames): x509.Extension[] {
  const names: x509.JsonGeneralName[] = [
    ...sans.dns.map((value) => ({ type: 'dns' as const, value })),
    ...sans.ip.map((value) => ({ type: 'ip' as const, value })),
  ];
  return names.length ? [new x509.SubjectAlternativeNameExtension(names, false)] : [];
}

/** Extensions requested in a CSR (the CA decides what it actually grants). */
export function csrExtensions(key: KeyAlgorithmInfo, usage: LeafUsage, sans: SubjectAltNames): x509.Extension[] {
  return [
    new x509.KeyUsagesExtension(leafKeyUsageFlags(key), true),
    new x509.ExtendedKeyUsageExtension(ekuFor(usage), false),
    ...sanExtension(sans),
  ];
}

export async function leafExtensions(opts: {
  key: KeyAlgorithmInfo; spki: Uint8Array; usage: LeafUsage; sans: SubjectAltNames; issuerKeyId: string;
}, crypto: CryptoImpl): Promise<x509.Extension[]> {
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(leafKeyUsageFlags(opts.key), true),
    new x509.ExtendedKeyUsageExtension(ekuFor(opts.usage), false),
    ...sanExtension(opts.sans),
    await x509.SubjectKeyIdentifierExtension.create(opts.spki, false, crypto),
    new x509.AuthorityKeyIdentifierExtension(opts.issuerKeyId, false),
  ];
}

export async function caExtensions(opts: {
  spki: Uint8Array; pathLength: number | undefined; issuerKeyId: string | undefined;
}, crypto: CryptoImpl): Promise<x509.Extension[]> {
  const ski = await x509.SubjectKeyIdentifierExtension.create(opts.spki, false, crypto);
  return [
    new x509.BasicConstraintsExtension(true, opts.pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ski,
    new x509.AuthorityKeyIdentifierExtension(opts.issuerKeyId ?? ski.keyId, false),
  ];
}
