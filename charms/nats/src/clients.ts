/**
 * Provider side of `client` (interface nats), per relation:
 * - every unit: its unit bag `url` (`tls://` when TLS is on, else `nats://`; host = this
 *   relation's ingress address, so a cross-model client gets the address it can reach);
 * - leader: app bag `ca_cert`, and the credential negotiated per relation (lib/secrets):
 *     secret mode (requirer said `secrets_supported: "true"`, and we may grant: never on the
 *       consuming side of a CMR) → the `nats-token` secret granted to THIS relation only and
 *       its id in `token_secret_id`; nothing secret in any bag;
 *     inline mode (2.9, a requirer that cannot read secrets) → nothing secret in the app
 *       bag; each unit's `url` is the legacy `tls://<token>@host:port`;
 *     undecided (the requirer has said nothing yet) → no credential anywhere until it does.
 * Invalid requirer data: blocked naming relation and field; that relation is left as it was.
 */
import { ingressAddress } from '../../../lib/charmkit/addresses.ts';
import type { CharmKit } from '../../../lib/charmkit/kit.ts';
import { loadInterface } from '../../../lib/relations/interfaces.ts';
import type { ScopedSecret } from '../../../lib/secrets/scoped.ts';
import type { StatusBook } from '../../common/src/status-book.ts';
import { hostPort } from './workload-render.ts';

export const CLIENT_ENDPOINT = 'client';

export interface ClientsInput {
  readonly port: number;
  readonly tls: boolean;
  /** CA bundle clients verify the server with (when TLS is on). */
  readonly caPem?: string | undefined;
  readonly token: string;
  readonly tokenId?: string | undefined;
  readonly secret: ScopedSecret;
}

export async function reconcileClients(kit: CharmKit, input: ClientsInput, book: StatusBook): Promise<number> {
  const nats = await loadInterface('nats');
  const leader = kit.isLeader();
  const relations = kit.relations.all(CLIENT_ENDPOINT);
  for (const r of relations) {
    const reads = [nats.read(r.remoteAppBag, 'requirer.app'), ...r.remoteUnitBags().map((b) => nats.read(b, 'requirer.unit'))];
    const invalid = reads.filter((x) => !x.ok && x.reason === 'invalid');
    if (invalid.length) {
      for (const x of invalid) if (!x.ok) book.blocked(x.message);
      continue;
    }
    const { mode, why } = kit.store.transport(r);
    const host = ingressAddress(kit.ctx.tools, CLIENT_ENDPOINT, r.name);
    if (!host) {
      book.waiting(`${r.name}: no ingress address yet`);
      continue;
    }
    const credential = mode === 'inline' ? `${input.token}@` : '';
    nats.write(r.local, 'provider.unit', { url: `${input.tls ? 'tls' : 'nats'}://${credential}${hostPort(host, input.port)}` });
    if (mode === 'undecided') book.note(why);
    if (!leader) continue;
    // Undecided (silent, invalid flag, or a refused downgrade): touch neither the grant nor the
    // app bag, so an id already shared stays there and keeps lib/secrets' no-downgrade rule in force.
    if (mode === 'undecided') continue;

    const hadId = r.localApp.get('token_secret_id');
    const useSecret = mode === 'secret' && input.tokenId !== undefined;
    // Grant once per relation (grants are per secret, not per revision); the id and the grant
    // commit together at hook end (contract §0.4), so an id in the bag means the grant exists.
    if (useSecret && hadId !== input.tokenId) input.secret.grant(r);
    if (!useSecret && hadId) input.secret.revoke(r);
    nats.write(r.localApp, 'provider.app', {
      ...(input.tls && input.caPem ? { ca_cert: input.caPem } : {}),
      ...(useSecret ? { token_secret_id: input.tokenId! } : {}),
    });
  }
  return relations.length;
}
