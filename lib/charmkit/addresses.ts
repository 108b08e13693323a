/**
 * Address discovery from `network-get` (contract §2.12): what a unit advertises to a relation
 * (ingress, which is the public address across a CMR when asked with -r) and the names a
 * server certificate must carry (ingress + bind addresses + hostnames of every binding).
 */
import type { HookTools, NetworkInfo, RelationIdString } from '../juju/types.ts';
// names.ts loads no x509 (lib/tls lazy-imports test), so hooks stay fast.
import { addressesFromNetworkInfo } from '../tls/names.ts';

/** Every address/hostname in one network-get answer: ingress first, then bind addresses (2.9 `address` too). */
export const addressesOf: (info: NetworkInfo) => string[] = addressesFromNetworkInfo;

/**
 * The address clients should dial for `binding` (optionally as seen by one relation): the
 * first ingress address, else the first bind address (contract §2.12 "one flag" rule).
 * Undefined when Juju reports none.
 */
export function ingressAddress(tools: Pick<HookTools, 'networkGet'>, binding: string, relationId?: RelationIdString | number): string | undefined {
  const info = tools.networkGet(binding, relationId === undefined ? {} : { relationId });
  return info['ingress-addresses']?.[0] ?? info['bind-addresses']?.flatMap((b) => b.addresses ?? []).map((a) => a.value ?? (a as { address?: string }).address).find(Boolean);
}

/** The first bind address of `binding` (where to listen), else undefined. */
export function bindAddress(tools: Pick<HookTools, 'networkGet'>, binding: string): string | undefined {
  const info = tools.networkGet(binding);
  return info['bind-addresses']?.flatMap((b) => b.addresses ?? []).map((a) => a.value ?? (a as { address?: string }).address).find(Boolean)
    ?? info['ingress-addresses']?.[0];
}

/**
 * Subject alternative names for a server certificate: the unit's private and public addresses,
 * every address of every binding (and of each listed relation, whose ingress may be a
 * public/CMR address), plus `extra` names.
 * Sorted, so the list (and thus the certificate) does not churn with answer order.
 * A binding Juju does not know (`no network config found`) is skipped.
 */
export function serverNames(tools: Pick<HookTools, 'networkGet' | 'unitGet'>, bindings: readonly string[], options: { relations?: readonly RelationIdString[]; extra?: readonly string[] } = {}): string[] {
  const names = new Set<string>(options.extra ?? []);
  // The public address is what cross-model clients dial (contract §4.2: their ingress). Taking
  // it from unit-get up front keeps the certificate stable: it does not depend on whether a
  // CMR relation already existed when the certificate was first issued.
  for (const setting of ['private-address', 'public-address'] as const) {
    const address = tools.unitGet(setting);
    if (address) names.add(address);
  }
  const collect = (binding: string, relationId?: RelationIdString): void => {
    try {
      for (const a of addressesOf(tools.networkGet(binding, relationId === undefined ? {} : { relationId }))) names.add(a);
    } catch (e) {
      if (!(e instanceof Error) || !/no network config found/.test(e.message)) throw e;
    }
  };
  for (const b of bindings) collect(b);
  for (const r of options.relations ?? []) collect(r.slice(0, r.lastIndexOf(':')), r);
  return [...names].sort();
}
