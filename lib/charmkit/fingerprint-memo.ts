/**
 * The SHA-256 fingerprint of a certificate the charm publishes on every reconcile (its own
 * API or server certificate), kept in ctx.memo with the PEM it was computed from: hashing
 * loads node:crypto (~8 ms, issue 8), and the certificate changes only when it is reissued.
 * Certificates and fingerprints are public, so the memo may hold them.
 */
import type { DerivedMemo } from '../juju/dispatch.ts';
import { certificateFingerprint } from '../tls/fingerprint.ts';

/** Plain lower-case hex (`certificateFingerprint(pem, 'plain')`) of `pem`, remembered under `key`. */
export function memoFingerprint(memo: Pick<DerivedMemo, 'get' | 'set'>, key: string, pem: string): string {
  const kept = memo.get(key);
  // `<64 hex digits> <pem>`
  if (kept && kept.charCodeAt(64) === 32 && kept.slice(65) === pem) return kept.slice(0, 64);
  const fingerprint = certificateFingerprint(pem, 'plain');
  memo.set(key, `${fingerprint} ${pem}`);
  return fingerprint;
}
