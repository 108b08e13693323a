/**
 * The per-hook bundle every charm builds first: Relations, a SecretStore and the Logger, all
 * sharing the hook's Tools and redactor, so a charm's reconcile() starts with one line:
 *
 *   const kit = charmKit(ctx, { peerEndpoint: 'cluster' });
 *   ...
 *   kit.relations.commit();   // once, at the end: one relation-set per written bag
 */
import type { CharmContext } from '../juju/dispatch.ts';
import type { Logger } from '../juju/log.ts';
import { Relations } from '../relations/relations.ts';
import type { Relation } from '../relations/relation.ts';
import { SecretStore } from '../secrets/store.ts';

export interface CharmKitOptions {
  /** Peer endpoint: on Juju 2.9 app-scoped "secrets" live in its app bag (lib/secrets). */
  readonly peerEndpoint?: string;
  /** Consuming side of a CMR on Juju < 3.6.2 (no relation-model-get); see lib/secrets negotiation. */
  readonly isConsumedRelation?: (relation: Relation) => boolean;
}

export interface CharmKit {
  readonly ctx: CharmContext;
  readonly relations: Relations;
  readonly store: SecretStore;
  readonly log: Logger;
  /** The peer endpoint given in the options, if any. */
  readonly peerEndpoint?: string;
  /** is-leader, asked at most once per hook (shared with Relations and the SecretStore). */
  isLeader(): boolean;
}

export function charmKit(ctx: CharmContext, options: CharmKitOptions = {}): CharmKit {
  const relations = Relations.fromContext(ctx.tools, ctx.hook);
  const store = new SecretStore({
    tools: ctx.tools,
    unit: ctx.hook.unit.name,
    version: ctx.version,
    ...(ctx.hook.modelUuid ? { modelUuid: ctx.hook.modelUuid } : {}),
    relations,
    // The Logger's redactor is the one Tools and dispatch use: every secret value read or
    // written through the store is masked in logs, statuses and the failure line.
    redactor: ctx.log.redactor,
    ...(options.peerEndpoint ? { peerEndpoint: options.peerEndpoint } : {}),
    ...(options.isConsumedRelation ? { isConsumedRelation: options.isConsumedRelation } : {}),
  });
  return {
    ctx, relations, store, log: ctx.log,
    ...(options.peerEndpoint ? { peerEndpoint: options.peerEndpoint } : {}),
    isLeader: () => relations.actor.isLeader(),
  };
}
