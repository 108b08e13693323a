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
import type { JujuVersion } from '../juju/version.ts';
import type { HookTools } from '../juju/types.ts';
import type { Relation } from '../relations/relation.ts';

export const SECRETS_FLAG = 'secrets_supported';

/** Keys Juju writes into every unit bag on entering scope (contract §2.3): not "the remote spoke". */
const AUTO_KEYS: ReadonlySet<string> = new Set(['private-address', 'ingress-address', 'egress-subnets']);

export type RelationSide = 'same-model' | 'offering' | 'consuming';
export type RemoteCapability = 'supported' | 'unsupported' | 'silent';

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
 * What the remote side said: 'supported' when any remote bag says "true"; 'unsupported' when
 * one says "false" or the remote wrote data without the flag (a legacy client); 'silent' when
 * it has written nothing yet (only Juju's address keys).
 */
export function remoteCapability(relation: Relation): RemoteCapability {
  const bags = [relation.remoteAppBag, ...relation.remoteUnitBags()].map((b) => b.all());
  const flags = bags.map((b) => b[SECRETS_FLAG]).filter((f) => f !== undefined);
  if (flags.includes('true')) return 'supported';
  if (flags.length > 0) return 'unsupported';
  const spoke = bags.some((b) => Object.keys(b).some((k) => !AUTO_KEYS.has(k)));
  return spoke ? 'unsupported' : 'silent';
}

export type TransportMode = 'secret' | 'inline' | 'undecided';

/**
 * How our app should share a value over `relation` now. `silent` remotes are 'undecided'
 * unless `silentMeansLegacy` (a client that never writes anything, e.g. a pre-library one).
 */
export function transportMode(env: NegotiationEnv, relation: Relation, options: { silentMeansLegacy?: boolean } = {}): { mode: TransportMode; why: string } {
  const grant = canGrantSecrets(env, relation);
  if (!grant.ok) return { mode: 'inline', why: grant.why };
  const remote = remoteCapability(relation);
  if (remote === 'supported') return { mode: 'secret', why: 'both sides support secrets' };
  if (remote === 'unsupported') return { mode: 'inline', why: `the remote side of ${relation.name} cannot read secrets` };
  return options.silentMeansLegacy
    ? { mode: 'inline', why: `the remote side of ${relation.name} has said nothing: treated as a legacy client` }
    : { mode: 'undecided', why: `waiting for the remote side of ${relation.name} to say whether it reads secrets` };
}
