/**
 * The TLS planner: given the material the charm has stored and what the model offers, decide
 * what to (re)issue. No I/O and no clock beyond `now` (signature checks are async, hence the
 * Promise). `applyTlsPlan` (apply.ts) carries a plan out and returns new PEM material; the
 * caller stores it (secrets) and writes workload files. Storage stays out of lib/tls.
 *
 * CA source precedence (issue 5): (1) a `tls-certificates` relation, (2) operator PEMs in
 * config (CA cert + key, or cert + key), (3) a self-signed CA made by the leader. Leaves
 * issued under another source are re-issued, so switching source (either way) re-issues
 * everything; until an external CA answers, the current leaves stay in service.
 */
import { defaultCrypto, type CryptoImpl } from './provider.ts';
import { Certificate } from './certificate.ts';
import { CertificateAuthority } from './ca.ts';
import { CertificateRequest } from './csr.ts';
import { PrivateKey } from './keys.ts';
import { verifyCertificate } from './verify.ts';
import { certificatePolicyViolation } from './policy.ts';
import { splitCertificatePems } from './pem.ts';
import { needsRenewal, DEFAULT_RENEW_FRACTION } from './renewal.ts';
import { classifySubjectAltNames, type SubjectAltNames } from './names.ts';
import { usageFromEku, type LeafUsage } from './extensions.ts';
import { findCertificateForCsr, verifyProviderCertificate, type ProviderCertificateEntry } from './tls-certificates.ts';
import type { TrustBundleState } from './trust-bundle.ts';
import { durationMs, type Duration } from './duration.ts';

export type CaSourceKind = 'relation' | 'config' | 'self-signed';

/** A certificate the charm wants, e.g. `{ name: 'server', usage: 'server', sans: ingress addresses }`. */
export interface LeafSpec {
  readonly name: string;
  readonly usage: LeafUsage;
  readonly commonName?: string;
  readonly sans?: readonly string[];
}

export interface StoredLeaf {
  /** Leaf followed by any intermediates. */
  readonly certPem: string;
  readonly keyPem: string;
  /** Root CA the leaf chains to. */
  readonly caPem: string;
  readonly source: CaSourceKind;
}

/** A CSR sent to the external CA, with the key it was made for (unit-owned secret material). */
export interface PendingRequest {
  readonly csrPem: string;
  readonly keyPem: string;
}

/** Operator-supplied PEMs from config. Either caCert + caKey, or cert + key (+ caCert as anchor). */
export interface ConfigPems {
  readonly caCert?: string;
  readonly caKey?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** Everything the caller has stored. All optional: an empty object is a fresh deployment. */
export interface TlsState {
  readonly selfSignedCa?: { readonly certPem: string; readonly keyPem: string };
  /** The staged next self-signed CA (trusted, not signing yet). */
  readonly nextSelfSignedCa?: { readonly certPem: string; readonly keyPem: string };
  readonly leaves?: Readonly<Record<string, StoredLeaf>>;
  readonly pending?: Readonly<Record<string, PendingRequest>>;
  readonly trust?: TrustBundleState;
}

export interface PlanInput {
  readonly wanted: readonly LeafSpec[];
  readonly state: TlsState;
  /** Present when a `tls-certificates` relation exists (even before the CA answered). */
  readonly relation?: { readonly certificates: readonly ProviderCertificateEntry[] };
  readonly config?: ConfigPems;
  /** Only the leader creates or rotates the self-signed CA (contract: leadership). */
  readonly isLeader: boolean;
  /** Default: the real clock. */
  readonly now?: Date;
  /** Renew at this fraction of life. Default 2/3. */
  readonly renewFraction?: number;
  /** How long a staged CA is trusted before it signs. Default `DEFAULT_STAGE_GRACE` (1 day). */
  readonly stageGrace?: Duration;
}

export type LeafAction =
  | { readonly kind: 'keep'; readonly leaf: string }
  /** Sign locally with the active CA (config CA or self-signed). */
  | { readonly kind: 'issue'; readonly leaf: string; readonly reason: string }
  /** Make a fresh key + CSR and send it to the external CA. */
  | { readonly kind: 'request'; readonly leaf: string; readonly reason: string }
  /** A CSR is out; keep serving the current leaf meanwhile. */
  | { readonly kind: 'wait'; readonly leaf: string; readonly reason: string }
  /** The external CA answered our pending CSR and the answer verified. */
  | { readonly kind: 'install'; readonly leaf: string; readonly entry: ProviderCertificateEntry }
  /** Use the operator's cert + key as is. */
  | { readonly kind: 'use-config'; readonly leaf: string; readonly reason: string };

/**
 * Self-signed CA step: 'create' (none usable; issue at once), 'stage' (make the next CA and
 * trust it; keep signing with the current one), 'activate' (the staged CA becomes current
 * and every leaf is re-issued; the old CA stays trusted until its leaves expire).
 */
export type CaAction = 'none' | 'keep' | 'create' | 'stage' | 'activate';

export interface TlsPlan {
  readonly source: CaSourceKind;
  /** What to do with the self-signed CA (leader only; 'none' when another source is active). */
  readonly ca: CaAction;
  readonly caReason?: string;
  readonly leaves: readonly LeafAction[];
  /** Stored leaves no longer wanted. */
  readonly remove: readonly string[];
  /** Set when nothing can proceed (bad config, no CA yet on a non-leader): a status message. */
  readonly blocked?: string;
  /** Non-fatal problems (e.g. an external certificate that failed verification). */
  readonly problems: readonly string[];
  /** Convenience: true when any action changes material. */
  readonly changes: boolean;
}

type ConfigMode = { mode: 'ca'; ca: CertificateAuthority } | { mode: 'leaf'; cert: Certificate; key: PrivateKey; anchor: string } | { mode: 'invalid'; reason: string };

const has = (s: string | undefined): s is string => typeof s === 'string' && s.trim() !== '';

export function configGiven(c: ConfigPems | undefined): boolean {
  return !!c && (has(c.caCert) || has(c.caKey) || has(c.cert) || has(c.key));
}

/** Interpret config PEMs; verifies key match, CA flag, policy, chain (when a CA cert is given). */
export async function readConfigPems(c: ConfigPems, now: Date, crypto: CryptoImpl = defaultCrypto): Promise<ConfigMode> {
  if (has(c.cert) || has(c.key)) {
    if (!has(c.cert) || !has(c.key)) return { mode: 'invalid', reason: 'config: give both a certificate and its key' };
    if (has(c.caCert)) {
      const v = await verifyCertificate({ certificate: c.cert, key: c.key, trusted: c.caCert, now }, crypto);
      if (!v.ok) return { mode: 'invalid', reason: `config certificate: ${v.reason}` };
      return { mode: 'leaf', cert: v.certificate, key: PrivateKey.fromPem(c.key), anchor: v.anchor.pem };
    }
    // No CA given (e.g. a publicly trusted or self-signed certificate): everything but the
    // chain is checked; the last certificate of the bundle is what peers are told to trust.
    const bundle = splitCertificatePems(c.cert);
    const leaf = Certificate.parse(bundle[0] ?? '');
    if (!leaf.ok) return { mode: 'invalid', reason: `config certificate: ${leaf.reason}` };
    const key = PrivateKey.parse(c.key);
    if (!key.ok) return { mode: 'invalid', reason: `config key: ${key.reason}` };
    const problem = !key.key.matchesSpki(leaf.certificate.publicKeySpki) ? 'the key does not match the certificate'
      : !leaf.certificate.isValidAt(now) ? `it is outside its validity window (${leaf.certificate.notBefore.toISOString()} to ${leaf.certificate.notAfter.toISOString()})`
        : certificatePolicyViolation(leaf.certificate, 'leaf');
    if (problem) return { mode: 'invalid', reason: `config certificate: ${problem}` };
    return { mode: 'leaf', cert: leaf.certificate, key: key.key, anchor: bundle[bundle.length - 1] as string };
  }
  if (!has(c.caCert) || !has(c.caKey)) return { mode: 'invalid', reason: 'config: give both a CA certificate and the CA key (or a certificate and key)' };
  const loaded = CertificateAuthority.load(c.caCert, c.caKey);
  if (!loaded.ok) return { mode: 'invalid', reason: `config CA: ${loaded.reason}` };
  if (!loaded.ca.certificate.isValidAt(now)) return { mode: 'invalid', reason: `config CA is outside its validity window (${loaded.ca.certificate.notBefore.toISOString()} to ${loaded.ca.certificate.notAfter.toISOString()})` };
  return { mode: 'ca', ca: loaded.ca };
}

function sameSans(a: SubjectAltNames, b: SubjectAltNames): boolean {
  const key = (s: SubjectAltNames): string => JSON.stringify([[...s.dns].sort(), [...s.ip].sort()]);
  return key(a) === key(b);
}

/**
 * Why a certificate (or CSR) no longer fits its spec, if it does not. `exact` for what we
 * issue ourselves; `covers` for what an external CA issued, which may add SANs or usages or
 * rewrite the CN (requiring equality there would re-request forever).
 */
export function specMismatch(
  have: { sans: SubjectAltNames; usage: LeafUsage | undefined; commonName: string | undefined },
  spec: LeafSpec,
  mode: 'exact' | 'covers' = 'exact',
): string | undefined {
  const want = classifySubjectAltNames(spec.sans ?? []);
  if (mode === 'exact') {
    if (!sameSans(have.sans, want)) return 'addresses changed';
    if (have.usage !== spec.usage) return `usage changed to ${spec.usage}`;
    if (spec.commonName !== undefined && have.commonName !== spec.commonName) return 'common name changed';
    return undefined;
  }
  if (!want.dns.every((d) => have.sans.dns.includes(d)) || !want.ip.every((i) => have.sans.ip.includes(i))) return 'addresses changed';
  if (!usageCovers(have.usage, spec.usage)) return `usage changed to ${spec.usage}`;
  return undefined;
}

async function storedLeafProblem(stored: StoredLeaf, spec: LeafSpec, rootPem: string | undefined, now: Date, fraction: number, crypto: CryptoImpl): Promise<string | undefined> {
  const v = await verifyCertificate({ certificate: stored.certPem, key: stored.keyPem, trusted: rootPem ?? stored.caPem, now }, crypto);
  if (!v.ok) return v.code === 'untrusted' || v.code === 'bad-signature' ? 'CA changed' : `stored certificate unusable: ${v.reason}`;
  if (needsRenewal(v.certificate, now, fraction)) return 'renewal due';
  const c = v.certificate;
  return specMismatch({ sans: c.subjectAltNames, usage: usageFromEku(c.extendedKeyUsage), commonName: c.commonName }, spec, stored.source === 'relation' ? 'covers' : 'exact');
}

export async function planTls(input: PlanInput, crypto: CryptoImpl = defaultCrypto): Promise<TlsPlan> {
  const now = input.now ?? new Date();
  const fraction = input.renewFraction ?? DEFAULT_RENEW_FRACTION;
  const leavesIn = input.state.leaves ?? {};
  const remove = Object.keys(leavesIn).filter((n) => !input.wanted.some((w) => w.name === n));
  const problems: string[] = [];
  const done = (p: Omit<TlsPlan, 'remove' | 'problems' | 'changes'>): TlsPlan => ({
    ...p, remove, problems,
    changes: p.ca === 'create' || p.ca === 'stage' || p.ca === 'activate' || remove.length > 0 || p.leaves.some((a) => a.kind !== 'keep' && a.kind !== 'wait'),
  });

  // (1) tls-certificates relation.
  if (input.relation) {
    const leaves: LeafAction[] = [];
    for (const spec of input.wanted) {
      const stored = leavesIn[spec.name];
      const pending = input.state.pending?.[spec.name];
      let reason: string | undefined;
      if (!stored) reason = 'no certificate yet';
      else if (stored.source !== 'relation') reason = `CA source changed from ${stored.source} to relation`;
      else reason = await storedLeafProblem(stored, spec, undefined, now, fraction, crypto);
      if (!reason) { leaves.push({ kind: 'keep', leaf: spec.name }); continue; }
      const csr = pending ? CertificateRequest.parse(pending.csrPem) : undefined;
      const csrStale = csr?.ok ? specMismatch({ sans: csr.csr.subjectAltNames, usage: csr.csr.requestedUsage, commonName: csr.csr.commonName }, spec) : 'no usable CSR';
      if (!pending || csrStale) { leaves.push({ kind: 'request', leaf: spec.name, reason: pending ? `pending CSR stale: ${csrStale}` : reason }); continue; }
      const entry = findCertificateForCsr(input.relation.certificates, pending.csrPem);
      if (!entry) { leaves.push({ kind: 'wait', leaf: spec.name, reason: `waiting for the CA to sign (${reason})` }); continue; }
      const v = await verifyProviderCertificate(entry, { csr: pending.csrPem, key: pending.keyPem, usage: spec.usage, names: spec.sans, now }, crypto);
      if (v.ok && !needsRenewal(v.certificate, now, fraction)) { leaves.push({ kind: 'install', leaf: spec.name, entry }); continue; }
      if (v.ok) { leaves.push({ kind: 'request', leaf: spec.name, reason: 'certificate from the CA is already due for renewal' }); continue; }
      problems.push(`${spec.name}: certificate from the CA rejected: ${v.reason}`);
      leaves.push({ kind: 'wait', leaf: spec.name, reason: `certificate from the CA rejected: ${v.reason}` });
    }
    return done({ source: 'relation', ca: 'none', leaves });
  }

  // (2) config PEMs.
  if (configGiven(input.config)) {
    const cfg = await readConfigPems(input.config as ConfigPems, now, crypto);
    if (cfg.mode === 'invalid') return done({ source: 'config', ca: 'none', leaves: input.wanted.map((w) => ({ kind: 'keep', leaf: w.name })), blocked: cfg.reason });
    const leaves: LeafAction[] = [];
    for (const spec of input.wanted) {
      const stored = leavesIn[spec.name];
      if (cfg.mode === 'leaf') {
        const fits = usageCovers(usageFromEku(cfg.cert.extendedKeyUsage), spec.usage);
        if (!fits) return done({ source: 'config', ca: 'none', leaves: input.wanted.map((w) => ({ kind: 'keep', leaf: w.name })), blocked: `config certificate lacks ${spec.usage} usage needed for ${spec.name}` });
        const same = stored && stored.source === 'config' && Certificate.parse(stored.certPem).ok && (Certificate.fromPem(stored.certPem).equals(cfg.cert)) && stored.keyPem.trim() === cfg.key.pem.trim();
        leaves.push(same ? { kind: 'keep', leaf: spec.name } : { kind: 'use-config', leaf: spec.name, reason: stored ? 'config certificate changed' : 'no certificate yet' });
        continue;
      }
      let reason: string | undefined;
      if (!stored) reason = 'no certificate yet';
      else if (stored.source !== 'config') reason = `CA source changed from ${stored.source} to config`;
      else reason = await storedLeafProblem(stored, spec, cfg.ca.root.pem, now, fraction, crypto);
      leaves.push(reason ? { kind: 'issue', leaf: spec.name, reason } : { kind: 'keep', leaf: spec.name });
    }
    return done({ source: 'config', ca: 'none', leaves });
  }

  // (3) self-signed CA, rotated in two phases: 'stage' (leader makes the next CA, everyone
  // trusts it) then, after `stageGrace`, 'activate' (it signs; leaves are re-issued).
  const caState = selfSignedCaAction(input, now, fraction);
  if (caState.blocked) {
    return done({ source: 'self-signed', ca: 'none', leaves: input.wanted.map((w) => ({ kind: 'wait', leaf: w.name, reason: caState.blocked as string })), blocked: caState.blocked });
  }
  const leaves: LeafAction[] = [];
  for (const spec of input.wanted) {
    const stored = leavesIn[spec.name];
    let reason: string | undefined;
    if (caState.ca === 'create' || caState.ca === 'activate') reason = `CA ${caState.ca === 'create' ? 'created' : 'rotated'}`;
    else if (!stored) reason = 'no certificate yet';
    else if (stored.source !== 'self-signed') reason = `CA source changed from ${stored.source} to self-signed`;
    else reason = await storedLeafProblem(stored, spec, caState.root, now, fraction, crypto);
    leaves.push(reason ? { kind: 'issue', leaf: spec.name, reason } : { kind: 'keep', leaf: spec.name });
  }
  return done({ source: 'self-signed', ca: caState.ca, ...(caState.reason ? { caReason: caState.reason } : {}), leaves });
}

/** Default time between staging the next self-signed CA and signing with it. */
export const DEFAULT_STAGE_GRACE = { days: 1 } as const;

function selfSignedCaAction(input: PlanInput, now: Date, fraction: number): { ca: CaAction; reason?: string; root?: string; blocked?: string } {
  const stored = input.state.selfSignedCa;
  const loaded = stored ? CertificateAuthority.load(stored.certPem, stored.keyPem) : undefined;
  const current = loaded?.ok ? loaded.ca.certificate : undefined;
  const usable = current !== undefined && current.isValidAt(now);
  const nextPem = input.state.nextSelfSignedCa;
  const next = nextPem ? CertificateAuthority.load(nextPem.certPem, nextPem.keyPem) : undefined;
  const nextUsable = next?.ok === true && next.ca.certificate.isValidAt(now);
  const graceMs = durationMs(input.stageGrace ?? DEFAULT_STAGE_GRACE, 'stageGrace');
  if (!input.isLeader) {
    // Followers never change the CA; they use what the leader stored (an app-owned secret).
    return usable ? { ca: 'keep', root: current.pem } : { ca: 'none', blocked: 'waiting for the leader to create the CA' };
  }
  if (!usable) {
    if (nextUsable) return { ca: 'activate', reason: current ? 'CA expired; activating the staged CA' : 'stored CA unusable; activating the staged CA' };
    const why = !stored ? 'no CA yet' : !loaded?.ok ? `stored CA unusable: ${loaded?.ok === false ? loaded.reason : ''}` : 'CA expired';
    return { ca: 'create', reason: why };
  }
  if (nextUsable && next?.ok) {
    const stagedFor = now.getTime() - next.ca.certificate.notBefore.getTime();
    // notBefore is backdated by `backdate`; grace is measured from it, a small, safe slack.
    if (stagedFor >= graceMs) return { ca: 'activate', reason: 'staged CA trusted for the grace period' };
    return { ca: 'keep', root: current.pem };
  }
  if (needsRenewal(current, now, fraction)) return { ca: 'stage', reason: nextPem ? 'staged CA unusable; staging a new one' : 'CA renewal due', root: current.pem };
  return { ca: 'keep', root: current.pem };
}

/** No EKU extension means any usage (RFC 5280 §4.2.1.12); 'both' covers either. */
function usageCovers(have: LeafUsage | undefined, want: LeafUsage): boolean {
  if (have === undefined || have === 'both') return true;
  return have === want;
}
