/**
 * Two small reconcile-style test charms built only on lib/relations + lib/secrets, used by
 * the unit tests (in-process) and the integration tests (executables):
 * - `natsy` provides `client` (nats), peers `cluster`: app-scoped CA, unit-scoped key, a
 *   per-relation token shared by secret id or inline, per negotiation;
 * - `agent` requires `nats`: advertises secret support, reads url/CA/token.
 * What each requirer unit saw is reported through `observed`, never stored in Juju.
 */
import { randomBytes } from 'node:crypto';
import type { HookContext } from '../../juju/context.ts';
import type { HookTools } from '../../juju/types.ts';
import { Relations } from '../../relations/relations.ts';
import { charmSpec } from '../../relations/testing/sim.ts';
import { SecretStore } from '../store.ts';

export const NATSY = charmSpec('natsy', { provides: { client: 'nats' }, peers: { cluster: 'nats-cluster' } });
export const AGENT = charmSpec('agent', { requires: { nats: 'nats' } });

export const fakePem = (tag: string): string => `-----BEGIN CERTIFICATE-----\n${Buffer.from(`cert-${tag}`).toString('base64')}\n-----END CERTIFICATE-----\n`;

export interface Observed { token?: string; via?: string; status: string; url?: string }
/** unit (as seen by the requirer, e.g. `agent/0`) → relation name → what it read. */
export type ObservedMap = Map<string, Map<string, Observed>>;

export interface CharmHookInput { readonly tools: HookTools & { redactor?: { register(v: string): void } }; readonly ctx: HookContext }

function storeFor(tools: CharmHookInput['tools'], ctx: HookContext, relations: Relations, peerEndpoint?: string): SecretStore {
  return new SecretStore({
    tools, unit: ctx.unit.name, version: ctx.jujuVersion, modelUuid: ctx.modelUuid, relations,
    ...(peerEndpoint ? { peerEndpoint } : {}),
    ...(tools.redactor ? { redactor: tools.redactor } : {}),
  });
}

const random = (n: number): string => randomBytes(n).toString('hex');

/** Provider reconcile, run for every hook. */
export async function natsyHook({ tools, ctx }: CharmHookInput): Promise<void> {
  const relations = Relations.fromContext(tools, ctx);
  const store = storeFor(tools, ctx, relations, 'cluster');
  if (ctx.kind === 'secret-remove' && ctx.secret) store.handleSecretRemove(ctx.secret.id, ctx.secret.revision);
  const broken = relations.brokenRelation();
  if (broken && broken.endpoint === 'client') store.forRelation(broken, 'token', { keys: ['token'] }).retire();

  const ca = await store.app('ca', { description: 'test CA' }).getOrCreate(() => ({ 'ca-key': `key-${random(16)}`, 'ca-cert': fakePem(random(4)) }));
  await store.unit('tls-key').getOrCreate(() => ({ key: `unitkey-${random(16)}` }));
  for (const r of relations.all('client')) {
    r.local.set('url', `tls://${ctx.unit.app}-${ctx.unit.number}.example:4222`);
    if (ca.status === 'ready' && relations.actor.isLeader()) {
      r.localApp.set('ca_cert', ca.content['ca-cert']!);
      await store.forRelation(r, 'token', { keys: ['token'] }).share(() => ({ token: `tok-${random(16)}` }));
    }
  }
  relations.commit();
}

/** Leader action: publish a new token on every client relation. */
export function natsyRotate({ tools, ctx }: CharmHookInput): string[] {
  const relations = Relations.fromContext(tools, ctx);
  const store = storeFor(tools, ctx, relations, 'cluster');
  const tokens: string[] = [];
  for (const r of relations.all('client')) {
    const token = `tok-${random(16)}`;
    const res = store.forRelation(r, 'token', { keys: ['token'] }).update({ token });
    if (res.status === 'shared') tokens.push(token);
  }
  relations.commit();
  return tokens;
}

/** Requirer reconcile; records what it read in `observed`. */
export function agentHook(observed: ObservedMap) {
  return ({ tools, ctx }: CharmHookInput): void => {
    const relations = Relations.fromContext(tools, ctx);
    const store = storeFor(tools, ctx, relations);
    const route = ctx.kind === 'secret-changed' ? store.route(ctx.secret?.label) : undefined;
    const seen = observed.get(ctx.unit.name) ?? new Map<string, Observed>();
    observed.set(ctx.unit.name, seen);
    for (const r of relations.all('nats')) {
      store.advertise(r);
      const secret = store.forRelation(r, 'token', { keys: ['token'] });
      const changedHere = route?.kind === 'relation' && route.endpoint === r.endpoint && route.relationId === r.id;
      const res = changedHere ? secret.refresh() : secret.read();
      const url = r.remoteUnitBags().map((b) => b.get('url')).find(Boolean);
      seen.set(r.name, res.status === 'ready'
        ? { token: res.content.token!, via: res.via, status: 'ready', ...(url ? { url } : {}) }
        : { status: res.status, ...(url ? { url } : {}) });
    }
    relations.commit();
  };
}
