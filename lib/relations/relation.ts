/**
 * A relation addressed by (endpoint, id), with its four kinds of databag (contract §2.6):
 * local unit, local app, each remote unit, remote app. Lazily reads what it needs; every
 * hook-tool call passes this relation's id, so nothing can cross between relation ids.
 */
import type { HookTools, RelationIdString } from '../juju/types.ts';
import { RelationAccessError } from '../juju/errors.ts';
import type { Actor } from './access.ts';
import { Databag } from './databag.ts';

/** On the offering side of a cross-model relation Juju names the remote app `remote-<32 hex>` (contract §4.2). */
export const OFFER_SIDE_REMOTE_APP = /^remote-[0-9a-f]{32}$/;

export interface RelationInit {
  readonly endpoint: string;
  readonly id: number;
  /** false while this hook is the relation's `-relation-broken` (contract §1.4, §2.1). */
  readonly live: boolean;
  /** Known from JUJU_REMOTE_APP for the hook's own relation; else read with `relation-list --app`. */
  readonly remoteApp?: string;
}

export class Relation {
  readonly endpoint: string;
  readonly id: number;
  readonly live: boolean;
  readonly #tools: HookTools;
  readonly #actor: Actor;
  #remoteApp: string | undefined;
  #units: string[] | undefined;
  #local: Databag | undefined;
  #localApp: Databag | undefined;
  #remoteAppBag: Databag | undefined;
  readonly #remoteUnits = new Map<string, Databag>();

  constructor(tools: HookTools, actor: Actor, init: RelationInit) {
    this.#tools = tools;
    this.#actor = actor;
    this.endpoint = init.endpoint;
    this.id = init.id;
    this.live = init.live;
    this.#remoteApp = init.remoteApp || undefined;
  }

  /** `<endpoint>:<id>`, the form hook tools and JUJU_RELATION_ID use. */
  get name(): RelationIdString {
    return `${this.endpoint}:${this.id}`;
  }

  /** Remote application name: a SAAS name on the consuming side of a CMR, `remote-<hex>` on the offering side. */
  get remoteApp(): string {
    this.#remoteApp ??= this.#tools.relationRemoteApp(this.name);
    return this.#remoteApp;
  }

  /** A peer relation: the other side is our own application. */
  get isPeer(): boolean {
    return this.remoteApp === this.#actor.app;
  }

  /**
   * True when we are the OFFERING side of a cross-model relation (remote app `remote-<hex>`).
   * The consuming side cannot tell from names (the SAAS name looks like any app); use
   * `relation-model-get` (3.6.2+) or explicit configuration — see lib/secrets negotiation.
   */
  get isOfferSideOfCrossModel(): boolean {
    return OFFER_SIDE_REMOTE_APP.test(this.remoteApp);
  }

  /** Remote units in scope (for a peer relation: the other units of our app). Empty when broken. */
  get units(): readonly string[] {
    if (!this.live) return [];
    this.#units ??= this.#tools.relationList(this.name);
    return this.#units;
  }

  #bag(kind: 'unit' | 'app', owner: string): Databag {
    return new Databag(this.#tools, this.#actor, { relation: this.name, kind, owner, peer: this.isPeer });
  }

  /** Our own unit bag (read/write). */
  get local(): Databag {
    this.#local ??= this.#bag('unit', this.#actor.unit);
    return this.#local;
  }

  /** Our application bag: leader writes; reads need leadership outside peer relations. */
  get localApp(): Databag {
    this.#localApp ??= this.#bag('app', this.#actor.app);
    return this.#localApp;
  }

  /** The remote application's bag (read-only). For a peer relation this is our own app bag. */
  get remoteAppBag(): Databag {
    if (this.isPeer) return this.localApp;
    this.#remoteAppBag ??= this.#bag('app', this.remoteApp);
    return this.#remoteAppBag;
  }

  /** A remote unit's bag (read-only). Departed units stay readable (contract §2.3). */
  remoteUnit(unit: string): Databag {
    if (!unit.startsWith(`${this.remoteApp}/`)) {
      throw new RelationAccessError(`unit "${unit}" is not a unit of "${this.remoteApp}", the remote side of relation ${this.name}`);
    }
    let bag = this.#remoteUnits.get(unit);
    if (!bag) {
      bag = this.#bag('unit', unit);
      this.#remoteUnits.set(unit, bag);
    }
    return bag;
  }

  /** Bags of every remote unit in scope. */
  remoteUnitBags(): Databag[] {
    return this.units.map((u) => this.remoteUnit(u));
  }

  /** Flush our two writable bags: at most one `relation-set` each. */
  commit(): void {
    this.#local?.commit();
    this.#localApp?.commit();
  }
}
