import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeTools } from '../testing/fake-tools.ts';
import { RUNNERS } from '../testing/runners.ts';
import type { ToolRunner } from '../types.ts';
import { closePort, formatPort, openedPorts, openPort, parsePort } from './ports.ts';

describe('port syntax (contract §2.14)', () => {
  it('formats single ports, ranges and icmp', () => {
    expect(formatPort({ protocol: 'tcp', from: 80 })).toBe('80/tcp');
    expect(formatPort({ protocol: 'udp', from: 8000, to: 8999 })).toBe('8000-8999/udp');
    expect(formatPort({ protocol: 'icmp' })).toBe('icmp');
  });
  it('rejects nonsense before calling Juju', () => {
    expect(() => formatPort({ protocol: 'tcp', from: 0 })).toThrow('invalid port');
    expect(() => formatPort({ protocol: 'tcp', from: 90, to: 80 })).toThrow('invalid port');
    expect(() => formatPort({ protocol: 'tcp' })).toThrow('needs a number');
  });
  it('parses case-insensitively', () => {
    expect(parsePort('80/TCP')).toEqual({ protocol: 'tcp', from: 80, to: 80 });
    expect(parsePort('icmp')).toEqual({ protocol: 'icmp' });
  });
});

describe.each(RUNNERS)('port tools via %s', (_name, makeRunner) => {
  let fake: FakeTools;
  let runner: ToolRunner;
  beforeEach(async () => {
    fake = FakeTools.create();
    runner = await makeRunner(fake.env());
  });
  afterEach(() => fake.cleanup());

  it('open-port <port> (contract §2.14)', () => {
    fake.on('open-port', ['4222/tcp']);
    openPort(runner, { protocol: 'tcp', from: 4222 });
    expect(fake.argvs()).toEqual([['open-port', '4222/tcp']]);
  });

  it('open-port --endpoints a,b <range>', () => {
    fake.on('open-port', ['--endpoints', 'client,cluster', '6000-6010/udp']);
    openPort(runner, { protocol: 'udp', from: 6000, to: 6010 }, { endpoints: ['client', 'cluster'] });
    expect(fake.argvs()).toEqual([['open-port', '--endpoints', 'client,cluster', '6000-6010/udp']]);
  });

  it('close-port icmp', () => {
    fake.on('close-port', ['icmp']);
    closePort(runner, { protocol: 'icmp' });
    expect(fake.argvs()).toEqual([['close-port', 'icmp']]);
  });

  it('opened-ports --format=json → ranges (contract §2.14)', () => {
    fake.on('opened-ports', ['--format=json'], { stdout: '["icmp","80/tcp","8000-8999/udp"]\n' });
    expect(openedPorts(runner)).toEqual([{ protocol: 'icmp' }, { protocol: 'tcp', from: 80, to: 80 }, { protocol: 'udp', from: 8000, to: 8999 }]);
  });
});
