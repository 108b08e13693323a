/**
 * Verify what we receive (issue 5): chain to the expected CA(s), key match, validity window,
 * policy, usage and names. Returns a result with a code and a clear reason; never throws,
 * whatever the input (a failure becomes a status message, not a crashed hook).
 */
import { defaultCrypto, type CryptoImpl } from './provider.ts';
import { Certificate } from './certificate.ts';
import { CertificateRequest } from './csr.ts';
import { PrivateKey } from './keys.ts';
import { pemBlocks, derToPem } from './pem.ts';
import { certificatePolicyViolation, DEFAULT_POLICY, type TlsPolicy, type CertificateRole } from './policy.ts';
import { ekuFor, type LeafUsage } from './extensions.ts';
import { EKU_OIDS } from './certificate.ts';
import { classifySubjectAltNames } from './names.ts';

export type VerifyFailureCode =
  | 'parse' | 'policy' | 'key-mismatch' | 'csr-mismatch' | 'not-yet-valid' | 'expired'
  | 'untrusted' | 'bad-signature' | 'usage' | 'names' | 'internal';

export type VerifyResult =
  | { readonly ok: true; readonly certificate: Certificate; readonly path: readonly Certificate[]; readonly anchor: Certificate }
  | { readonly ok: false; readonly code: VerifyFailureCode; readonly reason: string };

type CertInput = string | Certificate;

export interface VerifyParams {
  /** The certificate to check; a PEM bundle is read as leaf followed by intermediates. */
  readonly certificate: CertInput;
  /** Intermediates (PEM bundle or list). The leaf or the root may appear too; they are ignored. */
  readonly chain?: string | readonly CertInput[];
  /** Trust anchors: the expected CA, or a trust bundle (old + new CA during rotation). */
  readonly trusted: CertInput | readonly CertInput[];
  /** Our private key: the certificate must carry its public half. */
  readonly key?: string | PrivateKey;
  /** The CSR we sent: the certificate must carry its public key. */
  readonly csr?: string | CertificateRequest;
  /** Clock. Default: the real clock. */
  readonly now?: Date;
  /** Required ExtendedKeyUsage ('both' requires serverAuth and clientAuth). Default: not checked. */
  readonly usage?: LeafUsage;
  /** Addresses/hostnames the certificate must cover as SANs. Default: not checked. */
  readonly names?: readonly string[];
  /** 'leaf' (default) rejects CA certificates; 'ca' requires one. */
  readonly role?: CertificateRole;
  readonly policy?: TlsPolicy;
}

const MAX_DEPTH = 8;

function fail(code: VerifyFailureCode, reason: string): VerifyResult {
  return { ok: false, code, reason };
}

function label(c: Certificate): string {
  return `"${c.commonName ?? c.subject}"`;
}

/** Parse a list or bundle of certificates; returns a reason on the first bad one. */
export function parseCertificates(input: string | readonly CertInput[] | undefined, what: string): Certificate[] | string {
  if (input === undefined) return [];
  const items: CertInput[] = [];
  if (typeof input === 'string') {
    const blocks = pemBlocks(input).filter((b) => b.label === 'CERTIFICATE');
    if (blocks.length === 0) return `${what}: no PEM certificate found`;
    for (const b of blocks) items.push(derToPem(b.der, 'CERTIFICATE'));
  } else if (Array.isArray(input)) {
    items.push(...input);
  } else {
    return `${what}: expected PEM text or a list of certificates`;
  }
  const out: Certificate[] = [];
  for (const [i, item] of items.entries()) {
    if (item instanceof Certificate) { out.push(item); continue; }
    const p = Certificate.parse(item);
    if (!p.ok) return `${what}${items.length > 1 ? ` #${i + 1}` : ''}: ${p.reason}`;
    out.push(p.certificate);
  }
  return out;
}

function windowFailure(c: Certificate, now: Date, who: string): VerifyResult | undefined {
  if (now < c.notBefore) return fail('not-yet-valid', `${who} ${label(c)} is not valid until ${c.notBefore.toISOString()}`);
  if (now > c.notAfter) return fail('expired', `${who} ${label(c)} expired at ${c.notAfter.toISOString()}`);
  return undefined;
}

export async function verifyCertificate(params: VerifyParams, crypto: CryptoImpl = defaultCrypto): Promise<VerifyResult> {
  try {
    return await verifyInner(params, crypto);
  } catch (e) {
    return fail('internal', `verification failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function verifyInner(p: VerifyParams, crypto: CryptoImpl): Promise<VerifyResult> {
  const now = p.now ?? new Date();
  const policy = p.policy ?? DEFAULT_POLICY;
  const role = p.role ?? 'leaf';

  const given = parseCertificates(p.certificate instanceof Certificate ? [p.certificate] : p.certificate, 'certificate');
  if (typeof given === 'string') return fail('parse', given);
  const [leaf, ...bundled] = given;
  if (!leaf) return fail('parse', 'certificate: no PEM certificate found');
  const extra = parseCertificates(p.chain, 'chain');
  if (typeof extra === 'string') return fail('parse', extra);
  const anchors = parseCertificates(p.trusted instanceof Certificate ? [p.trusted] : p.trusted, 'trusted CA');
  if (typeof anchors === 'string') return fail('parse', anchors);
  if (anchors.length === 0) return fail('parse', 'trusted CA: none given');

  if (p.key !== undefined) {
    const k = p.key instanceof PrivateKey ? { ok: true as const, key: p.key } : PrivateKey.parse(p.key);
    if (!k.ok) return fail('parse', `private key: ${k.reason}`);
    if (!k.key.matchesSpki(leaf.publicKeySpki)) return fail('key-mismatch', `certificate ${label(leaf)} does not match our private key`);
  }
  if (p.csr !== undefined) {
    const c = p.csr instanceof CertificateRequest ? { ok: true as const, csr: p.csr } : CertificateRequest.parse(p.csr);
    if (!c.ok) return fail('parse', `CSR: ${c.reason}`);
    if (!Buffer.from(c.csr.publicKeySpki).equals(Buffer.from(leaf.publicKeySpki))) {
      return fail('csr-mismatch', `certificate ${label(leaf)} does not carry the public key of our CSR`);
    }
  }

  const leafPolicy = certificatePolicyViolation(leaf, role, policy);
  if (leafPolicy) return fail('policy', leafPolicy);
  const w = windowFailure(leaf, now, 'certificate');
  if (w) return w;
  const u = usageAndNamesFailure(leaf, p.usage, p.names);
  if (u) return u;

  // Build the path leaf -> ... -> anchor. Candidates: intermediates given (not the leaf, not anchors).
  const pool = [...bundled, ...extra].filter((c) => !c.equals(leaf) && !anchors.some((a) => a.equals(c)));
  const path: Certificate[] = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const named = anchors.filter((a) => current.issuerNameMatches(a));
    for (const a of named) {
      if (await current.isSignedBy(a, crypto)) {
        const r = checkIssuer(a, path, now, policy);
        return r ?? { ok: true, certificate: leaf, path, anchor: a };
      }
    }
    const next = [];
    for (const c of pool.filter((c) => current.issuerNameMatches(c) && !path.includes(c))) {
      if (await current.isSignedBy(c, crypto)) next.push(c);
    }
    const parent = next[0];
    if (!parent) {
      if (named.length > 0) return fail('bad-signature', `${label(current)} names the trusted CA ${label(named[0] as Certificate)} as issuer but its signature does not verify against it`);
      return fail('untrusted', `${label(current)} (issuer "${current.issuer}") does not chain to the expected CA ${anchors.map(label).join(' or ')}`);
    }
    const r = checkIssuer(parent, path, now, policy);
    if (r) return r;
    path.push(parent);
    current = parent;
  }
  return fail('untrusted', `chain is longer than ${MAX_DEPTH} certificates`);
}

/** An issuer in the path must be a valid CA right now and allow this many CAs below it. */
function checkIssuer(issuer: Certificate, below: readonly Certificate[], now: Date, policy: TlsPolicy): VerifyResult | undefined {
  const v = certificatePolicyViolation(issuer, 'ca', policy);
  if (v) return fail('policy', v);
  const w = windowFailure(issuer, now, 'CA');
  if (w) return w;
  const pathLen = issuer.basicConstraints?.pathLength;
  const casBelow = below.slice(1).filter((c) => !c.isSelfIssued).length;
  if (pathLen !== undefined && casBelow > pathLen) {
    return fail('policy', `CA ${label(issuer)} allows ${pathLen} intermediate CA(s) below it, found ${casBelow}`);
  }
  return undefined;
}

/** Post-chain checks: EKU and SAN coverage. Split out so `verifyCertificate` reads top-down. */
export function usageAndNamesFailure(cert: Certificate, usage: LeafUsage | undefined, names: readonly string[] | undefined): VerifyResult | undefined {
  if (usage) {
    const eku = cert.extendedKeyUsage;
    const need = ekuFor(usage).map((o) => (o === EKU_OIDS.serverAuth ? 'serverAuth' : 'clientAuth'));
    const missing = eku === undefined ? [] : need.filter((n) => !eku.includes(n));
    if (missing.length) return fail('usage', `certificate ${label(cert)} lacks ExtendedKeyUsage ${missing.join(' and ')}`);
  }
  if (names && names.length) {
    let want;
    try {
      want = classifySubjectAltNames(names, 'names');
    } catch (e) {
      return fail('names', (e as Error).message);
    }
    const have = cert.subjectAltNames;
    const missing = [...want.dns.filter((d) => !have.dns.includes(d)), ...want.ip.filter((i) => !have.ip.includes(i))];
    if (missing.length) return fail('names', `certificate ${label(cert)} does not cover ${missing.join(', ')}`);
  }
  return undefined;
}
