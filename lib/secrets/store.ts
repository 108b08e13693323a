/**
 * SecretStore: secrets by purpose, with the backend chosen from JUJU_VERSION (Juju secrets
 * from 3.0.3, contract §3.1; else the 2.9 fallback). Charm code is the same on both:
 *
 *   const store = new SecretStore({ tools, unit, version: ctx.jujuVersion, relations, peerEndpoint: 'cluster', redactor: tools.redactor });
 *   const ca = await store.app('ca', { description: 'NATS CA' }).getOrCreate(makeCa);
 *   if (ca.status === 'waiting') return waiting(ca.message);
 *   const token = store.forRelation(relation, 'token', { keys: ['token'] });
 *   await token.share(() => ({ token: randomToken() }));   // provider (leader)
 *   token.read();                                           // requirer
 *   relations.commit();
 *
 * Hooks: `route(ctx.secret.label)` maps `secret-changed` back to a relation and purpose;
 * `handleSecretRemove(id, revision)` removes one old revision, idempotently.
 */
import { NotFoundError } from '../juju/errors.ts';
import type { HookTools } from '../juju/types.ts';
import { JujuVersion } from '../juju/version.ts';
import type { Relation } from '../relations/relation.ts';
import type { Relations } from '../relations/relations.ts';
import type { SecretContent } from './content.ts';
import { type ParsedLabel, parseLabel, scopedLabel } from './labels.ts';
import { advertiseSecretSupport, type NegotiationEnv, transportMode } from './negotiation.ts';
import { RelationSecret, type RelationSecretOptions } from './relation-secret.ts';
import { FallbackScopedSecret, JujuScopedSecret, register, type ScopedSecret, type SecretRedactor, type SecretScope, type StoreEnv } from './scoped.ts';

export interface SecretStoreOptions {
  readonly tools: HookTools;
  /** JUJU_UNIT_NAME */
  readonly unit: string;
  /** JUJU_VERSION (text or parsed). */
  readonly version: string | JujuVersion;
  /** JUJU_MODEL_UUID: lets relation-model-get (3.6.2+) tell the consuming side of a CMR. */
  readonly modelUuid?: string;
  /** Needed for relation secrets and for the 2.9 peer-bag fallback; commit it at hook end. */
  readonly relations?: Relations;
  /** 2.9 fallback: keep app-scoped values in this peer relation's app bag (else leader settings). */
  readonly peerEndpoint?: string;
  /** Every secret value read or written is registered here (e.g. `tools.redactor`). */
  readonly redactor?: SecretRedactor;
  /** Consuming side of a CMR on Juju < 3.6.2 (no relation-model-get): say which relations are. */
  readonly isConsumedRelation?: (relation: Relation) => boolean;
}

export interface ScopedOptions { readonly description?: string }

export type SecretRoute =
  | { readonly kind: 'relation'; readonly endpoint: string; readonly relationId: number; readonly purpose: string }
  | { readonly kind: 'scoped'; readonly purpose: string }
  | { readonly kind: 'unknown'; readonly label: string };

export class SecretStore {
  readonly backend: 'juju-secrets' | 'fallback';
  readonly version: JujuVersion;
  readonly #env: StoreEnv & NegotiationEnv;

  constructor(options: SecretStoreOptions) {
    this.version = typeof options.version === 'string' ? JujuVersion.parse(options.version) : options.version;
    this.backend = this.version.hasSecrets ? 'juju-secrets' : 'fallback';
    const app = options.unit.split('/')[0] ?? options.unit;
    let leader: boolean | undefined;
    this.#env = {
      tools: options.tools,
      version: this.version,
      unit: options.unit,
      app,
      isLeader: () => (leader ??= options.relations ? options.relations.actor.isLeader() : options.tools.isLeader()),
      ...(options.redactor ? { redactor: options.redactor } : {}),
      ...(options.relations ? { relations: options.relations } : {}),
      ...(options.peerEndpoint ? { peerEndpoint: options.peerEndpoint } : {}),
      ...(options.modelUuid ? { modelUuid: options.modelUuid } : {}),
      ...(options.isConsumedRelation ? { isConsumedRelation: options.isConsumedRelation } : {}),
    };
  }

  #scoped(scope: SecretScope, purpose: string, options: ScopedOptions): ScopedSecret {
    const label = scopedLabel(purpose);
    if (this.backend === 'fallback') return new FallbackScopedSecret(this.#env, scope, purpose, label);
    const description = options.description ?? `${purpose} (${scope === 'app' ? 'application' : 'unit'} secret of ${scope === 'app' ? this.#env.app : this.#env.unit})`;
    return new JujuScopedSecret(this.#env, scope, purpose, label, description);
  }

  /** Application-scoped (app-owned; only the leader creates/changes it; every unit reads it). */
  app(purpose: string, options: ScopedOptions = {}): ScopedSecret {
    return this.#scoped('app', purpose, options);
  }

  /** Unit-scoped (unit-owned; private to this unit). */
  unit(purpose: string, options: ScopedOptions = {}): ScopedSecret {
    return this.#scoped('unit', purpose, options);
  }

  /** A value crossing one relation (owner `share()`/`update()`, consumer `read()`/`refresh()`). */
  forRelation(relation: Relation, purpose: string, options: RelationSecretOptions): RelationSecret {
    return new RelationSecret(this.#env, relation, purpose, options);
  }

  /** Requirer side: write `secrets_supported` for this relation (flushed by relation.commit()). */
  advertise(relation: Relation): boolean {
    return advertiseSecretSupport(this.#env, relation);
  }

  /** How our app would share a value over `relation` right now (see negotiation.ts). */
  transport(relation: Relation, options: { silentMeansLegacy?: boolean } = {}): ReturnType<typeof transportMode> {
    return transportMode(this.#env, relation, options);
  }

  /** Map a secret hook's JUJU_SECRET_LABEL to what it is about. */
  route(label: string | undefined): SecretRoute {
    const parsed: ParsedLabel | undefined = label ? parseLabel(label) : undefined;
    if (!parsed) return { kind: 'unknown', label: label ?? '' };
    return parsed;
  }

  /**
   * `secret-changed` for a charm-wide secret we read (e.g. a non-leader peer of an app-owned
   * secret): track the latest revision so the old one can be removed. Returns the content.
   */
  refreshById(id: string): SecretContent | undefined {
    try {
      const content = this.#env.tools.secretGet({ id, refresh: true });
      register(this.#env, content);
      return content;
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  /**
   * `secret-remove` (owner; the leader for app-owned secrets): no consumer tracks `revision`
   * any more, so remove it (contract §3.5 item 6). Idempotent: an already removed revision or
   * secret is fine, and a non-leader (the hook only goes to the leader) does nothing.
   */
  handleSecretRemove(id: string, revision: number | undefined): 'removed' | 'already-gone' | 'not-leader' | 'no-revision' {
    if (revision === undefined || revision <= 0) return 'no-revision';
    if (this.backend === 'fallback') return 'already-gone';
    try {
      this.#env.tools.secretRemove(id, { revision });
      return 'removed';
    } catch (e) {
      if (e instanceof NotFoundError) return 'already-gone';
      if (e instanceof Error && e.name === 'NotLeaderError') return 'not-leader';
      throw e;
    }
  }
}
