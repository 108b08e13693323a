/**
 * Where lib/charmkit/certificates.ts keeps a unit's TLS material between hooks: the public part
 * (certificates, CSRs, trust bundle, fast-path memo) in unit state under `charmkit.tls`, the
 * keys in the unit secret `tls-keys`, the self-signed CA in the app secret `ca`. Pure
 * functions to read, join and split them; no tool call except `stateGet`, no x509.
 */
import type { HookTools } from '../juju/types.ts';
import type { CaSourceKind, PendingRequest, StoredLeaf, TlsState } from '../tls/plan.ts';
import type { TrustBundleState } from '../tls/trust-bundle.ts';

export const PUBLIC_STATE_KEY = 'charmkit.tls';

export interface PublicState {
  readonly leaves?: Record<string, { certPem: string; caPem: string; source: CaSourceKind }>;
  readonly pending?: Record<string, { csrPem: string }>;
  readonly trust?: TrustBundleState;
  readonly memo?: Memo;
}

/**
 * The fast path: after a healthy full run we remember a digest of every input the planner
 * reads and the earliest time anything becomes due by itself (leaf renewal, CA staging or
 * activation, trust-bundle pruning). A later hook with the same inputs before that time
 * returns the stored material without loading lib/tls (~100 ms of x509, tooling.md).
 */
export interface Memo {
  readonly inputs: string;
  /** ms since epoch; the full planner runs again from then on. */
  readonly until: number;
  readonly source: CaSourceKind;
  readonly trustPem?: string;
  readonly caPem?: string;
}

export function readPublic(tools: Pick<HookTools, 'stateGet'>, warn: (message: string) => void): PublicState {
  const raw = tools.stateGet()[PUBLIC_STATE_KEY];
  if (!raw) return {};
  try {
    return JSON.parse(raw) as PublicState;
  } catch {
    warn(`unit state "${PUBLIC_STATE_KEY}" is not JSON; starting TLS state afresh`);
    return {};
  }
}

/** The public part of what `reconcileCertificates` stored for this unit (no x509 load, no keys). */
export interface StoredCertificates {
  readonly leaves: Readonly<Record<string, { readonly certPem: string; readonly caPem: string; readonly source: CaSourceKind }>>;
  readonly trust?: TrustBundleState;
}

/** For actions such as `get-ca-certificate`: read the stored certificates without planning anything. */
export function storedCertificates(tools: Pick<HookTools, 'stateGet'>): StoredCertificates {
  const raw = tools.stateGet()[PUBLIC_STATE_KEY];
  if (!raw) return { leaves: {} };
  try {
    const p = JSON.parse(raw) as PublicState;
    return { leaves: p.leaves ?? {}, ...(p.trust ? { trust: p.trust } : {}) };
  } catch {
    return { leaves: {} };
  }
}

/** Join the unit's stored public state with its keys; drop entries whose key is missing. */
export function assemble(pub: PublicState, keys: Readonly<Record<string, string>>, ca: Readonly<Record<string, string>> | undefined): TlsState {
  const leaves: Record<string, StoredLeaf> = {};
  for (const [name, l] of Object.entries(pub.leaves ?? {})) {
    const keyPem = keys[`${name}-key`];
    if (keyPem) leaves[name] = { certPem: l.certPem, caPem: l.caPem, source: l.source, keyPem };
  }
  const pending: Record<string, PendingRequest> = {};
  for (const [name, p] of Object.entries(pub.pending ?? {})) {
    const keyPem = keys[`${name}-csr-key`];
    if (keyPem) pending[name] = { csrPem: p.csrPem, keyPem };
  }
  return {
    ...(ca?.cert && ca.key ? { selfSignedCa: { certPem: ca.cert, keyPem: ca.key } } : {}),
    ...(ca?.['next-cert'] && ca['next-key'] ? { nextSelfSignedCa: { certPem: ca['next-cert'], keyPem: ca['next-key'] } } : {}),
    leaves,
    pending,
    ...(pub.trust ? { trust: pub.trust } : {}),
  };
}

export function split(state: TlsState): { pub: PublicState; keys: Record<string, string> } {
  const keys: Record<string, string> = {};
  const leaves: Record<string, { certPem: string; caPem: string; source: CaSourceKind }> = {};
  for (const [name, l] of Object.entries(state.leaves ?? {})) {
    leaves[name] = { certPem: l.certPem, caPem: l.caPem, source: l.source };
    keys[`${name}-key`] = l.keyPem;
  }
  const pending: Record<string, { csrPem: string }> = {};
  for (const [name, p] of Object.entries(state.pending ?? {})) {
    pending[name] = { csrPem: p.csrPem };
    keys[`${name}-csr-key`] = p.keyPem;
  }
  return { pub: { leaves, pending, ...(state.trust ? { trust: state.trust } : {}) }, keys };
}

export function caContent(state: TlsState): Record<string, string> | undefined {
  if (!state.selfSignedCa) return undefined;
  return {
    cert: state.selfSignedCa.certPem,
    key: state.selfSignedCa.keyPem,
    ...(state.nextSelfSignedCa ? { 'next-cert': state.nextSelfSignedCa.certPem, 'next-key': state.nextSelfSignedCa.keyPem } : {}),
  };
}

export function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

export function normalisePublic(p: PublicState): PublicState {
  return { leaves: p.leaves ?? {}, pending: p.pending ?? {}, ...(p.trust ? { trust: p.trust } : {}), ...(p.memo ? { memo: p.memo } : {}) };
}

