/**
 * SHA-256 fingerprints over DER, for trust stores and pinning (design.md "Certificates").
 * `colonHex` matches `openssl x509 -fingerprint -sha256` (upper case, colon-separated);
 * `plainHex` is lower case with no separators (what most pinning configs expect).
 */
import { createHash } from 'node:crypto';
import { pemToDer } from './pem.ts';

export function sha256Der(der: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(der).digest());
}

export function toColonHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

export function toPlainHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Accepts either form (any case, with or without colons) and returns plain lower-case hex. */
export function normalizeFingerprint(fp: string): string {
  return fp.replace(/[:\s]/g, '').toLowerCase();
}

/** SHA-256 of a PEM certificate's DER, colon-hex (openssl style). */
export function certificateFingerprint(pem: string, format: 'colon' | 'plain' = 'colon'): string {
  const digest = sha256Der(pemToDer(pem, 'CERTIFICATE'));
  return format === 'colon' ? toColonHex(digest) : toPlainHex(digest);
}

/** True when `pem`'s SHA-256 fingerprint equals `expected` (either format). */
export function fingerprintMatches(pem: string, expected: string): boolean {
  return certificateFingerprint(pem, 'plain') === normalizeFingerprint(expected);
}
