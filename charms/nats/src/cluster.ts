/**
 * Peer `cluster` (interface nats-cluster): each unit publishes `address` = host:port of its
 * route listener; every unit routes to the others (nats.cfg `cluster { routes }`).
 */
import { bindAddress, ingressAddress } from '../../../lib/charmkit/addresses.ts';
import type { CharmKit } from '../../../lib/charmkit/kit.ts';
import { loadInterface } from '../../../lib/relations/interfaces.ts';
import type { Relation } from '../../../lib/relations/relation.ts';
import type { StatusBook } from '../../common/src/status-book.ts';
import { hostPort, type NatsCluster } from './workload-render.ts';

export const CLUSTER_ENDPOINT = 'cluster';

/** `host:port` → host (IPv6 brackets removed). */
export function hostOf(address: string): string {
  const host = address.slice(0, address.lastIndexOf(':'));
  return host.replace(/^\[(.*)\]$/, '$1');
}

/**
 * The cluster listener is always rendered (routes empty until peers publish), so the first
 * peer hook never turns a listener on, which would cost a restart instead of a reload.
 */
export async function reconcileCluster(kit: CharmKit, peer: Relation | undefined, port: number, allAddresses: boolean, book: StatusBook): Promise<NatsCluster> {
  const tools = kit.ctx.tools;
  const listenAddress = allAddresses ? '0.0.0.0' : (bindAddress(tools, CLUSTER_ENDPOINT) ?? '0.0.0.0');
  if (!peer) return { listenAddress, port, peers: [] };
  const codec = await loadInterface('nats-cluster');
  const own = ingressAddress(tools, CLUSTER_ENDPOINT, peer.name) ?? bindAddress(tools, CLUSTER_ENDPOINT);
  if (own) codec.write(peer.local, 'peer.unit', { address: hostPort(own, port) });
  else book.waiting(`${peer.name}: no address for the cluster binding yet`);
  const peers: string[] = [];
  for (const bag of peer.remoteUnitBags()) {
    const read = codec.read(bag, 'peer.unit');
    if (read.ok) peers.push(hostOf(read.value.address));
    else if (read.reason === 'invalid') book.blocked(read.message);
    // incomplete: the peer has not published yet; its cluster-relation-changed will come.
  }
  return { listenAddress, port, peers };
}
