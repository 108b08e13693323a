/**
 * Carry out a `TlsPlan`: create/stage/activate the self-signed CA, issue leaves locally, make
 * keys + CSRs for the external CA, install its answers, and keep the trust bundle. Returns the
 * new material as PEM strings; the caller stores `state` (CA in an app-owned secret, leaf
 * keys and pending CSR keys in unit-owned secrets) and writes workload files from it.
 */
import { defaultCrypto, type CryptoImpl } from './provider.ts';
import { CertificateAuthority } from './ca.ts';
import { CertificateRequest } from './csr.ts';
import { PrivateKey } from './keys.ts';
import { Certificate } from './certificate.ts';
import { joinPems, splitCertificatePems } from './pem.ts';
import type { KeySpec } from './algorithms.ts';
import type { Duration } from './duration.ts';
import { DEFAULT_LEAF_VALIDITY } from './issued.ts';
import { buildCsrRequests, type ProviderCertificateEntry } from './tls-certificates.ts';
import { newTrustBundle, rotateCa, stageCa, pruneTrustBundle, trustBundlePem, type TrustBundleState } from './trust-bundle.ts';
import {
  readConfigPems, planTls, type TlsPlan, type PlanInput, type TlsState, type StoredLeaf, type PendingRequest, type LeafSpec, type ConfigPems,
} from './plan.ts';
import { TlsError } from './errors.ts';

export interface ApplyOptions {
  /** Self-signed CA key. Default RSA 4096 (published Anbox choice); `{ type: 'ec', curve: 'P-384' }` is the option. */
  readonly caKey?: KeySpec;
  /** Leaf keys (local issuance and CSRs). Default RSA 4096. */
  readonly leafKey?: KeySpec;
  /** Self-signed CA subject CN. Default 'Juju self-signed CA'. */
  readonly caCommonName?: string;
  /** Default 365 days. */
  readonly caValidity?: Duration;
  /** Default 90 days. Also bounds how long a replaced CA stays trusted. */
  readonly leafValidity?: Duration;
  /** notBefore backdate for clock skew. Default 1 minute. */
  readonly backdate?: Duration;
}

export interface TlsMaterial {
  /** The complete new state to store (unchanged parts are the same objects). */
  readonly state: TlsState;
  readonly changed: {
    readonly selfSignedCa: boolean;
    /** Leaves whose certificate/key changed: rewrite their files and reload the workload. */
    readonly leaves: readonly string[];
    readonly removed: readonly string[];
    /** The pending CSR set changed: re-send `csrRequests`. */
    readonly pending: boolean;
    /** The trust bundle changed: rewrite the CA file. */
    readonly trust: boolean;
  };
  /** JSON for the requirer's `certificate_signing_requests` (relation source only). */
  readonly csrRequests?: string;
  /** CA bundle to trust (current + staged + retired still needed). */
  readonly trustPem?: string;
}

function relationLeaf(entry: ProviderCertificateEntry, keyPem: string): StoredLeaf {
  const leaf = Certificate.fromPem(entry.certificate);
  const root = Certificate.fromPem(entry.ca);
  const intermediates = entry.chain
    .flatMap((c) => splitCertificatePems(c))
    .map((p) => Certificate.fromPem(p))
    .filter((c) => !c.equals(leaf) && !c.equals(root));
  return { certPem: joinPems([leaf.pem, ...intermediates.map((c) => c.pem)]), keyPem, caPem: root.pem, source: 'relation' };
}

/**
 * The external CA to trust: the root of our installed relation leaves, else the first valid
 * CA in the provider's list (it serves peers' certificates too: trust it before they use it).
 */
function relationRoot(entries: readonly ProviderCertificateEntry[], leaves: Record<string, StoredLeaf>, now: Date): string | undefined {
  const ours = Object.values(leaves).find((l) => l.source === 'relation');
  if (ours) return ours.caPem;
  for (const e of entries) {
    const p = Certificate.parse(e.ca);
    if (p.ok && p.certificate.isCa && p.certificate.isValidAt(now)) return p.certificate.pem;
  }
  return undefined;
}

export async function applyTlsPlan(plan: TlsPlan, input: PlanInput, options: ApplyOptions = {}, crypto: CryptoImpl = defaultCrypto): Promise<TlsMaterial> {
  const now = input.now ?? new Date();
  const st = input.state;
  let selfSignedCa = st.selfSignedCa;
  let nextSelfSignedCa = st.nextSelfSignedCa;
  const leaves: Record<string, StoredLeaf> = { ...(st.leaves ?? {}) };
  let pending: Record<string, PendingRequest> = { ...(st.pending ?? {}) };
  const changedLeaves: string[] = [];
  const validity = { now, ...(options.backdate ? { backdate: options.backdate } : {}) };
  const caParams = { commonName: options.caCommonName, key: options.caKey ?? { type: 'rsa' as const, bits: 4096 as const }, validity: options.caValidity, ...validity };

  if (plan.blocked) {
    return { state: st, changed: { selfSignedCa: false, leaves: [], removed: [], pending: false, trust: false } };
  }

  // 1. Self-signed CA.
  if (plan.ca === 'create') {
    const ca = await CertificateAuthority.create(caParams, crypto);
    selfSignedCa = { certPem: ca.certPem, keyPem: ca.keyPem };
    nextSelfSignedCa = undefined;
  } else if (plan.ca === 'stage') {
    const ca = await CertificateAuthority.create(caParams, crypto);
    nextSelfSignedCa = { certPem: ca.certPem, keyPem: ca.keyPem };
  } else if (plan.ca === 'activate') {
    if (!nextSelfSignedCa) throw new TlsError('invalid-option', 'plan activates a staged CA but state has none');
    selfSignedCa = nextSelfSignedCa;
    nextSelfSignedCa = undefined;
  }

  // 2. The local signer, if the source signs locally.
  let signer: CertificateAuthority | undefined;
  let configLeaf: StoredLeaf | undefined;
  if (plan.source === 'self-signed' && selfSignedCa) signer = CertificateAuthority.fromPem(selfSignedCa.certPem, selfSignedCa.keyPem);
  if (plan.source === 'config') {
    const cfg = await readConfigPems(input.config as ConfigPems, now, crypto);
    if (cfg.mode === 'ca') signer = cfg.ca;
    if (cfg.mode === 'leaf') {
      const bundle = splitCertificatePems((input.config as ConfigPems).cert as string);
      configLeaf = { certPem: joinPems(bundle), keyPem: cfg.key.pem, caPem: cfg.anchor, source: 'config' };
    }
  }

  // 3. Leaves.
  const specs = new Map<string, LeafSpec>(input.wanted.map((w) => [w.name, w]));
  for (const action of plan.leaves) {
    const spec = specs.get(action.leaf) as LeafSpec;
    const names = { usage: spec.usage, ...(spec.commonName ? { commonName: spec.commonName } : {}), sans: spec.sans ?? [] };
    if (action.kind === 'issue') {
      if (!signer) throw new TlsError('invalid-option', `plan issues ${action.leaf} locally but no CA is available`);
      const issued = await signer.issue({ ...names, key: options.leafKey ?? { type: 'rsa', bits: 4096 }, validity: options.leafValidity, ...validity }, crypto);
      leaves[action.leaf] = { certPem: issued.fullChainPem, keyPem: issued.keyPem, caPem: issued.caPem, source: plan.source };
      changedLeaves.push(action.leaf);
    } else if (action.kind === 'use-config') {
      leaves[action.leaf] = configLeaf as StoredLeaf;
      changedLeaves.push(action.leaf);
    } else if (action.kind === 'request') {
      const key = await PrivateKey.create(options.leafKey ?? { type: 'rsa', bits: 4096 }, crypto);
      const csr = await CertificateRequest.create({ key, ...names }, crypto);
      pending[action.leaf] = { csrPem: csr.pem, keyPem: key.pem };
    } else if (action.kind === 'install') {
      const p = pending[action.leaf] as PendingRequest;
      leaves[action.leaf] = relationLeaf(action.entry, p.keyPem);
      delete pending[action.leaf];
      changedLeaves.push(action.leaf);
    }
  }
  for (const name of plan.remove) delete leaves[name];
  if (plan.source !== 'relation') pending = {};
  for (const name of Object.keys(pending)) if (!specs.has(name)) delete pending[name];

  // 4. Trust bundle: the active root becomes current; the old one stays until its leaves expire.
  let root: string | undefined;
  if (plan.source === 'self-signed') root = selfSignedCa?.certPem;
  else if (plan.source === 'config') root = signer ? signer.root.pem : configLeaf?.caPem;
  else root = relationRoot(input.relation?.certificates ?? [], leaves, now);
  let trust: TrustBundleState | undefined = st.trust;
  if (root) {
    trust = trust ? rotateCa(trust, root, { now, leafValidity: options.leafValidity ?? DEFAULT_LEAF_VALIDITY }) : newTrustBundle(root);
  }
  if (trust && plan.source === 'self-signed' && nextSelfSignedCa) trust = stageCa(trust, nextSelfSignedCa.certPem);
  if (trust) trust = pruneTrustBundle(trust, now);

  const state: TlsState = {
    ...(selfSignedCa ? { selfSignedCa } : {}),
    ...(nextSelfSignedCa ? { nextSelfSignedCa } : {}),
    leaves,
    pending,
    ...(trust ? { trust } : {}),
  };
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  return {
    state,
    changed: {
      selfSignedCa: !same(st.selfSignedCa, selfSignedCa) || !same(st.nextSelfSignedCa, nextSelfSignedCa),
      leaves: changedLeaves,
      removed: [...plan.remove],
      pending: !same(st.pending ?? {}, pending),
      trust: !same(st.trust, trust),
    },
    ...(plan.source === 'relation' ? { csrRequests: buildCsrRequests(Object.values(pending).map((p) => p.csrPem)) } : {}),
    ...(trust ? { trustPem: trustBundlePem(trust, now) } : {}),
  };
}

/** Plan and apply in one call: what most charms need in `reconcile()`. */
export async function reconcileTls(input: PlanInput, options: ApplyOptions = {}, crypto: CryptoImpl = defaultCrypto): Promise<{ plan: TlsPlan; material: TlsMaterial }> {
  const plan = await planTls(input, crypto);
  return { plan, material: await applyTlsPlan(plan, input, options, crypto) };
}
