/**
 * The fast path of reconcileCertificates: a digest of every input the planner reads, and the
 * earliest time the plan could change by itself. Only `dueTime` needs lib/tls (passed in,
 * already loaded by the full run).
 */
import type * as TlsBarrel from '../tls/index.ts';
import type { DerivedMemo } from '../juju/dispatch.ts';
import type { CaSourceKind, ConfigPems, TlsState } from '../tls/plan.ts';
import type { CertificatesOptions } from './certificates.ts';
import type { CharmKit } from './kit.ts';

/** lib/tls as loaded lazily (type only: nothing is imported at module load). */
export type TlsModule = typeof TlsBarrel;

const has = (v: string | undefined): boolean => typeof v === 'string' && v.trim() !== '';
/** Same test as lib/tls `configGiven`, without loading lib/tls. */
export function configPresent(c: ConfigPems | undefined): boolean {
  return !!c && (has(c.caCert) || has(c.caKey) || has(c.cert) || has(c.key));
}

/** The provider's raw answer on the tls-certificates relation ('' when none), or undefined without a relation. */
export function rawRelationInput(kit: CharmKit, endpoint: string): string | undefined {
  const relation = kit.relations.all(endpoint)[0];
  if (!relation) return undefined;
  return relation.remoteAppBag.get('certificates') ?? '';
}

/** ctx.memo key prefix: the last inputs text and its digest, per certificates endpoint. */
export const INPUTS_MEMO_PREFIX = 'charmkit.certificates.inputs';
/** Longer inputs (a tls-certificates provider's answer grows with the units it serves) are hashed rather than kept twice in the hook memory. */
export const INPUTS_MEMO_MAX = 64 * 1024;

/** SHA-256 hex of the text's UTF-8 bytes; node:crypto loaded at call time (~8 ms, issue 8). */
export function sha256Hex(text: string): string {
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(text).digest('hex');
}

const hasKeyMaterial = (c: ConfigPems | undefined): boolean => !!c && (has(c.caKey) || has(c.key));

/**
 * SHA-256 over everything the planner reads besides the stored state and the clock. Every
 * reconcile needs it, and hashing means loading node:crypto (~8 ms, issue 8), so the text and
 * its digest are kept in `memo` (ctx.memo) and an unchanged text is not hashed again. Never
 * when the operator's config holds a private key (the memo is not for secrets: the stored
 * digest is one-way, the text is not), nor for texts over INPUTS_MEMO_MAX.
 */
export function inputsDigest(options: CertificatesOptions, leader: boolean, ca: Readonly<Record<string, string>> | undefined, relationRaw: string | undefined, memo?: Pick<DerivedMemo, 'get' | 'set'>): string {
  const material = JSON.stringify([
    options.leaves, options.config ?? null, options.prefer ?? 'relation', options.caKey ?? null, options.leafKey ?? null,
    options.caCommonName ?? null, options.caValidity ?? null, options.leafValidity ?? null, options.renewFraction ?? null,
    // The CA's certificates only (a new CA key always comes with a new certificate). The
    // operator's config key is in `options.config`: a one-way SHA-256 digest reveals nothing.
    leader, ca ? [ca['cert'] ?? '', ca['next-cert'] ?? ''] : null, relationRaw ?? null,
  ]);
  const key = memo && !hasKeyMaterial(options.config) && material.length <= INPUTS_MEMO_MAX ? `${INPUTS_MEMO_PREFIX}.${options.endpoint ?? ''}` : undefined;
  const kept = key ? memo?.get(key) : undefined;
  // `<64 hex digits> <text>`
  if (kept && kept.charCodeAt(64) === 32 && kept.slice(65) === material) return kept.slice(0, 64);
  const digest = sha256Hex(material);
  if (key) memo?.set(key, `${digest} ${material}`);
  return digest;
}

/** The earliest time the plan could change by itself: leaf or CA renewal, staged-CA activation, trust pruning. */
export function dueTime(tls: TlsModule, state: TlsState, source: CaSourceKind, leader: boolean, options: CertificatesOptions): number {
  const fraction = options.renewFraction ?? tls.DEFAULT_RENEW_FRACTION;
  const times: number[] = [];
  for (const l of Object.values(state.leaves ?? {})) times.push(tls.renewalTime(tls.splitCertificatePems(l.certPem)[0] ?? l.certPem, fraction).getTime());
  if (source === 'self-signed' && state.selfSignedCa) {
    const ca = tls.Certificate.fromPem(state.selfSignedCa.certPem);
    times.push(leader ? tls.renewalTime(ca, fraction).getTime() : ca.notAfter.getTime());
    if (state.nextSelfSignedCa) times.push(tls.Certificate.fromPem(state.nextSelfSignedCa.certPem).notBefore.getTime() + 24 * 3600_000);
  }
  const trust = state.trust ? tls.nextTrustBundleChange(state.trust) : undefined;
  if (trust) times.push(trust.getTime());
  return times.length ? Math.min(...times) : 0;
}

