/**
 * A value that must cross ONE relation (a token, a credential), by purpose.
 *
 * Owner side (our app provides the value; leader only):
 * - Juju >= 3.0.3: kept in an app-owned secret labelled `<endpoint>.<id>.<purpose>` (ensure-
 *   once, survives leader changes). When the relation negotiated secrets (negotiation.ts)
 *   the app bag carries only `<purpose>_secret_id` and the secret is granted to this relation
 *   only; otherwise the content goes inline in the app bag (and the id field is deleted).
 * - Juju 2.9: the content lives inline in this relation's app bag, which is also where the
 *   leader reads it back (contract §2.6: the leader reads its own app bag).
 * Consumer side: `read()` follows the id (a not-yet-granted id means "waiting") or reads the
 * inline keys. The consumer label is the same scheme on its own endpoint, so `secret-changed`
 * routes back here (SecretStore.route).
 */
import { NotFoundError, PermissionDeniedError } from '../juju/errors.ts';
import type { Relation } from '../relations/relation.ts';
import { assertSecretContent, type SecretContent } from './content.ts';
import { relationLabel } from './labels.ts';
import { canReadSecrets, type NegotiationEnv, transportMode } from './negotiation.ts';
import { JujuScopedSecret, register, SecretStoreError, type StoreEnv } from './scoped.ts';

export interface RelationSecretOptions {
  /** Content keys; also the inline field names (Juju key rules: `token`, `password`). */
  readonly keys: readonly string[];
  readonly description?: string;
  /** Treat a remote that has written nothing as a legacy plaintext client instead of waiting. */
  readonly silentMeansLegacy?: boolean;
}

export type ShareResult =
  | {
    readonly status: 'shared'; readonly mode: 'secret' | 'inline'; readonly content: SecretContent; readonly created: boolean; readonly id?: string;
    /** True in the hook that moved this relation from inline to a secret id: the value WAS in a databag, so consider rotating it. */
    readonly switchedFromInline?: boolean;
  }
  | { readonly status: 'waiting'; readonly reason: 'waiting-for-leader' | 'waiting-for-remote'; readonly message: string };

export type ReadSecretResult =
  | { readonly status: 'ready'; readonly content: SecretContent; readonly via: 'secret' | 'inline'; readonly id?: string }
  | { readonly status: 'waiting'; readonly message: string }
  | { readonly status: 'absent'; readonly message: string };

export class RelationSecret {
  readonly relation: Relation;
  readonly purpose: string;
  /** Our label: `<endpoint>.<relation-id>.<purpose>` (owner label or consumer label). */
  readonly label: string;
  /** Databag field carrying the secret id: `<purpose>_secret_id`. */
  readonly idField: string;
  readonly keys: readonly string[];
  readonly #env: StoreEnv & NegotiationEnv;
  readonly #options: RelationSecretOptions;

  constructor(env: StoreEnv & NegotiationEnv, relation: Relation, purpose: string, options: RelationSecretOptions) {
    this.#env = env;
    this.relation = relation;
    this.purpose = purpose;
    this.label = relationLabel(relation.endpoint, relation.id, purpose);
    this.idField = `${purpose.replace(/-/g, '_')}_secret_id`;
    this.keys = options.keys;
    this.#options = options;
    if (options.keys.length === 0) throw new SecretStoreError(`relation secret "${this.label}" needs at least one key`);
  }

  #owned(): JujuScopedSecret | undefined {
    if (!this.#env.version.hasSecrets) return undefined;
    const description = this.#options.description ?? `${this.purpose} for relation ${this.relation.name} (${this.relation.remoteApp}), managed by ${this.#env.app}`;
    return new JujuScopedSecret(this.#env, 'app', this.purpose, this.label, description);
  }

  #inline(bag: Readonly<Record<string, string>>): SecretContent | undefined {
    const picked = Object.fromEntries(this.keys.filter((k) => bag[k] !== undefined).map((k) => [k, bag[k]!]));
    return Object.keys(picked).length === this.keys.length ? picked : undefined;
  }

  #checkKeys(content: SecretContent): void {
    const extra = Object.keys(content).filter((k) => !this.keys.includes(k));
    if (extra.length) throw new SecretStoreError(`relation secret "${this.label}" got keys ${extra.join(', ')} outside its declared keys ${this.keys.join(', ')}`);
    assertSecretContent(content, this.#env.version);
  }

  /** The content we own for this relation, if any (leader). */
  stored(): SecretContent | undefined {
    const owned = this.#owned();
    if (owned) return owned.get();
    const content = this.#inline(this.relation.localApp.all());
    register(this.#env, content);
    return content;
  }

  /**
   * Ensure the value exists (generated once by `make`) and is published the negotiated way.
   * Idempotent: a second run with nothing changed writes nothing.
   */
  async share(make: () => SecretContent | Promise<SecretContent>): Promise<ShareResult> {
    if (!this.#env.isLeader()) return { status: 'waiting', reason: 'waiting-for-leader', message: `waiting for the leader to share "${this.label}"` };
    const { mode, why } = transportMode(this.#env, this.relation, { silentMeansLegacy: this.#options.silentMeansLegacy });
    if (mode === 'undecided') return { status: 'waiting', reason: 'waiting-for-remote', message: why };
    let content = this.stored();
    const created = content === undefined;
    if (!content) {
      content = await make();
      this.#checkKeys(content);
      register(this.#env, content);
    }
    return this.#publish(content, mode, created);
  }

  /** Replace the value (new revision on Juju: every consumer gets secret-changed). Leader only. */
  update(content: SecretContent): ShareResult {
    if (!this.#env.isLeader()) return { status: 'waiting', reason: 'waiting-for-leader', message: `waiting for the leader to update "${this.label}"` };
    this.#checkKeys(content);
    register(this.#env, content);
    const { mode, why } = transportMode(this.#env, this.relation, { silentMeansLegacy: this.#options.silentMeansLegacy });
    if (mode === 'undecided') {
      this.#owned()?.set(content); // keep the new value; publish once the remote has spoken
      return { status: 'waiting', reason: 'waiting-for-remote', message: why };
    }
    return this.#publish(content, mode, false);
  }

  #publish(content: SecretContent, mode: 'secret' | 'inline', created: boolean): ShareResult {
    const bag = this.relation.localApp;
    const owned = this.#owned();
    const id = owned?.set(content);
    if (mode === 'secret' && owned && id) {
      const current = bag.all();
      // The id and the grant are committed together (both buffered, contract §0.4), so a bag
      // that already carries this id means the grant exists: skip the tool call on re-runs.
      if (current[this.idField] !== id) owned.grant(this.relation);
      const switchedFromInline = this.keys.some((k) => current[k] !== undefined);
      bag.set(this.idField, id);
      for (const k of this.keys) bag.set(k, '');
      return { status: 'shared', mode, content, created, id, ...(switchedFromInline ? { switchedFromInline } : {}) };
    }
    for (const k of this.keys) bag.set(k, content[k] ?? '');
    bag.set(this.idField, '');
    return { status: 'shared', mode: 'inline', content, created, ...(id ? { id } : {}) };
  }

  /** Consumer side: the value the remote app shared with us. Never throws for "not yet". */
  read(): ReadSecretResult {
    const bag = this.relation.remoteAppBag.all();
    const id = bag[this.idField];
    if (id) {
      if (!canReadSecrets(this.#env, this.relation)) {
        return { status: 'waiting', message: `${this.relation.name}: the remote shared a secret id but this Juju cannot read it` };
      }
      try {
        const content = this.#env.tools.secretGet({ id, label: this.label });
        register(this.#env, content);
        return { status: 'ready', content, via: 'secret', id };
      } catch (e) {
        // A fresh id may be published before the grant commits (contract §3.5 item 10): wait.
        if (e instanceof PermissionDeniedError || e instanceof NotFoundError) {
          return { status: 'waiting', message: `${this.relation.name}: secret ${this.idField} not readable yet (${e.shortMessage})` };
        }
        throw e;
      }
    }
    const inline = this.#inline(bag);
    if (inline) {
      register(this.#env, inline);
      return { status: 'ready', content: inline, via: 'inline' };
    }
    return { status: 'absent', message: `${this.relation.name}: the remote app has not shared "${this.purpose}" yet` };
  }

  /** Consumer side, on `secret-changed`: track and return the latest revision. */
  refresh(): ReadSecretResult {
    const id = this.relation.remoteAppBag.get(this.idField);
    if (!id) return this.read();
    try {
      const content = this.#env.tools.secretGet({ id, refresh: true });
      register(this.#env, content);
      return { status: 'ready', content, via: 'secret', id };
    } catch (e) {
      if (e instanceof PermissionDeniedError || e instanceof NotFoundError) return { status: 'waiting', message: `${this.relation.name}: ${e.shortMessage}` };
      throw e;
    }
  }

  /** Owner side, on `-relation-broken`: revoke this relation's grant and remove its secret. Idempotent. */
  retire(): void {
    if (!this.#env.isLeader()) return;
    const owned = this.#owned();
    if (!owned || owned.id() === undefined) return;
    owned.revoke(this.relation);
    owned.remove();
  }
}
