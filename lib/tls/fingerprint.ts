/**
 * SHA-256 fingerprints over DER, for trust stores and pinning (design.md "Certificates").
 * `colonHex` matches `openssl x509 -fingerprint -sha256` (upper case, colon-separated);
 * `plainHex` is lower case with no separators (what most pinning configs expect).
 */
import { pemToDer } from './pem.ts';

/**
 * node:crypto loaded at call time, not at import: loading it costs ~8 ms, and charms import
 * this file on every hook's path (issue 8). A charm fingerprinting its own certificate on
 * every reconcile keeps the result in ctx.memo (lib/charmkit/fingerprint-memo.ts), so only a
 * hook whose certificate changed (where lib/tls, which needs node:crypto anyway, is usually
 * loaded too) or that starts with an empty memo pays. Measured against pure-JS SHA-256
 * (@noble/hashes) in the agent's nats-relation-changed (medians of 80): node:crypto loaded
 * with the charm cost 7 ms at load, noble cost 5.6 ms more in the reconcile itself (cold
 * hashing, then GC and JIT after it), and 1000 certificates (AMS's clients) took 45 ms with
 * noble against 18 ms with node:crypto, load included. With the memos the usual hook hashes
 * nothing at all.
 */
export function sha256Der(der: Uint8Array): Uint8Array {
  return new Uint8Array(process.getBuiltinModule('node:crypto').createHash('sha256').update(der).digest());
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
