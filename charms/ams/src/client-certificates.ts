/**
 * Which `rest-api` client certificates AMS trusts (issue 6, design.md "Interfaces").
 *
 * A requirer unit's `client_certificate` is trusted by SHA-256 fingerprint (over DER) only if
 * it parses and passes the project's TLS policy (lib/tls/policy.ts: RSA >= 2048 or EC
 * P-256/P-384, SHA-2 signature, not a CA), is inside its validity window, and does not
 * exclude client authentication by its ExtendedKeyUsage. No chain is checked: trust is by
 * fingerprint, so the issuer does not matter (the agent may use any CA).
 *
 * Who is present comes from `relation-list` (the relation's `units`), never from the bags:
 * a departed unit's bag stays readable for the relation's lifetime (contract §1.4, §2.3).
 *
 * Invalid data from a present unit changes nothing (issue 4/6): the certificate AMS last
 * trusted for that unit (the charm's trust-store record) stays trusted while it still passes
 * the checks above, and the status names the relation, unit, field and why. Trust is removed
 * only when the unit departs or the relation breaks (or it withdraws the field).
 *
 * Scale (issue 8): each certificate text is examined (x509) once and remembered in the unit's
 * memo (certificate-verdicts.ts); later hooks check only the validity window, from the stored
 * dates, so a hook parses only the certificates that changed.
 */
import type { Relation } from '../../../lib/relations/relation.ts';
import type { InterfaceCodec } from '../../../lib/relations/interfaces.ts';
import type { Bags as RestBags } from '../../../lib/relations/generated/rest.ts';
import type { AmsTrustedClient, TrustStoreEntry } from './workload.ts';
import { CertificateVerdicts, verdictAt, type CertificateFacts, type ClientCertificateCheck, type DerivedMemo } from './certificate-verdicts.ts';

export type { ClientCertificateCheck, DerivedMemo } from './certificate-verdicts.ts';

export const CLIENT_CERTIFICATE_FIELD = 'client_certificate';

/**
 * What one received certificate is, apart from the clock: parse, policy, fingerprint,
 * validity dates, usage. The only code here that loads x509. Never throws.
 */
export async function examineClientCertificate(pem: string): Promise<CertificateFacts> {
  const tls = await import('../../../lib/tls/index.ts'); // ~100 ms: only for a certificate not seen before
  const parsed = tls.Certificate.parse(pem);
  if (!parsed.ok) return { rejected: `not a parseable X.509 certificate (${parsed.reason})` };
  const cert = parsed.certificate;
  const policy = tls.certificatePolicyViolation(cert, 'leaf');
  if (policy) return { rejected: policy };
  // A window that cannot be written down cannot be checked: refuse rather than skip the check.
  if (!Number.isFinite(cert.notBefore.getTime()) || !Number.isFinite(cert.notAfter.getTime())) return { rejected: 'validity dates are not readable' };
  const eku = cert.extendedKeyUsage;
  const usage = eku !== undefined && !eku.includes('clientAuth') ? 'ExtendedKeyUsage does not allow client authentication' : undefined;
  return {
    fingerprint: cert.fingerprintSha256Hex,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    ...(cert.pem === pem ? {} : { pem: cert.pem }), // the canonical text, kept only when it differs
    ...(usage ? { usage } : {}),
  };
}

/** Policy + validity window + usage of one received certificate. Never throws. */
export async function checkClientCertificate(pem: string, now: Date): Promise<ClientCertificateCheck> {
  return verdictAt(await examineClientCertificate(pem), pem, now);
}

export interface TrustDecision {
  /** Certificates to keep in AMS's trust store, named by the unit that sent them. */
  readonly trusted: readonly (AmsTrustedClient & { readonly fingerprint: string })[];
  /** Units present that sent nothing yet (not an error: they may still be starting). */
  readonly pending: readonly string[];
  /** `rest-api:3 unit bag agent/1 field "client_certificate": <why>` — never the value. */
  readonly problems: readonly string[];
}

export interface TrustOptions {
  /**
   * The unit's derived-data memo: a certificate checked in an earlier hook is not parsed again
   * (x509 is not even loaded when all were); its validity window is still checked against `now`.
   */
  readonly memo?: DerivedMemo | undefined;
}

/**
 * Walk every present unit of every live `rest-api` relation and decide whom to trust.
 * `previous`: what AMS trusts now (the trust-store record), to keep through invalid data; a
 * function is called only when some unit's data is invalid.
 */
export async function decideTrust(
  relations: readonly Relation[],
  rest: InterfaceCodec<RestBags>,
  now: Date,
  previous: readonly TrustStoreEntry[] | (() => readonly TrustStoreEntry[]) = [],
  options: TrustOptions = {},
): Promise<TrustDecision> {
  const verdicts = new CertificateVerdicts(options.memo, examineClientCertificate);
  const trusted: (AmsTrustedClient & { fingerprint: string })[] = [];
  const pending: string[] = [];
  const problems: string[] = [];
  let recorded: ReadonlyMap<string, TrustStoreEntry> | undefined;
  /** The unit's last trusted certificate, if it still passes the checks (it may have expired since). */
  const lastGood = async (unit: string): Promise<boolean> => {
    // First entry per name wins (as a find() would); reversed so that Map keeps it.
    recorded ??= new Map([...(typeof previous === 'function' ? previous() : previous)].reverse().map((e) => [e.name, e]));
    const entry = recorded.get(unit);
    const check = entry ? await verdicts.check(entry.certificate, now) : undefined;
    if (!check?.ok) return false;
    trusted.push({ name: unit, certificate: check.pem, fingerprint: check.fingerprint });
    return true;
  };
  for (const relation of relations) {
    for (const unit of relation.units) {
      const bag = relation.remoteUnit(unit);
      const read = rest.read(bag, 'requirer.unit');
      if (!read.ok && read.reason === 'incomplete') {
        pending.push(`${relation.name} ${unit}`);
        continue;
      }
      const check = read.ok ? await verdicts.check(read.value.client_certificate, now) : undefined;
      if (read.ok && check?.ok) {
        trusted.push({ name: unit, certificate: check.pem, fingerprint: check.fingerprint });
        continue;
      }
      const why = read.ok ? `${bag.label} field "${CLIENT_CERTIFICATE_FIELD}": ${check && !check.ok ? check.reason : 'invalid'}` : read.message;
      problems.push(`${why}; ${(await lastGood(unit)) ? 'keeping its last trusted certificate' : 'not trusted'}`);
    }
  }
  // Only certificates some present unit sends (or AMS keeps for it) stay in the memo.
  verdicts.prune();
  verdicts.save();
  return { trusted, pending, problems };
}
