/**
 * `tls-certificates` v1 interface data (design.md "Interfaces"): the crypto and matching
 * logic. Relation data values are strings, so both lists travel JSON-encoded:
 *
 * - requirer unit databag `certificate_signing_requests`: `[{certificate_signing_request, ca?}]`
 * - provider app databag `certificates`: `[{certificate_signing_request, certificate, ca, chain}]`
 *
 * Entries are matched by CSR DER (whitespace/line-length differences in PEM do not matter).
 * The JSON Schemas for these databags live in lib/relations.
 */
import { defaultCrypto, type CryptoImpl } from './provider.ts';
import { CertificateRequest } from './csr.ts';
import type { PrivateKey } from './keys.ts';
import type { CertificateAuthority } from './ca.ts';
import { IssuedCertificate, type LeafIssueParams } from './issued.ts';
import { verifyCertificate, type VerifyResult } from './verify.ts';
import type { LeafUsage } from './extensions.ts';
import type { TlsPolicy } from './policy.ts';

export const CSR_LIST_KEY = 'certificate_signing_requests';
export const CERTIFICATES_KEY = 'certificates';

export interface CsrRequestEntry {
  readonly certificate_signing_request: string;
  /** True when the requester asks for a CA certificate (v1 optional field). */
  readonly ca?: boolean;
}

export interface ProviderCertificateEntry {
  readonly certificate_signing_request: string;
  readonly certificate: string;
  readonly ca: string;
  readonly chain: readonly string[];
}

export type ParseResult<T> = { readonly ok: true; readonly entries: T[] } | { readonly ok: false; readonly reason: string };

/** JSON value for the requirer's `certificate_signing_requests` key. */
export function buildCsrRequests(csrs: readonly (string | CertificateRequest | CsrRequestEntry)[]): string {
  const entries = csrs.map((c): CsrRequestEntry => {
    if (c instanceof CertificateRequest) return { certificate_signing_request: c.pem.trim(), ca: false };
    if (typeof c === 'string') return { certificate_signing_request: CertificateRequest.fromPem(c).pem.trim(), ca: false };
    return { certificate_signing_request: CertificateRequest.fromPem(c.certificate_signing_request).pem.trim(), ca: c.ca ?? false };
  });
  return JSON.stringify(entries);
}

function parseJsonList(raw: unknown, key: string): unknown[] | string {
  if (raw === undefined || raw === null || raw === '') return [];
  if (typeof raw !== 'string') return `${key} must be a JSON string`;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return `${key} is not valid JSON`;
  }
  return Array.isArray(v) ? v : `${key} must be a JSON list`;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse the requirer's list (provider side). Absent/empty means no requests. */
export function parseCsrRequests(raw: unknown): ParseResult<CsrRequestEntry> {
  const list = parseJsonList(raw, CSR_LIST_KEY);
  if (typeof list === 'string') return { ok: false, reason: list };
  const entries: CsrRequestEntry[] = [];
  for (const [i, e] of list.entries()) {
    if (!isObj(e) || typeof e.certificate_signing_request !== 'string') return { ok: false, reason: `${CSR_LIST_KEY}[${i}] lacks a certificate_signing_request string` };
    if (e.ca !== undefined && typeof e.ca !== 'boolean') return { ok: false, reason: `${CSR_LIST_KEY}[${i}].ca must be a boolean` };
    entries.push(e.ca === undefined ? { certificate_signing_request: e.certificate_signing_request } : { certificate_signing_request: e.certificate_signing_request, ca: e.ca });
  }
  return { ok: true, entries };
}

/** JSON value for the provider's `certificates` key. */
export function buildProviderCertificates(entries: readonly ProviderCertificateEntry[]): string {
  return JSON.stringify(entries.map((e) => ({
    certificate_signing_request: e.certificate_signing_request.trim(),
    certificate: e.certificate.trim(),
    ca: e.ca.trim(),
    chain: e.chain.map((c) => c.trim()),
  })));
}

/** Parse the provider's list (requirer side). */
export function parseProviderCertificates(raw: unknown): ParseResult<ProviderCertificateEntry> {
  const list = parseJsonList(raw, CERTIFICATES_KEY);
  if (typeof list === 'string') return { ok: false, reason: list };
  const entries: ProviderCertificateEntry[] = [];
  for (const [i, e] of list.entries()) {
    if (!isObj(e)) return { ok: false, reason: `${CERTIFICATES_KEY}[${i}] is not an object` };
    for (const f of ['certificate_signing_request', 'certificate', 'ca'] as const) {
      if (typeof e[f] !== 'string') return { ok: false, reason: `${CERTIFICATES_KEY}[${i}].${f} must be a string` };
    }
    const chain = e.chain ?? [];
    if (!Array.isArray(chain) || !chain.every((c) => typeof c === 'string')) return { ok: false, reason: `${CERTIFICATES_KEY}[${i}].chain must be a list of strings` };
    entries.push({
      certificate_signing_request: e.certificate_signing_request as string,
      certificate: e.certificate as string,
      ca: e.ca as string,
      chain: chain as string[],
    });
  }
  return { ok: true, entries };
}

function sameCsr(a: string, b: CertificateRequest): boolean {
  const p = CertificateRequest.parse(a);
  return p.ok && p.csr.equals(b);
}

/** The provider entry answering `csr`, matched by CSR DER. */
export function findCertificateForCsr(entries: readonly ProviderCertificateEntry[], csr: string | CertificateRequest): ProviderCertificateEntry | undefined {
  const want = typeof csr === 'string' ? CertificateRequest.parse(csr) : { ok: true as const, csr };
  if (!want.ok) return undefined;
  return entries.find((e) => sameCsr(e.certificate_signing_request, want.csr));
}

export interface ReceivedCheck {
  /** The CSR we sent. Required: the certificate must carry its public key. */
  readonly csr: string | CertificateRequest;
  /** Our private key for that CSR (belt and braces). */
  readonly key?: string | PrivateKey;
  /** A CA we already trust from this provider (pinning). Default: trust the entry's `ca`. */
  readonly expectedCa?: string;
  readonly usage?: LeafUsage;
  readonly names?: readonly string[];
  readonly now?: Date;
  readonly policy?: TlsPolicy;
}

/**
 * Verify a provider entry before using it: it answers our CSR, carries our key, chains
 * through `chain` to `ca` (and to `expectedCa` when pinned), is within its validity window
 * and meets policy. The `ca` itself must be a CA.
 */
export async function verifyProviderCertificate(entry: ProviderCertificateEntry, check: ReceivedCheck, crypto: CryptoImpl = defaultCrypto): Promise<VerifyResult> {
  const csr = typeof check.csr === 'string' ? CertificateRequest.parse(check.csr) : { ok: true as const, csr: check.csr };
  if (!csr.ok) return { ok: false, code: 'parse', reason: `our CSR: ${csr.reason}` };
  if (!sameCsr(entry.certificate_signing_request, csr.csr)) return { ok: false, code: 'csr-mismatch', reason: 'the entry answers a different CSR' };
  const common = { now: check.now, usage: check.usage, names: check.names, policy: check.policy } as const;
  const caCheck = await verifyCertificate({ certificate: entry.ca, trusted: check.expectedCa ?? entry.ca, chain: entry.chain.filter((c) => c.trim() !== entry.ca.trim()), role: 'ca', now: check.now, policy: check.policy }, crypto);
  if (!caCheck.ok) return { ok: false, code: caCheck.code, reason: `provider CA: ${caCheck.reason}` };
  return verifyCertificate({ certificate: entry.certificate, chain: [...entry.chain], trusted: entry.ca, csr: csr.csr, key: check.key, ...common }, crypto);
}

export interface SignedAnswer {
  readonly entries: ProviderCertificateEntry[];
  /** Requests we refused, with a reason (for the provider's status or log). */
  readonly rejected: { readonly csr: string; readonly reason: string }[];
}

/**
 * Provider side (our self-signed path, or a test CA charm): sign every CSR request, reusing
 * `existing` answers that still verify (so re-running a hook changes nothing). Requests for
 * CA certificates are refused.
 */
export async function answerCsrRequests(
  ca: CertificateAuthority,
  requests: readonly CsrRequestEntry[],
  opts: { existing?: readonly ProviderCertificateEntry[]; issue?: Omit<LeafIssueParams, 'csr' | 'key'>; now?: Date } = {},
  crypto: CryptoImpl = defaultCrypto,
): Promise<SignedAnswer> {
  const entries: ProviderCertificateEntry[] = [];
  const rejected: { csr: string; reason: string }[] = [];
  for (const r of requests) {
    const csr = CertificateRequest.parse(r.certificate_signing_request);
    if (!csr.ok) { rejected.push({ csr: r.certificate_signing_request, reason: csr.reason }); continue; }
    if (r.ca) { rejected.push({ csr: r.certificate_signing_request, reason: 'CA certificates are not issued' }); continue; }
    const prior = opts.existing && findCertificateForCsr(opts.existing, csr.csr);
    if (prior && prior.ca.trim() === ca.root.pem.trim()) {
      const still = await verifyCertificate({ certificate: prior.certificate, chain: [...prior.chain], trusted: ca.root, csr: csr.csr, now: opts.now }, crypto);
      if (still.ok) { entries.push(prior); continue; }
    }
    try {
      const issued = await IssuedCertificate.create({ ...opts.issue, now: opts.issue?.now ?? opts.now, csr: csr.csr, ca }, crypto);
      entries.push({ certificate_signing_request: r.certificate_signing_request, certificate: issued.certPem, ca: issued.caPem, chain: issued.chainPems });
    } catch (e) {
      rejected.push({ csr: r.certificate_signing_request, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  return { entries, rejected };
}
