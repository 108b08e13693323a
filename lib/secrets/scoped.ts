/**
 * A charm-wide (app- or unit-scoped) secret by purpose, with two backends behind one shape:
 * - Juju secrets (>= 3.0.3): app- or unit-owned secret labelled `<purpose>`, a description on it;
 * - the 2.9 fallback: app scope in the peer application bag (or leader settings when the
 *   charm has no peer endpoint: leader-set has no --file, so values would go on argv —
 *   see lib/juju/tools/leader.ts), unit scope in `state-set` (contract §2.13).
 *
 * Ensure-once: `getOrCreate` generates only when absent, and only the leader creates an
 * app-scoped value; a non-leader gets `{ status: 'waiting', reason: 'waiting-for-leader' }`.
 */
import { NotFoundError, PermissionDeniedError } from '../juju/errors.ts';
import type { HookTools, RelationIdString, SecretInfo } from '../juju/types.ts';
import type { JujuVersion } from '../juju/version.ts';
import type { Relations } from '../relations/relations.ts';
import type { Relation } from '../relations/relation.ts';
import { assertSecretContent, sameContent, type SecretContent } from './content.ts';

export type SecretScope = 'app' | 'unit';

/** Registers secret values for masking (lib/juju/redact.ts Redactor fits). */
export interface SecretRedactor { register(value: string): void }

export type EnsureResult =
  | { readonly status: 'ready'; readonly content: SecretContent; readonly created: boolean; readonly id?: string }
  | { readonly status: 'waiting'; readonly reason: 'waiting-for-leader' | 'waiting-for-peer-relation'; readonly message: string };

/** A write the caller may not make right now (non-leader writing app scope, no peer relation yet). */
export class SecretStoreError extends Error {
  override readonly name = 'SecretStoreError';
}

/** What every backend needs; built once by SecretStore. */
export interface StoreEnv {
  readonly tools: HookTools;
  readonly version: JujuVersion;
  readonly unit: string;
  readonly app: string;
  readonly isLeader: () => boolean;
  readonly redactor?: SecretRedactor;
  readonly relations?: Relations;
  readonly peerEndpoint?: string;
}

export function register(env: StoreEnv, content: SecretContent | undefined): void {
  if (!content || !env.redactor) return;
  for (const v of Object.values(content)) env.redactor.register(v);
}

/** One app- or unit-scoped secret, the same API on both backends. */
export interface ScopedSecret {
  readonly purpose: string;
  readonly scope: SecretScope;
  readonly label: string;
  /** Current content (Juju: `--refresh`, so the latest revision is tracked); undefined when absent. */
  get(): SecretContent | undefined;
  /** Latest content without moving this unit's tracking (Juju `--peek`). */
  peek(): SecretContent | undefined;
  /** `secret:<id>` (Juju backend, owner only); undefined when absent or on 2.9. */
  id(): string | undefined;
  /** Create or update; identical content writes nothing (no new revision). Returns the id on Juju. */
  set(content: SecretContent): string | undefined;
  getOrCreate(make: () => SecretContent | Promise<SecretContent>): Promise<EnsureResult>;
  /** Remove entirely; absent is fine. */
  remove(): void;
  /** Give one relation's remote app read access (Juju only; no-op on 2.9, where nothing is shared by id). */
  grant(relation: Relation): void;
  revoke(relation: Relation): void;
}

const waitingForLeader = (purpose: string): EnsureResult => ({
  status: 'waiting', reason: 'waiting-for-leader', message: `waiting for the leader to create the "${purpose}" secret`,
});

async function ensure(s: ScopedSecret, env: StoreEnv, make: () => SecretContent | Promise<SecretContent>): Promise<EnsureResult> {
  const existing = s.get();
  if (existing) return { status: 'ready', content: existing, created: false, ...(s.scope === 'app' && !env.isLeader() ? {} : idField(s.id())) };
  if (s.scope === 'app' && !env.isLeader()) return waitingForLeader(s.purpose);
  const content = await make();
  assertSecretContent(content, env.version);
  const id = s.set(content);
  return { status: 'ready', content, created: true, ...idField(id) };
}

const idField = (id: string | undefined): { id?: string } => (id === undefined ? {} : { id });

// --------------------------------------------------------------------------------------
/** Juju secrets backend (contract §3). */
export class JujuScopedSecret implements ScopedSecret {
  readonly purpose: string;
  readonly scope: SecretScope;
  readonly label: string;
  readonly description: string;
  readonly #env: StoreEnv;

  constructor(env: StoreEnv, scope: SecretScope, purpose: string, label: string, description: string) {
    this.#env = env;
    this.scope = scope;
    this.purpose = purpose;
    this.label = label;
    this.description = description;
  }

  #read(mode: 'refresh' | 'peek'): SecretContent | undefined {
    try {
      const content = this.#env.tools.secretGet({ label: this.label, [mode]: true });
      register(this.#env, content);
      return content;
    } catch (e) {
      if (e instanceof NotFoundError) return undefined; // `consumer label "<l>" not found` (contract §3.5 item 9)
      throw e;
    }
  }

  get(): SecretContent | undefined { return this.#read('refresh'); }
  peek(): SecretContent | undefined { return this.#read('peek'); }

  info(): SecretInfo | undefined {
    try {
      return this.#env.tools.secretInfoGet({ label: this.label });
    } catch (e) {
      if (e instanceof NotFoundError || e instanceof PermissionDeniedError) return undefined;
      throw e;
    }
  }

  id(): string | undefined {
    const info = this.info();
    return info ? `secret:${info.id}` : undefined;
  }

  #assertCanManage(): void {
    if (this.scope === 'app' && !this.#env.isLeader()) {
      throw new SecretStoreError(`unit ${this.#env.unit} may not write the application secret "${this.label}": only the leader manages application-owned secrets (contract §3.2)`);
    }
  }

  set(content: SecretContent): string {
    this.#assertCanManage();
    assertSecretContent(content, this.#env.version);
    register(this.#env, content);
    const current = this.peek();
    if (current === undefined) {
      return this.#env.tools.secretAdd(content, { owner: this.scope === 'app' ? 'application' : 'unit', label: this.label, description: this.description });
    }
    const id = this.id();
    if (id === undefined) throw new SecretStoreError(`secret "${this.label}" is readable but secret-info-get cannot find it`);
    // Identical content: write nothing, so re-running a hook makes no revision (pre-3.6 Juju would, contract §3.4).
    if (!sameContent(current, content)) {
      this.#env.tools.secretSet(id, content);
      // Owners track revisions too since 3.1.7/3.3.1 (contract §3.5 item 7): move our own
      // tracking to the new revision, or the old one is never released for secret-remove.
      // (Item 8: the refresh onto a pending revision is applied at commit.)
      if (this.#env.version.ownersTrackRevisions) this.#env.tools.secretGet({ id, refresh: true });
    }
    return id;
  }

  getOrCreate(make: () => SecretContent | Promise<SecretContent>): Promise<EnsureResult> {
    return ensure(this, this.#env, make);
  }

  remove(): void {
    this.#assertCanManage();
    const id = this.id();
    if (id === undefined) return;
    try {
      this.#env.tools.secretRemove(id);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }

  grant(relation: Relation): void {
    this.#assertCanManage();
    const id = this.id();
    if (id === undefined) throw new SecretStoreError(`cannot grant secret "${this.label}" on ${relation.name}: it does not exist`);
    this.#env.tools.secretGrant(id, relation.name);
  }

  revoke(relation: Relation): void {
    this.#assertCanManage();
    const id = this.id();
    if (id === undefined) return;
    try {
      this.#env.tools.secretRevoke(id, { relationId: relation.name as RelationIdString });
    } catch (e) {
      // The relation may already be gone from Juju's view (its grants die with it, contract §3.5 item 10).
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
}

// --------------------------------------------------------------------------------------
/** Juju 2.9 fallback (no secrets): peer app bag / leader settings for app scope, unit state for unit scope. */
export class FallbackScopedSecret implements ScopedSecret {
  readonly purpose: string;
  readonly scope: SecretScope;
  readonly label: string;
  readonly #env: StoreEnv;
  /** The key under which the JSON-encoded content is kept. */
  readonly key: string;

  constructor(env: StoreEnv, scope: SecretScope, purpose: string, label: string) {
    this.#env = env;
    this.scope = scope;
    this.purpose = purpose;
    this.label = label;
    this.key = `secret.${label}`;
  }

  /** The peer relation holding app-scoped values, or null when there is none yet; undefined = use leader settings. */
  #peer(): Relation | null | undefined {
    if (this.scope !== 'app' || !this.#env.peerEndpoint) return undefined;
    if (!this.#env.relations) throw new SecretStoreError('the 2.9 fallback with a peer endpoint needs the Relations object (SecretStore option `relations`)');
    return this.#env.relations.all(this.#env.peerEndpoint)[0] ?? null;
  }

  #raw(): string | undefined {
    if (this.scope === 'unit') return this.#env.tools.stateGet()[this.key] || undefined;
    const peer = this.#peer();
    if (peer === null) return undefined;
    if (peer) return peer.localApp.get(this.key);
    return this.#env.tools.leaderGet()[this.key] || undefined;
  }

  get(): SecretContent | undefined {
    const raw = this.#raw();
    if (raw === undefined) return undefined;
    let parsed: unknown;
    try { parsed = JSON.parse(raw); } catch { throw new SecretStoreError(`stored value of "${this.label}" (${this.scope} scope, 2.9 fallback) is not JSON`); }
    const content = parsed as SecretContent;
    register(this.#env, content);
    return content;
  }

  peek(): SecretContent | undefined { return this.get(); }
  id(): undefined { return undefined; }

  #write(value: string): void {
    if (this.scope === 'unit') {
      if (value === '') this.#env.tools.stateDelete(this.key);
      else this.#env.tools.stateSet({ [this.key]: value });
      return;
    }
    if (!this.#env.isLeader()) throw new SecretStoreError(`unit ${this.#env.unit} may not write the application value "${this.label}": only the leader does`);
    const peer = this.#peer();
    if (peer === null) throw new SecretStoreError(`cannot store "${this.label}" yet: the peer relation "${this.#env.peerEndpoint}" does not exist`);
    if (peer) peer.localApp.set(this.key, value); // flushed by relations.commit()
    else this.#env.tools.leaderSet({ [this.key]: value });
  }

  set(content: SecretContent): undefined {
    assertSecretContent(content, this.#env.version);
    register(this.#env, content);
    if (!sameContent(this.get(), content)) this.#write(JSON.stringify(content));
    return undefined;
  }

  async getOrCreate(make: () => SecretContent | Promise<SecretContent>): Promise<EnsureResult> {
    if (this.scope === 'app' && this.#peer() === null && !this.get()) {
      return { status: 'waiting', reason: 'waiting-for-peer-relation', message: `waiting for the peer relation "${this.#env.peerEndpoint}" to store "${this.purpose}"` };
    }
    return ensure(this, this.#env, make);
  }

  remove(): void {
    if (this.#raw() !== undefined) this.#write('');
  }

  grant(): void { /* 2.9: values cross relations inline (RelationSecret); nothing to grant */ }
  revoke(): void { /* as grant */ }
}
