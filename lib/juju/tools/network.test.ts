import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeTools } from '../testing/fake-tools.ts';
import { RUNNERS } from '../testing/runners.ts';
import type { ToolRunner } from '../types.ts';
import { HookToolError } from '../errors.ts';
import { networkGet, unitGet } from './network.ts';

const FULL = '{"bind-addresses":[{"mac-address":"00:16:3e:00:00:01","interface-name":"eth0","addresses":[{"hostname":"","value":"10.0.0.5","cidr":"10.0.0.0/24"}]}],"egress-subnets":["10.0.0.5/32"],"ingress-addresses":["10.0.0.5"]}\n';

describe.each(RUNNERS)('network-get via %s', (_name, makeRunner) => {
  let fake: FakeTools;
  let runner: ToolRunner;
  beforeEach(async () => {
    fake = FakeTools.create();
    runner = await makeRunner(fake.env());
  });
  afterEach(() => fake.cleanup());

  it('network-get <binding> --format=json → full structure (contract §2.12)', () => {
    fake.on('network-get', ['client', '--format=json'], { stdout: FULL });
    const info = networkGet(runner, 'client');
    expect(info['ingress-addresses']).toEqual(['10.0.0.5']);
    expect(info['bind-addresses']?.[0]?.addresses?.[0]?.value).toBe('10.0.0.5');
    expect(fake.argvs()).toEqual([['network-get', 'client', '--format=json']]);
  });

  it('network-get <binding> -r ep:id (contract §2.12)', () => {
    fake.on('network-get', ['client', '-r', 'client:3', '--format=json'], { stdout: '{"ingress-addresses":["203.0.113.9"]}\n' });
    expect(networkGet(runner, 'client', { relationId: 'client:3' })).toEqual({ 'ingress-addresses': ['203.0.113.9'] });
  });

  it('unknown binding → exit 1 HookToolError with Juju text (contract §2.12)', () => {
    fake.on('network-get', ['nope', '--format=json'], { exitCode: 1, stderr: 'ERROR no network config found for binding "nope"\n' });
    expect(() => networkGet(runner, 'nope')).toThrow(HookToolError);
    expect(() => networkGet(runner, 'nope')).toThrow('no network config found for binding "nope"');
  });

  it('unit-get public-address --format=json → string (contract §2.15)', () => {
    fake.on('unit-get', ['public-address', '--format=json'], { stdout: '"203.0.113.9"\n' });
    expect(unitGet(runner, 'public-address')).toBe('203.0.113.9');
    expect(fake.argvs()).toEqual([['unit-get', 'public-address', '--format=json']]);
  });

  it('unit-get with no public address → exit 1 `public address not found` → undefined (contract §2.15)', () => {
    fake.on('unit-get', ['public-address', '--format=json'], { exitCode: 1, stderr: 'ERROR public address not found\n' });
    expect(unitGet(runner, 'public-address')).toBeUndefined();
  });
});
