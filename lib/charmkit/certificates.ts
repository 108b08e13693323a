/**
 * Certificates for a charm, in ONE call per hook: `reconcileCertificates(kit, options)`.
 *
 *   const kit = charmKit(ctx, { peerEndpoint: 'cluster' });
 *   const certs = await reconcileCertificates(kit, {
 *     endpoint: 'ca-client',                                    // tls-certificates relation (optional)
 *     config: { cert: cfg['tls-cert'], key: cfg['tls-key'], caCert: cfg['tls-ca-cert'] },
 *     leaves: [{ name: 'server', usage: 'server', sans: serverNames(ctx.tools, ['client']) }],
 *     caKey: { type: 'ec', curve: 'P-384' },                   // parseKeyAlgorithm(cfg['ca-key-algorithm'])
 *     caDescription: 'NATS self-signed CA (certificate and private key)',
 *   });
 *   if (certs.status) return certs.status;                     // waiting/blocked, message names the cause
 *   await workload.apply({ cert: certs.leaves.server.certPem, key: ..., ca: certs.trustPem });
 *   kit.relations.commit();                                    // sends our CSRs (relation source)
 *
 * It runs lib/tls's planner (imported lazily: ~100 ms, tooling.md) with this CA precedence
 * (`prefer: 'config'` swaps 1 and 2):
 *  1. a `tls-certificates` relation on `endpoint`: our CSRs go to our unit bag
 *     (`certificate_signing_requests`), the provider's `certificates` are validated (schema,
 *     then chain/key/CSR/validity by lib/tls) before use; until it answers, current leaves stay;
 *  2. operator PEMs from config (CA cert + key: we sign; or cert + key: used as is);
 *  3. a self-signed CA made ONLY by the leader and kept in the app-owned secret labelled `ca`
 *     (description set), so every unit and every future leader reuses it. A non-leader that
 *     finds no CA yet gets `waiting for leader to create the CA`.
 *
 * Storage (all writes are buffered by Juju and committed together at hook end, contract §0.4,
 * so a failed hook leaves no half-made CA or key behind):
 *  - app secret `ca`: `cert`, `key` (+ `next-cert`, `next-key` while a rotation is staged);
 *  - unit secret `tls-keys`: the private key of each leaf (`<leaf>-key`) and of each CSR still
 *    out (`<leaf>-csr-key`) — one key per value keeps RSA 4096 under Juju's 8 KiB limit;
 *  - unit state (`state-set`) key `charmkit.tls`: the public part (certificates, CSRs, trust).
 *  - peer app bag (with `kit.peerEndpoint`) `charmkit-ca-fingerprint`: set by the leader so
 *    followers waiting for the CA get a hook;
 *  On Juju 2.9 lib/secrets falls back to the peer app bag / unit state behind the same API.
 *
 * Never regenerates by accident: the CA is created only when none is stored (or the stored one
 * is unusable/expired), keys only when a leaf is (re)issued; a second run with nothing changed
 * writes nothing (no secret revision, no state-set, no relation-set) and reports
 * `changed: false`. A changed `caKey` applies at the next CA creation or rotation only.
 * Renewal: leaves at `renewFraction` of life (default 2/3), the self-signed CA is staged then
 * activated by the leader (lib/tls trust bundle keeps the old CA trusted meanwhile).
 */
import type { UnitStatus } from '../juju/status.ts';
import { blocked, waiting } from '../juju/status.ts';
import type { KeySpec } from '../tls/algorithms.ts';
import type { CaSourceKind, ConfigPems, LeafSpec, TlsPlan, TlsState } from '../tls/plan.ts';
import type { ProviderCertificateEntry } from '../tls/tls-certificates.ts';
import type { Duration } from '../tls/duration.ts';
import { SecretStoreError } from '../secrets/scoped.ts';
import type { CharmKit } from './kit.ts';
import { assemble, caContent, normalisePublic, PUBLIC_STATE_KEY, readPublic, sameRecord, split, type PublicState } from './certificate-state.ts';
import { configPresent, dueTime, inputsDigest, rawRelationInput, type TlsModule } from './certificate-memo.ts';

export { PUBLIC_STATE_KEY, storedCertificates, type StoredCertificates } from './certificate-state.ts';

/** Labels/keys of what this module stores (readable in `juju secrets`, design.md "Secrets"). */
export const CA_SECRET_PURPOSE = 'ca';
export const KEYS_SECRET_PURPOSE = 'tls-keys';
/** Peer app bag field the leader sets to the self-signed CA's SHA-256 fingerprint. */
export const CA_FINGERPRINT_FIELD = 'charmkit-ca-fingerprint';
/** Our unit bag field on the tls-certificates relation (v1 interface). */
const CSR_FIELD = 'certificate_signing_requests';

export interface CertificatesOptions {
  /** The certificates this unit needs, e.g. a server cert with SANs from `serverNames()`. */
  readonly leaves: readonly LeafSpec[];
  /** The `tls-certificates` requirer endpoint (`ca-client`, `certificates`), if the charm has one. */
  readonly endpoint?: string;
  /** Operator PEMs from config; empty strings count as unset. */
  readonly config?: ConfigPems;
  /**
   * Which wins when both a tls-certificates relation and config PEMs exist. Default
   * 'relation' (lib/tls order); the nats charm passes 'config' (issue 6: "TLS comes from config
   * PEMs, else the ca-client relation"). With 'config' and PEMs set, the relation is ignored
   * and our CSR list there is withdrawn.
   */
  readonly prefer?: 'relation' | 'config';
  /** Self-signed CA key (default RSA 4096). */
  readonly caKey?: KeySpec;
  /** Leaf keys (default: same as `caKey`). */
  readonly leafKey?: KeySpec;
  /** Self-signed CA common name (default `<app> self-signed CA`). */
  readonly caCommonName?: string;
  /** Description of the `ca` secret (default names the app). */
  readonly caDescription?: string;
  readonly caValidity?: Duration;
  readonly leafValidity?: Duration;
  /** Renew at this fraction of life (default 2/3). */
  readonly renewFraction?: number;
  /** Leaves to re-issue now with a fresh key (the `regenerate-certificates` action). Never the CA. */
  readonly reissue?: readonly string[];
  /** Default the real clock. */
  readonly now?: Date;
}

/** What a leaf's files should contain. */
export interface LeafMaterial {
  /** Leaf followed by any intermediates. */
  readonly certPem: string;
  readonly keyPem: string;
  /** The root the leaf chains to. */
  readonly caPem: string;
}

export interface CertificatesResult {
  /** Undefined when every wanted leaf is ready; else the waiting/blocked status to report. */
  readonly status?: UnitStatus;
  /** Where the certificates come from. */
  readonly source: CaSourceKind;
  /** Ready leaves by name (may hold still-valid leaves while `status` says why others are not). */
  readonly leaves: Readonly<Record<string, LeafMaterial>>;
  /** Every CA to trust (current + staged + retired still needed): the CA file and what clients get. */
  readonly trustPem?: string;
  /** The CA that signs our leaves now (for `get-ca-certificate`). */
  readonly caPem?: string;
  /** Stored material changed in this hook (leaves, trust or CA): files changed, reload the workload. */
  readonly changed: boolean;
  /** Non-fatal problems (e.g. a certificate from the CA failed verification). Never contain secrets. */
  readonly problems: readonly string[];
  readonly plan?: TlsPlan;
}


const LEAF_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

type RelationRead = { present: false } | { present: true; certificates: ProviderCertificateEntry[]; problem?: string; relationName: string };

/** The tls-certificates relation, its provider answers validated by schema (lib/relations). */
async function readRelation(kit: CharmKit, endpoint: string | undefined): Promise<RelationRead> {
  if (!endpoint) return { present: false };
  const relation = kit.relations.all(endpoint)[0];
  if (!relation) return { present: false };
  const { loadInterface } = await import('../relations/interfaces.ts');
  const codec = await loadInterface('tls-certificates');
  const read = codec.read(relation.remoteAppBag, 'provider.app');
  if (!read.ok) {
    // Bad remote data never replaces good state: plan with no answers (installed leaves are kept).
    return { present: true, certificates: [], relationName: relation.name, ...(read.reason === 'invalid' ? { problem: read.message } : {}) };
  }
  const certificates = (read.value.certificates ?? []) as unknown as ProviderCertificateEntry[];
  return { present: true, certificates: certificates.filter((c) => (c as { revoked?: boolean }).revoked !== true), relationName: relation.name };
}

/**
 * Plan, apply and store this unit's certificates (see the module comment). Throws only on
 * unexpected tool failures (the hook then fails and Juju discards every buffered write).
 */
export async function reconcileCertificates(kit: CharmKit, options: CertificatesOptions): Promise<CertificatesResult> {
  for (const l of options.leaves) {
    if (!LEAF_NAME.test(l.name)) throw new Error(`leaf name "${l.name}" not valid: lower-case words joined by single hyphens (it names secret keys)`);
  }
  const { store } = kit;
  const leader = kit.isLeader();
  const app = kit.ctx.hook.unit.app;
  const caSecret = store.app(CA_SECRET_PURPOSE, { description: options.caDescription ?? `Self-signed CA of ${app}: certificate and private key (charmkit)` });
  const keysSecret = store.unit(KEYS_SECRET_PURPOSE, { description: `Private keys of the TLS certificates of ${kit.ctx.hook.unit.name} (charmkit)` });

  const caStored = caSecret.get();
  const keysStored = keysSecret.get() ?? {};
  const pubStored = readPublic(kit.ctx.tools, (m) => kit.log.warning(m));
  let state = assemble(pubStored, keysStored, caStored);
  const now = options.now ?? new Date();

  const configWinsCheap = options.prefer === 'config' && configPresent(options.config);
  const relationRaw = !configWinsCheap && options.endpoint ? rawRelationInput(kit, options.endpoint) : undefined;
  const inputs = inputsDigest(options, leader, caStored, relationRaw, kit.ctx.memo);
  const memo = pubStored.memo;
  if (memo && !options.reissue?.length && memo.inputs === inputs && now.getTime() < memo.until
    && options.leaves.every((l) => state.leaves?.[l.name]?.source === memo.source)) {
    kit.ctx.revisitBy(new Date(memo.until)); // renewal is due then, whatever else happens
    return result({ status: undefined, source: memo.source, state, problems: [], changed: false, now, trustPem: memo.trustPem, caPem: memo.caPem, wanted: options.leaves, endpoint: options.endpoint });
  }
  const tls = await import('../tls/index.ts');

  // regenerate-certificates: forget the stored leaf (and any CSR) so the planner issues afresh.
  if (options.reissue?.length) {
    const leaves = { ...(state.leaves ?? {}) };
    const pending = { ...(state.pending ?? {}) };
    for (const name of options.reissue) { delete leaves[name]; delete pending[name]; }
    state = { ...state, leaves, pending };
  }

  const configWins = configWinsCheap;
  const rel: RelationRead = configWins ? { present: false } : await readRelation(kit, options.endpoint);
  const input = {
    wanted: options.leaves,
    state,
    ...(rel.present ? { relation: { certificates: rel.certificates } } : {}),
    ...(options.config ? { config: options.config } : {}),
    isLeader: leader,
    now,
    ...(options.renewFraction !== undefined ? { renewFraction: options.renewFraction } : {}),
  };
  const plan = await tls.planTls(input);
  const problems = [...plan.problems, ...(rel.present && rel.problem ? [rel.problem] : [])];
  const caKey = options.caKey ?? tls.DEFAULT_KEY_SPEC;
  const material = await tls.applyTlsPlan(plan, input, {
    caKey,
    leafKey: options.leafKey ?? caKey,
    caCommonName: options.caCommonName ?? `${app} self-signed CA`,
    ...(options.caValidity ? { caValidity: options.caValidity } : {}),
    ...(options.leafValidity ? { leafValidity: options.leafValidity } : {}),
  });

  // 1. The CA first: if it cannot be stored (2.9 without the peer relation yet), store nothing
  //    signed by it either.
  if (leader && material.changed.selfSignedCa) {
    const content = caContent(material.state);
    try {
      if (content) caSecret.set(content);
    } catch (e) {
      if (e instanceof SecretStoreError) return result({ status: waiting(e.message), source: plan.source, state, problems, plan, changed: false, now });
      throw e;
    }
  }

  // Wake the followers: a new app secret fires no hook on units that never read it, so the
  // leader publishes the CA fingerprint in the peer app bag (public data; -relation-changed
  // on every other unit, contract §1.4).
  if (leader && kit.peerEndpoint && material.state.selfSignedCa) {
    const peer = kit.relations.all(kit.peerEndpoint)[0];
    const fingerprint = tls.Certificate.fromPem(material.state.selfSignedCa.certPem).fingerprintSha256;
    peer?.localApp.set(CA_FINGERPRINT_FIELD, fingerprint);
  }

  let status: UnitStatus | undefined;
  if (plan.blocked) {
    status = plan.source === 'self-signed' ? waiting('waiting for leader to create the CA') : blocked(plan.blocked);
  } else if (rel.present && rel.problem) {
    status = blocked(rel.problem);
  }
  const out = result({ status, source: plan.source, state: material.state, problems, plan, changed: false, now, trustPem: material.trustPem, endpoint: options.endpoint, wanted: options.leaves, tls });

  // 2. This unit's keys (secret) and public state (unit state): written only when different.
  const { pub: pubNoMemo, keys } = split(material.state);
  const healthy = !out.status && problems.length === 0 && Object.keys(material.state.pending ?? {}).length === 0;
  const until = healthy ? dueTime(tls, material.state, plan.source, leader, options) : undefined;
  if (until !== undefined) kit.ctx.revisitBy(new Date(until));
  const pub: PublicState = until !== undefined
    ? { ...pubNoMemo, memo: { inputs, until, source: plan.source, ...(out.trustPem ? { trustPem: out.trustPem } : {}), ...(out.caPem ? { caPem: out.caPem } : {}) } }
    : pubNoMemo;
  if (!sameRecord(keysStored, keys)) {
    if (Object.keys(keys).length > 0) keysSecret.set(keys);
    else if (Object.keys(keysStored).length > 0) keysSecret.remove();
  }
  const pubJson = JSON.stringify(pub);
  if (pubJson !== JSON.stringify(normalisePublic(pubStored))) kit.ctx.tools.stateSet({ [PUBLIC_STATE_KEY]: pubJson });

  // 3. Our CSRs to the external CA (flushed by relations.commit()).
  const csrRelation = options.endpoint ? kit.relations.all(options.endpoint)[0] : undefined;
  if (csrRelation) {
    const requests = rel.present && material.csrRequests && material.csrRequests !== '[]' ? material.csrRequests : '';
    csrRelation.local.set(CSR_FIELD, requests);
  }

  const changed = material.changed.leaves.length > 0 || material.changed.removed.length > 0 || material.changed.trust || material.changed.selfSignedCa;
  return { ...out, changed };
}

function result(r: {
  status: UnitStatus | undefined; source: CaSourceKind; state: TlsState; problems: string[]; plan?: TlsPlan; changed: boolean;
  tls?: TlsModule; now: Date; trustPem?: string | undefined; caPem?: string | undefined; endpoint?: string | undefined; wanted?: readonly LeafSpec[];
}): CertificatesResult {
  const leaves: Record<string, LeafMaterial> = {};
  for (const [name, l] of Object.entries(r.state.leaves ?? {})) {
    // Only leaves of the active source, or kept in service while an external CA has not answered.
    leaves[name] = { certPem: l.certPem, keyPem: l.keyPem, caPem: l.caPem };
  }
  let status = r.status;
  // Missing, or still from another source (kept in service until the new source answers).
  const missing = (r.wanted ?? []).filter((w) => !leaves[w.name] || r.state.leaves?.[w.name]?.source !== r.source);
  if (!status && missing.length > 0) {
    status = r.source === 'relation'
      ? waiting(`waiting for certificates from ${r.endpoint ?? 'the CA'} (${missing.map((m) => m.name).join(', ')})`)
      : waiting(`no ${missing.map((m) => m.name).join(', ')} certificate yet`);
  }
  const active = r.caPem ?? (r.source === 'self-signed' ? r.state.selfSignedCa?.certPem : Object.values(r.state.leaves ?? {})[0]?.caPem);
  const trustPem = r.trustPem ?? (r.state.trust && r.tls ? r.tls.trustBundlePem(r.state.trust, r.now) : undefined);
  return {
    ...(status ? { status } : {}),
    source: r.source,
    leaves,
    ...(trustPem ? { trustPem } : {}),
    ...(active ? { caPem: active } : {}),
    changed: r.changed,
    problems: r.problems,
    ...(r.plan ? { plan: r.plan } : {}),
  };
}
