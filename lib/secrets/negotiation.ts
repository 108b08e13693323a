/**
 * Per-relation negotiation of how a value crosses a relation (design.md "Interfaces"):
 * a side that can resolve secret ids says so in its unit bag (`secrets_supported`); the
 * owner then puts only a secret id in its app bag (granted to that relation only), else the
 * value inline. The decision is recomputed from both sides' current capabilities each hook,
 * so a relation that started in plaintext (e.g. a 2.9 side across a CMR) stays plaintext
 * until both sides can switch, then switches once and deletes the inline value.
 *
 * Cross-model relations (contract §4.2, §4.3): only the OFFERING side may grant (3.2+).
 * - Offering side: the remote app is `remote-<32 hex>` — detected from the name.
 * - Consuming side: the remote app is a SAAS name, indistinguishable from a local app by
 *   name. We ask `relation-model-get` (3.6.2+) and compare with our model UUID; on older
 *   Juju the charm must say so (`SecretStoreOptions.isConsumedRelation`). Without either,
 *   a relation counts as same-model.
 */
import { RelationAccessError } from '../juju/errors.ts';
import type { JujuVersion } from '../juju/version.ts';
import type { HookTools } from '../juju/types.ts';
import type { Relation } from '../relations/relation.ts';

export const SECRETS_FLAG = 'secrets_supported';

export type RelationSide = 'same-model' | 'offering' | 'consuming';

export interface NegotiationEnv {
  readonly tools: HookTools;
  readonly version: JujuVersion;
  /** JUJU_MODEL_UUID, for relation-model-get. */
  readonly modelUuid?: string;
  readonly isConsumedRelation?: (relation: Relation) => boolean;
}

export function relationSide(env: NegotiationEnv, relation: Relation): RelationSide {
  if (relation.isOfferSideOfCrossModel) return 'offering';
  if (env.isConsumedRelation?.(relation)) return 'consuming';
  if (env.version.hasRelationModelGet && env.modelUuid && !relation.isPeer) {
    const { uuid } = env.tools.relationModelGet(relation.name);
    if (uuid && uuid !== env.modelUuid) return 'consuming';
  }
  return 'same-model';
}

/** Can this unit read a secret shared over `relation`? (3.0.3+; 3.2+ across models.) */
export function canReadSecrets(env: NegotiationEnv, relation: Relation): boolean {
  if (!env.version.hasSecrets) return false;
  return relationSide(env, relation) === 'same-model' || env.version.hasCrossModelSecrets;
}

/** Can this unit's app grant a secret over `relation`? Never on the consuming side of a CMR. */
export function canGrantSecrets(env: NegotiationEnv, relation: Relation): { ok: boolean; why: string } {
  if (!env.version.hasSecrets) return { ok: false, why: `Juju ${env.version} has no secrets (needs 3.0.3)` };
  const side = relationSide(env, relation);
  if (side === 'consuming') return { ok: false, why: 'only the offering side of a cross-model relation may grant secrets (contract §4.3)' };
  if (side === 'offering' && !env.version.hasCrossModelSecrets) return { ok: false, why: `Juju ${env.version} cannot share secrets across models (needs 3.2)` };
  return { ok: true, why: '' };
}

/** Write our `secrets_supported` flag into our unit bag (flushed by relation.commit()). */
export function advertiseSecretSupport(env: NegotiationEnv, relation: Relation): boolean {
  const can = canReadSecrets(env, relation);
  relation.local.set(SECRETS_FLAG, can ? 'true' : 'false');
  return can;
}

/**
 * What the remote side said about `secrets_supported`, tri-state (fail closed):
 * - 'supported': some remote bag says "true" and none holds an invalid value;
 * - 'unsupported': only an explicit "false" (the one case that may allow plaintext);
 * - 'invalid': some remote bag holds any other value — unknown, share nothing, report `problem`;
 * - 'silent': no remote bag carries the flag (whether or not the remote wrote other data):
 *   unknown, share nothing unless the caller opts into `silentMeansLegacy`.
 */
export type RemoteCapability = 'supported' | 'unsupported' | 'invalid' | 'silent';

export interface RemoteCapabilityReport {
  readonly capability: RemoteCapability;
  /** For 'invalid': names relation, bag and field and says why; never echoes the value. */
  readonly problem?: string;
}

export function remoteCapabilityReport(relation: Relation): RemoteCapabilityReport {
  const flags = [relation.remoteAppBag, ...relation.remoteUnitBags()]
    .map((b) => ({ bag: b.label, flag: b.all()[SECRETS_FLAG] }))
    .filter((f): f is { bag: string; flag: string } => f.flag !== undefined);
  const bad = flags.filter((f) => f.flag !== 'true' && f.flag !== 'false');
  if (bad.length > 0) {
    const where = bad.slice(0, 3).map((f) => f.bag).join(', ') + (bad.length > 3 ? ` and ${bad.length - 3} more` : '');
    return { capability: 'invalid', problem: `${relation.name}: field "${SECRETS_FLAG}" in ${where} must be "true" or "false"; not sharing until it is` };
  }
  if (flags.some((f) => f.flag === 'true')) return { capability: 'supported' };
  if (flags.length > 0) return { capability: 'unsupported' };
  return { capability: 'silent' };
}

export function remoteCapability(relation: Relation): RemoteCapability {
  return remoteCapabilityReport(relation).capability;
}

/**
 * Whether our app already shared a secret id on `relation` (a non-empty `<purpose>_secret_id`
 * in our app bag). Such a relation is never downgraded to plaintext (README "No downgrade").
 */
export function usedSecretIds(relation: Relation): boolean {
  if (relation.isPeer) return false;
  try {
    return Object.entries(relation.localApp.all()).some(([k, v]) => k.endsWith('_secret_id') && v !== '');
  } catch (e) {
    // Only the leader may read its own app bag outside a peer relation (contract §2.6): a
    // non-leader cannot see the marker (known gap: it never publishes ids, but may write unit-bag data).
    if (e instanceof RelationAccessError) return false;
    throw e;
  }
}

export type TransportMode = 'secret' | 'inline' | 'undecided';

/**
 * How our app should share a value over `relation` now. 'inline' (plaintext) only when we
 * cannot grant or the remote explicitly said "false" (or is silent with `silentMeansLegacy`),
 * and never on a relation that already carries one of our secret ids: that stays
 * 'undecided' (keep the id or share nothing, never plaintext).
 */
export function transportMode(env: NegotiationEnv, relation: Relation, options: { silentMeansLegacy?: boolean } = {}): { mode: TransportMode; why: string } {
  const inline = (why: string): { mode: TransportMode; why: string } => usedSecretIds(relation)
    ? { mode: 'undecided', why: `${relation.name} already uses secret ids and is never downgraded to plaintext (${why})` }
    : { mode: 'inline', why };
  const grant = canGrantSecrets(env, relation);
  if (!grant.ok) return inline(grant.why);
  const remote = remoteCapabilityReport(relation);
  if (remote.capability === 'supported') return { mode: 'secret', why: 'both sides support secrets' };
  if (remote.capability === 'unsupported') return inline(`the remote side of ${relation.name} cannot read secrets`);
  if (remote.capability === 'invalid') return { mode: 'undecided', why: remote.problem! };
  return options.silentMeansLegacy
    ? inline(`the remote side of ${relation.name} has not said whether it reads secrets: treated as a legacy client`)
    : { mode: 'undecided', why: `waiting for the remote side of ${relation.name} to say whether it reads secrets` };
}
