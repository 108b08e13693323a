/**
 * Where each part of `TlsState` belongs (design.md "Secrets"): the self-signed CA (current and
 * staged) is app-scoped, so every unit and every future leader uses the same CA; only the
 * leader writes it. Leaves, pending CSR keys and each unit's trust bundle are unit-scoped.
 * All values are strings, so each part serialises as JSON into one secret.
 */
import type { TlsState } from './plan.ts';

export type AppTlsState = Pick<TlsState, 'selfSignedCa' | 'nextSelfSignedCa'>;
export type UnitTlsState = Pick<TlsState, 'leaves' | 'pending' | 'trust'>;

export function appTlsState(s: TlsState): AppTlsState {
  return { ...(s.selfSignedCa ? { selfSignedCa: s.selfSignedCa } : {}), ...(s.nextSelfSignedCa ? { nextSelfSignedCa: s.nextSelfSignedCa } : {}) };
}

export function unitTlsState(s: TlsState): UnitTlsState {
  return { ...(s.leaves ? { leaves: s.leaves } : {}), ...(s.pending ? { pending: s.pending } : {}), ...(s.trust ? { trust: s.trust } : {}) };
}

/** Recombine what the caller read from its app and unit secrets. */
export function mergeTlsState(app: AppTlsState | undefined, unit: UnitTlsState | undefined): TlsState {
  return { ...(unit ?? {}), ...appTlsState(app ?? {}) };
}
