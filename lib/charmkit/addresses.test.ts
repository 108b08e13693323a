import { describe, expect, it } from '@jest/globals';
import { HookToolError } from '../juju/errors.ts';
import type { NetworkInfo } from '../juju/types.ts';
import { addressesOf, bindAddress, ingressAddress, serverNames } from './addresses.ts';

const INFO: Record<string, NetworkInfo> = {
  client: {
    'bind-addresses': [{ 'interface-name': 'eth0', addresses: [{ hostname: 'nats-0.lxd', value: '10.0.0.5', cidr: '10.0.0.0/24' }] }],
    'ingress-addresses': ['10.0.0.5'],
  },
  cluster: { 'bind-addresses': [{ addresses: [{ value: '192.168.1.5' }] }] },
  'client|7': { 'ingress-addresses': ['203.0.113.9'], 'bind-addresses': [{ addresses: [{ value: '10.0.0.5' }] }] },
};

/** A networkGet fake keyed on the exact arguments; an unknown binding fails like Juju (contract §2.12). */
function tools(addresses: Partial<Record<'private-address' | 'public-address', string>> = {}) {
  const calls: string[] = [];
  return {
    calls,
    unitGet(setting: 'private-address' | 'public-address'): string | undefined {
      calls.push(`unit-get ${setting}`);
      return addresses[setting];
    },
    networkGet(binding: string, options: { relationId?: string | number } = {}): NetworkInfo {
      const key = options.relationId === undefined ? binding : `${binding}|${String(options.relationId).split(':').pop()}`;
      calls.push(key);
      const info = INFO[key];
      if (!info) throw new HookToolError('network-get', [binding], 1, '', `ERROR no network config found for binding "${binding}"\n`);
      return info;
    },
  };
}

describe('address discovery (contract §2.12)', () => {
  it('addressesOf: ingress first, then bind addresses and hostnames, deduplicated', () => {
    expect(addressesOf(INFO['client']!)).toEqual(['10.0.0.5', 'nats-0.lxd']);
  });
  it('ingressAddress: per relation when asked (a CMR sees the public address)', () => {
    const t = tools();
    expect(ingressAddress(t, 'client')).toBe('10.0.0.5');
    expect(ingressAddress(t, 'client', 'client:7')).toBe('203.0.113.9');
    expect(ingressAddress(t, 'cluster')).toBe('192.168.1.5');
  });
  it('bindAddress: the first bind address', () => {
    expect(bindAddress(tools(), 'client')).toBe('10.0.0.5');
  });
  it('serverNames: every binding and relation, sorted; an unknown binding is skipped', () => {
    const t = tools();
    expect(serverNames(t, ['client', 'cluster', 'nope'], { relations: ['client:7'], extra: ['localhost'] }))
      .toEqual(['10.0.0.5', '192.168.1.5', '203.0.113.9', 'localhost', 'nats-0.lxd']);
    expect(t.calls).toEqual(['unit-get private-address', 'unit-get public-address', 'client', 'cluster', 'nope', 'client|7']);
  });
  it('serverNames: the public address is in from the start, before any CMR relation exists (contract §2.15, §4.2)', () => {
    const t = tools({ 'private-address': '10.0.0.5', 'public-address': '203.0.113.9' });
    expect(serverNames(t, ['client'])).toEqual(['10.0.0.5', '203.0.113.9', 'nats-0.lxd']);
  });
});
