/**
 * Subject Alternative Names: classify a list of addresses/hostnames into IP and DNS entries,
 * and collect candidate addresses from `network-get` output (contract §2.12).
 */
import { isIP } from 'node:net';
import type { NetworkInfo } from '../juju/types.ts';
import { invalidOption } from './errors.ts';

export interface SubjectAltNames {
  readonly dns: readonly string[];
  readonly ip: readonly string[];
}

// RFC 1123 labels; a leading "*." wildcard label is allowed (RFC 6125 §6.4.3).
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

export function isDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.replace(/\.$/, '').split('.');
  return labels.every((l, i) => (i === 0 && l === '*' && labels.length > 2) || LABEL.test(l));
}

/** Canonical textual IP: IPv4 as is, IPv6 lower-cased and compressed (so dedupe works). */
export function canonicalIp(ip: string): string {
  if (isIP(ip) === 6) {
    const u = new URL(`http://[${ip}]/`);
    return u.hostname.slice(1, -1);
  }
  return ip;
}

/**
 * Split addresses/hostnames into SAN entries: IP literals become iPAddress entries (a DNS
 * entry holding an IP is ignored by TLS clients, RFC 6125 §6.2.1), everything else must be
 * a valid DNS name. IPv6 may be given in brackets. Duplicates are dropped, order kept.
 */
export function classifySubjectAltNames(entries: readonly string[], option = 'sans'): SubjectAltNames {
  const dns: string[] = [];
  const ip: string[] = [];
  for (const raw of entries) {
    if (typeof raw !== 'string') throw invalidOption(option, raw, 'a list of IP addresses or DNS names');
    const e = raw.trim().replace(/^\[(.*)\]$/, '$1');
    if (e === '') continue;
    if (isIP(e)) {
      const c = canonicalIp(e);
      if (!ip.includes(c)) ip.push(c);
    } else if (isDnsName(e)) {
      const c = e.toLowerCase().replace(/\.$/, '');
      if (!dns.includes(c)) dns.push(c);
    } else {
      throw invalidOption(option, raw, 'IP addresses or DNS names');
    }
  }
  return { dns, ip };
}

/**
 * Every address and hostname in `network-get` output: ingress addresses first (what peers
 * dial), then bind addresses and their hostnames. Use with `classifySubjectAltNames`.
 * Contract §2.12 and §2.12's 2.9 note: the address field is `value` (older: `address`).
 */
export function addressesFromNetworkInfo(info: NetworkInfo): string[] {
  const out: string[] = [];
  const add = (v: unknown): void => {
    if (typeof v === 'string' && v !== '' && !out.includes(v)) out.push(v);
  };
  for (const a of info['ingress-addresses'] ?? []) add(a);
  for (const b of info['bind-addresses'] ?? []) {
    for (const a of b.addresses ?? []) {
      add(a.value ?? (a as { address?: string }).address);
      add(a.hostname);
    }
  }
  return out;
}

/**
 * SANs for a server certificate from one or more `network-get` results plus extra names.
 * Entries from Juju that are neither an IP nor a valid DNS name (e.g. a hostname with an
 * underscore) are skipped rather than failing the hook; `extra` is checked strictly.
 */
export function sansFromNetworkInfo(infos: NetworkInfo | readonly NetworkInfo[], extra: readonly string[] = []): SubjectAltNames {
  const list = Array.isArray(infos) ? infos : [infos as NetworkInfo];
  const fromJuju = list.flatMap(addressesFromNetworkInfo).filter((a) => isIP(a.replace(/^\[(.*)\]$/, '$1')) || isDnsName(a));
  return classifySubjectAltNames([...fromJuju, ...extra]);
}
