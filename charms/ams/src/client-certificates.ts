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
 */
import type { Relation } from '../../../lib/relations/relation.ts';
import type { InterfaceCodec } from '../../../lib/relations/interfaces.ts';
import type { Bags as RestBags } from '../../../lib/relations/generated/rest.ts';
import type { AmsTrustedClient, TrustStoreEntry } from './workload.ts';

export const CLIENT_CERTIFICATE_FIELD = 'client_certificate';

export type ClientCertificateCheck =
  | { readonly ok: true; readonly fingerprint: string; readonly pem: string }
  | { readonly ok: false; readonly reason: string };

/** Policy + validity window + usage of one received certificate. Never throws. */
export async function checkClientCertificate(pem: string, now: Date): Promise<ClientCertificateCheck> {
  const tls = await import('../../../lib/tls/index.ts'); // ~100 ms: only when a client certificate is present
  const parsed = tls.Certificate.parse(pem);
  if (!parsed.ok) return { ok: false, reason: `not a parseable X.509 certificate (${parsed.reason})` };
  const cert = parsed.certificate;
  const policy = tls.certificatePolicyViolation(cert, 'leaf');
  if (policy) return { ok: false, reason: policy };
  if (now < cert.notBefore) return { ok: false, reason: `not valid before ${cert.notBefore.toISOString()}` };
  if (now > cert.notAfter) return { ok: false, reason: `expired at ${cert.notAfter.toISOString()}` };
  const eku = cert.extendedKeyUsage;
  if (eku !== undefined && !eku.includes('clientAuth')) return { ok: false, reason: 'ExtendedKeyUsage does not allow client authentication' };
  return { ok: true, fingerprint: cert.fingerprintSha256Hex, pem: cert.pem };
}

export interface TrustDecision {
  /** Certificates to keep in AMS's trust store, named by the unit that sent them. */
  readonly trusted: readonly (AmsTrustedClient & { readonly fingerprint: string })[];
  /** Units present that sent nothing yet (not an error: they may still be starting). */
  readonly pending: readonly string[];
  /** `rest-api:3 unit bag agent/1 field "client_certificate": <why>` — never the value. */
  readonly problems: readonly string[];
}

/**
 * Walk every present unit of every live `rest-api` relation and decide whom to trust.
 * `previous`: what AMS trusts now (the trust-store record), to keep through invalid data.
 */
export async function decideTrust(relations: readonly Relation[], rest: InterfaceCodec<RestBags>, now: Date, previous: readonly TrustStoreEntry[] = []): Promise<TrustDecision> {
  const trusted: (AmsTrustedClient & { fingerprint: string })[] = [];
  const pending: string[] = [];
  const problems: string[] = [];
  /** The unit's last trusted certificate, if it still passes the checks (it may have expired since). */
  const lastGood = async (unit: string): Promise<boolean> => {
    const entry = previous.find((e) => e.name === unit);
    const check = entry ? await checkClientCertificate(entry.certificate, now) : undefined;
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
      const check = read.ok ? await checkClientCertificate(read.value.client_certificate, now) : undefined;
      if (read.ok && check?.ok) {
        trusted.push({ name: unit, certificate: check.pem, fingerprint: check.fingerprint });
        continue;
      }
      const why = read.ok ? `${bag.label} field "${CLIENT_CERTIFICATE_FIELD}": ${check && !check.ok ? check.reason : 'invalid'}` : read.message;
      problems.push(`${why}; ${(await lastGood(unit)) ? 'keeping its last trusted certificate' : 'not trusted'}`);
    }
  }
  return { trusted, pending, problems };
}
