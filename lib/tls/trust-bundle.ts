/**
 * CA rotation model: the set of CAs a workload trusts. After a rotation the old CA stays in
 * the bundle until the last leaf it signed has expired, so peers holding old leaves keep
 * connecting while they renew (issue 5). Pure functions over plain JSON state: the caller
 * stores the state (e.g. in the app secret next to the CA) and writes `trustBundlePem`.
 */
import { Certificate } from './certificate.ts';
import { joinPems } from './pem.ts';
import { durationMs, type Duration } from './duration.ts';

export interface RetiredCa {
  readonly pem: string;
  /** ISO time after which no leaf signed by this CA is valid any more. */
  readonly keepUntil: string;
}

export interface TrustBundleState {
  /** The CA that signs new leaves, PEM. */
  readonly current: string;
  /**
   * The next CA, already trusted but not signing yet. Rotation is two-phase so that every
   * peer trusts the new CA before any leaf signed by it is presented (trust before use).
   */
  readonly staged?: string;
  /** Previous CAs still trusted, oldest first. */
  readonly retired: readonly RetiredCa[];
}

export interface RotateOptions {
  readonly now?: Date;
  /**
   * Every leaf the old CA signed that may still be in use (ours and peers'): it is kept until
   * the last one expires. Ignored when `leafValidity` is given.
   */
  readonly leaves?: readonly (string | Certificate)[];
  /**
   * Longest leaf lifetime the old CA issued (e.g. the configured leaf validity). Bounds how
   * long it is kept when leaves signed by it may exist that we were not told about. Default:
   * none, i.e. until the old CA itself expires (our leaves never outlive their CA, ca.ts).
   */
  readonly leafValidity?: Duration;
}

export function newTrustBundle(caPem: string): TrustBundleState {
  return { current: Certificate.fromPem(caPem).pem, retired: [] };
}

function signedBy(leaf: Certificate, ca: Certificate): boolean {
  // Name + key-id match is enough here: this only decides how long we keep trusting our own
  // old CA, not whether to trust a certificate (verify.ts checks signatures).
  return leaf.issuerNameMatches(ca) && (leaf.authorityKeyId === undefined || leaf.authorityKeyId === ca.subjectKeyId);
}

/** How long an old CA must stay trusted. */
export function retentionEnd(ca: Certificate, opts: RotateOptions = {}): Date {
  const now = opts.now ?? new Date();
  let end = ca.notAfter;
  if (opts.leafValidity) {
    const bound = new Date(now.getTime() + durationMs(opts.leafValidity, 'leafValidity'));
    if (bound < end) end = bound;
  }
  if (opts.leaves && !opts.leafValidity) {
    const mine = opts.leaves
      .map((l) => (l instanceof Certificate ? l : Certificate.parse(l)))
      .map((p) => (p instanceof Certificate ? p : p.ok ? p.certificate : undefined))
      .filter((c): c is Certificate => c !== undefined && signedBy(c, ca));
    if (mine.length) end = new Date(Math.max(...mine.map((c) => c.notAfter.getTime())));
    else end = now;
  }
  return end;
}

/** Phase 1 of a rotation: trust `nextCaPem` alongside the current CA. */
export function stageCa(state: TrustBundleState, nextCaPem: string): TrustBundleState {
  const next = Certificate.fromPem(nextCaPem);
  if (next.equals(Certificate.fromPem(state.current))) return state;
  if (state.staged && Certificate.fromPem(state.staged).equals(next)) return state;
  return { ...state, staged: next.pem };
}

/**
 * Phase 2 (or a one-step switch, e.g. to an external CA): make `newCaPem` current and retire the previous one (kept per `retentionEnd`). Rotating
 * back to a retired CA (e.g. external -> self-signed -> external) revives it. No-op when
 * `newCaPem` is already current.
 */
export function rotateCa(state: TrustBundleState, newCaPem: string, opts: RotateOptions = {}): TrustBundleState {
  const next = Certificate.fromPem(newCaPem);
  const old = Certificate.fromPem(state.current);
  if (next.equals(old)) return state;
  const keepUntil = retentionEnd(old, opts).toISOString();
  const retired = state.retired.filter((r) => !Certificate.fromPem(r.pem).equals(next) && !Certificate.fromPem(r.pem).equals(old));
  const staged = state.staged && !Certificate.fromPem(state.staged).equals(next) ? { staged: state.staged } : {};
  return pruneTrustBundle({ current: next.pem, ...staged, retired: [...retired, { pem: old.pem, keepUntil }] }, opts.now);
}

/** Drop retired CAs whose last leaf has expired. */
export function pruneTrustBundle(state: TrustBundleState, now: Date = new Date()): TrustBundleState {
  const retired = state.retired.filter((r) => new Date(r.keepUntil).getTime() >= now.getTime());
  return retired.length === state.retired.length ? state : { ...state, retired };
}

/** CAs to trust right now: current first, then the staged one, then retired ones still needed. */
export function trustedCas(state: TrustBundleState, now: Date = new Date()): string[] {
  return [state.current, ...(state.staged ? [state.staged] : []), ...pruneTrustBundle(state, now).retired.map((r) => r.pem)];
}

/** PEM bundle for the workload's CA file. */
export function trustBundlePem(state: TrustBundleState, now: Date = new Date()): string {
  return joinPems(trustedCas(state, now));
}

/** The earliest time the bundle will change by itself (when to re-run reconcile), if any. */
export function nextTrustBundleChange(state: TrustBundleState): Date | undefined {
  const t = state.retired.map((r) => new Date(r.keepUntil).getTime());
  return t.length ? new Date(Math.min(...t)) : undefined;
}
