import { describe, it, expect } from '@jest/globals';
import { classifySubjectAltNames, addressesFromNetworkInfo, sansFromNetworkInfo, isDnsName } from './names.ts';
import type { NetworkInfo } from '../juju/types.ts';

describe('classifySubjectAltNames', () => {
  it('puts IPv4/IPv6 literals in ip and hostnames in dns, deduplicated in order', () => {
    expect(classifySubjectAltNames(['10.0.0.5', 'Unit-0.Example.com.', '[FE80::0:1]', 'fe80::1', '10.0.0.5', 'localhost']))
      .toEqual({ ip: ['10.0.0.5', 'fe80::1'], dns: ['unit-0.example.com', 'localhost'] });
  });

  it('accepts a leading wildcard label only', () => {
    expect(isDnsName('*.apps.example.com')).toBe(true);
    expect(isDnsName('a.*.example.com')).toBe(false);
    expect(isDnsName('-bad.example')).toBe(false);
  });

  it('rejects entries that are neither, quoting the value', () => {
    expect(() => classifySubjectAltNames(['ok.example', 'not a name'])).toThrow(/Option "sans" must be IP addresses or DNS names, got "not a name"/);
  });
});

describe('network-get addresses (contract §2.12)', () => {
  const info: NetworkInfo = {
    'bind-addresses': [{ 'interface-name': 'eth0', addresses: [{ hostname: 'juju-abc-0', value: '10.0.0.5', cidr: '10.0.0.0/24' }, { value: 'fd00::5' }] }],
    'egress-subnets': ['10.0.0.5/32'],
    'ingress-addresses': ['203.0.113.7', '10.0.0.5'],
  };

  it('lists ingress first, then bind addresses and hostnames', () => {
    expect(addressesFromNetworkInfo(info)).toEqual(['203.0.113.7', '10.0.0.5', 'juju-abc-0', 'fd00::5']);
  });

  it('turns one or more network-get results plus extra names into SANs', () => {
    expect(sansFromNetworkInfo([info, { 'ingress-addresses': ['192.0.2.1', 'bad_host'] }], ['nats.example'])).toEqual({
      ip: ['203.0.113.7', '10.0.0.5', 'fd00::5', '192.0.2.1'], dns: ['juju-abc-0', 'nats.example'],
    });
  });
});
