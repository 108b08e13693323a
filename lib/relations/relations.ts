/**
 * Entry point of lib/relations: live relations per endpoint, looked up by (endpoint, id).
 *
 *   const relations = new Relations(tools, { unit: env.JUJU_UNIT_NAME, hookName, relationId });
 *   for (const r of relations.all('client')) r.local.set('url', url);
 *   relations.commit();   // one relation-set per written bag
 */
import type { HookContext } from '../juju/context.ts';
import type { HookTools } from '../juju/types.ts';
import type { Actor } from './access.ts';
import { Relation } from './relation.ts';

/** A lookup named a relation that is not a live relation of that endpoint. */
export class RelationLookupError extends Error {
  override readonly name = 'RelationLookupError';
}

export interface RelationsOptions {
  /** JUJU_UNIT_NAME */
  readonly unit: string;
  /** JUJU_HOOK_NAME (empty for actions) */
  readonly hookName?: string;
  /** JUJU_RELATION_ID of the current hook (`<endpoint>:<n>`), if any. */
  readonly relationId?: string;
  /** JUJU_REMOTE_APP of the current hook, if any. */
  readonly remoteApp?: string;
}

/** Parse `<endpoint>:<n>` (the integer after the last colon is the id, contract §1.2). */
export function parseRelationId(text: string): { endpoint: string; id: number } {
  const i = text.lastIndexOf(':');
  const id = Number(text.slice(i + 1));
  if (i <= 0 || !Number.isInteger(id) || id < 0 || text.slice(i + 1) === '') throw new RelationLookupError(`invalid relation id "${text}": expected <endpoint>:<n>`);
  return { endpoint: text.slice(0, i), id };
}

export class Relations {
  readonly actor: Actor;
  readonly #tools: HookTools;
  readonly #options: RelationsOptions;
  readonly #byId = new Map<number, Relation>();
  readonly #idsByEndpoint = new Map<string, number[]>();
  #leader: boolean | undefined;

  constructor(tools: HookTools, options: RelationsOptions) {
    this.#tools = tools;
    this.#options = options;
    const unit = options.unit;
    const app = unit.split('/')[0] ?? unit;
    this.actor = {
      unit,
      app,
      isLeader: () => (this.#leader ??= tools.isLeader()),
    };
  }

  /** From the parsed JUJU_* context (lib/juju/context.ts). */
  static fromContext(tools: HookTools, ctx: Pick<HookContext, 'unit' | 'name' | 'relation' | 'remoteApp'>): Relations {
    return new Relations(tools, {
      unit: ctx.unit.name,
      hookName: ctx.name,
      ...(ctx.relation ? { relationId: ctx.relation.idString } : {}),
      ...(ctx.remoteApp ? { remoteApp: ctx.remoteApp } : {}),
    });
  }

  /** The hook's own relation (live, or not live during `-relation-broken`), if any. */
  current(): Relation | undefined {
    const rid = this.#options.relationId;
    if (!rid) return undefined;
    const { endpoint, id } = parseRelationId(rid);
    return this.#relation(endpoint, id, !this.#isBrokenHook(endpoint));
  }

  /** The relation being broken by this hook, for clean-up (revoking grants, retiring credentials). */
  brokenRelation(): Relation | undefined {
    const r = this.current();
    return r && !r.live ? r : undefined;
  }

  #isBrokenHook(endpoint: string): boolean {
    return this.#options.hookName === `${endpoint}-relation-broken`;
  }

  #liveIds(endpoint: string): number[] {
    let ids = this.#idsByEndpoint.get(endpoint);
    if (!ids) {
      // relation-ids already omits a broken relation (contract §2.1); filter anyway so a
      // lagging backend cannot resurrect it.
      const brokenId = this.#isBrokenHook(endpoint) && this.#options.relationId ? parseRelationId(this.#options.relationId).id : undefined;
      ids = this.#tools.relationIds(endpoint).map((r) => parseRelationId(r).id).filter((id) => id !== brokenId);
      this.#idsByEndpoint.set(endpoint, ids);
    }
    return ids;
  }

  #relation(endpoint: string, id: number, live: boolean): Relation {
    let r = this.#byId.get(id);
    if (r && r.endpoint !== endpoint) throw new RelationLookupError(`relation ${id} belongs to endpoint "${r.endpoint}", not "${endpoint}"`);
    if (!r) {
      const isCurrent = this.#options.relationId !== undefined && this.#options.relationId === `${endpoint}:${id}`;
      r = new Relation(this.#tools, this.actor, { endpoint, id, live, remoteApp: isCurrent ? this.#options.remoteApp : undefined });
      this.#byId.set(id, r);
    }
    return r;
  }

  /** Live relations of an endpoint, ordered by id. */
  all(endpoint: string): Relation[] {
    return this.#liveIds(endpoint).map((id) => this.#relation(endpoint, id, true));
  }

  /**
   * The live relation `<endpoint>:<id>`. Throws RelationLookupError when the id is not a live
   * relation of THAT endpoint (another endpoint's relation, a broken one, or unknown), so a
   * wrong pair never yields another relation's data.
   */
  get(endpoint: string, id: number): Relation {
    if (!this.#liveIds(endpoint).includes(id)) {
      const why = this.#isBrokenHook(endpoint) && this.#options.relationId === `${endpoint}:${id}`
        ? 'it is being broken by this hook (use brokenRelation())'
        : 'it is not among relation-ids for that endpoint';
      throw new RelationLookupError(`relation ${endpoint}:${id} is not a live relation of endpoint "${endpoint}": ${why}`);
    }
    return this.#relation(endpoint, id, true);
  }

  /** Find by the `<endpoint>:<n>` text (e.g. JUJU_RELATION_ID, or a secret label). */
  byName(name: string): Relation {
    const { endpoint, id } = parseRelationId(name);
    return this.get(endpoint, id);
  }

  /** Flush every relation touched in this hook: at most one relation-set per written bag. */
  commit(): void {
    for (const r of this.#byId.values()) r.commit();
  }
}
