/**
 * Key and algorithm policy for everything we accept (issue 5): RSA >= 2048, EC P-256/P-384
 * only, SHA-2 signatures only, CA flag set on CAs and absent on leaves. Each check returns a
 * reason string or undefined, so callers can turn it into a status message.
 */
import type { Certificate } from './certificate.ts';
import type { KeyAlgorithmInfo } from './algorithms.ts';
import { describeKey } from './algorithms.ts';

export interface TlsPolicy {
  /** Default 2048. */
  readonly minRsaBits: number;
  /** Default ['P-256', 'P-384']. */
  readonly allowedCurves: readonly string[];
  /** Default ['SHA-256', 'SHA-384', 'SHA-512']. */
  readonly allowedHashes: readonly string[];
}

export const DEFAULT_POLICY: TlsPolicy = Object.freeze({
  minRsaBits: 2048,
  allowedCurves: Object.freeze(['P-256', 'P-384']),
  allowedHashes: Object.freeze(['SHA-256', 'SHA-384', 'SHA-512']),
});

export function keyPolicyViolation(info: KeyAlgorithmInfo | { type: 'other'; name: string }, policy: TlsPolicy = DEFAULT_POLICY): string | undefined {
  if (info.type === 'rsa') return info.bits >= policy.minRsaBits ? undefined : `${describeKey(info)} key is below the ${policy.minRsaBits}-bit minimum`;
  if (info.type === 'ec') return policy.allowedCurves.includes(info.curve) ? undefined : `EC curve ${info.curve} is not allowed (allowed: ${policy.allowedCurves.join(', ')})`;
  return `key type ${info.name} is not allowed (RSA or EC only)`;
}

export function hashPolicyViolation(hash: string | undefined, what: string, policy: TlsPolicy = DEFAULT_POLICY): string | undefined {
  if (hash && policy.allowedHashes.includes(hash)) return undefined;
  return `${what} is signed with ${hash ?? 'an unsupported algorithm'}; SHA-2 (${policy.allowedHashes.join(', ')}) required`;
}

export type CertificateRole = 'ca' | 'leaf';

/** All policy checks for one certificate in the role it plays in a chain. */
export function certificatePolicyViolation(cert: Certificate, role: CertificateRole, policy: TlsPolicy = DEFAULT_POLICY): string | undefined {
  const who = `${role === 'ca' ? 'CA' : 'certificate'} "${cert.commonName ?? cert.subject}"`;
  const key = keyPolicyViolation(cert.keyAlgorithm, policy);
  if (key) return `${who}: ${key}`;
  const sig = hashPolicyViolation(cert.signatureHash, who, policy);
  if (sig) return sig;
  if (role === 'ca') {
    if (!cert.isCa) return `${who} is not a CA (BasicConstraints CA flag missing)`;
    const ku = cert.keyUsage;
    if (ku && !ku.includes('keyCertSign')) return `${who} lacks KeyUsage keyCertSign`;
  } else if (cert.isCa) {
    return `${who} is a CA certificate, not a leaf`;
  }
  return undefined;
}
