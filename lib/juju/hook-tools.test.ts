/** Tools: per-hook read caching and cache updates on own writes (contract §0.4), over fake executables. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { HookToolError } from './errors.ts';
import { Tools } from './hook-tools.ts';
import { SpawnRunner } from './runner.ts';
import { FakeTools, fileArg } from './testing/fake-tools.ts';
import { JujuVersion } from './version.ts';

const ID = 'secret:cn1';

describe('Tools', () => {
  let fake: FakeTools;
  let tools: Tools;
  beforeEach(() => {
    fake = FakeTools.create();
    tools = new Tools(new SpawnRunner({ env: fake.env() }), { unitName: 'nats/0', relationId: 'client:3' });
  });
  afterEach(() => fake.cleanup());

  it('caches config-get, is-leader (false), relation-ids/-list/--app, leader-get, state-get, network-get, unit-get, relation-model-get, action-get: one call each', () => {
    fake.on('config-get', ['--format=json'], { stdout: '{"port":4222}\n' })
      .on('is-leader', ['--format=json'], { stdout: 'false\n' })
      .on('relation-ids', ['--format=json', 'client'], { stdout: '["client:3"]\n' })
      .on('relation-list', ['-r', 'client:3', '--format=json'], { stdout: '["agent/0"]\n' })
      .on('relation-list', ['-r', 'client:3', '--app', '--format=json'], { stdout: '"agent"\n' })
      .on('leader-get', ['--format=json'], { stdout: '{}\n' })
      .on('state-get', ['--format=json'], { stdout: 'null\n' })
      .on('network-get', ['client', '--format=json'], { stdout: '{"ingress-addresses":["10.0.0.1"]}\n' })
      .on('action-get', ['--format=json'], { stdout: '{"n":1}\n' })
      .on('unit-get', ['public-address', '--format=json'], { stdout: '"203.0.113.9"\n' })
      .on('relation-model-get', ['-r', 'client:3', '--format=json'], { stdout: '{"uuid":"8a0b6c4e-1d2f-4a3b-9c8d-7e6f5a4b3c2d"}\n' });
    for (let i = 0; i < 2; i++) {
      expect(tools.unitGet('public-address')).toBe('203.0.113.9');
      expect(tools.relationModelGet(3)).toEqual({ uuid: '8a0b6c4e-1d2f-4a3b-9c8d-7e6f5a4b3c2d' });
      expect(tools.configGet()).toEqual({ port: 4222 });
      expect(tools.isLeader()).toBe(false);
      expect(tools.relationIds('client')).toEqual(['client:3']);
      expect(tools.relationList('client:3')).toEqual(['agent/0']);
      expect(tools.relationRemoteApp(3)).toBe('agent');
      expect(tools.leaderGet()).toEqual({});
      expect(tools.stateGet()).toEqual({});
      expect(tools.networkGet('client')).toEqual({ 'ingress-addresses': ['10.0.0.1'] });
      expect(tools.actionGet()).toEqual({ n: 1 });
    }
    expect(fake.calls()).toHaveLength(11);
  });

  it('returned objects are copies: mutating one does not poison the cache', () => {
    fake.on('config-get', ['--format=json'], { stdout: '{"port":4222}\n' });
    tools.configGet().port = 1;
    expect(tools.configGet()).toEqual({ port: 4222 });
  });

  it('is-leader true is a ~30 s lease (contract §2.8): asked again after it expires', () => {
    let now = 0;
    tools = new Tools(new SpawnRunner({ env: fake.env() }), { now: () => now });
    fake.on('is-leader', ['--format=json'], { stdout: 'true\n' });
    expect(tools.isLeader()).toBe(true);
    now = 29_000;
    expect(tools.isLeader()).toBe(true);
    expect(fake.calls()).toHaveLength(1);
    now = 31_000;
    expect(tools.isLeader()).toBe(true);
    expect(fake.calls()).toHaveLength(2);
  });

  it('a numeric relation id is sent as ep:id once the endpoint is known', () => {
    fake.on('relation-get', ['-r', 'client:3', '--format=json', '-', 'agent/0'], { stdout: '{"a":"1"}\n' });
    expect(tools.relationGet(3, 'agent/0')).toEqual({ a: '1' });
    expect(fake.argvs()).toEqual([['relation-get', '-r', 'client:3', '--format=json', '-', 'agent/0']]);
  });

  it('relation-get is cached per bag; relation-set merges into the cached own bag (own writes visible, §0.4, §2.3)', () => {
    fake.on('relation-get', ['-r', 'client:3', '--format=json', '-', 'agent/0'], { stdout: '{"a":"1"}\n' })
      .on('relation-get', ['-r', 'client:3', '--format=json', '-', 'nats/0'], { stdout: '{"url":"old","x":"1"}\n' })
      .on('relation-get', ['-r', 'client:3', '--app', '--format=json', '-', 'nats'], { stdout: '{"ca":"c"}\n' })
      .on('relation-set', ['-r', 'client:3', '--file', '-'])
      .on('relation-set', ['-r', 'client:3', '--app', '--file', '-']);
    tools.relationGet('client:3', 'agent/0');
    tools.relationGet('client:3', 'agent/0');
    expect(tools.relationGet('client:3', 'nats/0')).toEqual({ url: 'old', x: '1' });
    expect(tools.relationGet('client:3', 'nats', { app: true })).toEqual({ ca: 'c' });
    tools.relationSet('client:3', { url: 'new', x: '' });
    tools.relationSet(3, { ca: 'd' }, { app: true });
    expect(tools.relationGet('client:3', 'nats/0')).toEqual({ url: 'new' });
    expect(tools.relationGet('client:3', 'nats', { app: true })).toEqual({ ca: 'd' });
    expect(fake.argvs().map((a) => a[0])).toEqual(['relation-get', 'relation-get', 'relation-get', 'relation-set', 'relation-set']);
  });

  it('leader-set and state-set/-delete update their caches', () => {
    fake.on('leader-get', ['--format=json'], { stdout: '{"a":"1","b":"2"}\n' })
      .on('leader-set', ['a=3', 'b='])
      .on('state-get', ['--format=json'], { stdout: '{"k":"v","z":"1"}\n' })
      .on('state-set', ['--file', '-'])
      .on('state-delete', ['z']);
    tools.leaderGet();
    tools.leaderSet({ a: '3', b: '' });
    expect(tools.leaderGet()).toEqual({ a: '3' });
    tools.stateGet();
    tools.stateSet({ k: 'w' });
    tools.stateDelete('z');
    expect(tools.stateGet()).toEqual({ k: 'w' });
    expect(fake.calls()).toHaveLength(5);
  });

  it('a failed write leaves the cache as it was', () => {
    fake.on('leader-get', ['--format=json'], { stdout: '{"a":"1"}\n' })
      .on('leader-set', ['a=2'], { exitCode: 1, stderr: 'ERROR cannot write leadership settings: cannot write settings: not the leader\n' });
    tools.leaderGet();
    expect(() => tools.leaderSet({ a: '2' })).toThrow(HookToolError);
    expect(tools.leaderGet()).toEqual({ a: '1' });
  });

  it('secret-get is cached per id/label/mode; secret-set and --refresh invalidate', () => {
    fake.on('secret-get', [ID, '--format=json'], { stdout: '{"token":"one"}\n' })
      .on('secret-get', [ID, '--peek', '--format=json'], { stdout: '{"token":"two"}\n' })
      .on('secret-get', [ID, '--refresh', '--format=json'], { stdout: '{"token":"two"}\n' })
      .on('secret-set', [ID, fileArg('token')]);
    tools.secretGet({ id: ID });
    tools.secretGet({ id: ID });
    tools.secretGet({ id: ID, peek: true });
    tools.secretGet({ id: ID, peek: true });
    expect(fake.calls()).toHaveLength(2);
    tools.secretGet({ id: ID, refresh: true });
    tools.secretGet({ id: ID });
    expect(fake.calls()).toHaveLength(4);
    tools.secretSet(ID, { token: 'three' });
    tools.secretGet({ id: ID, peek: true });
    expect(fake.argvs().map((a) => a.slice(0, 3).join(' '))).toEqual([
      `secret-get ${ID} --format=json`, `secret-get ${ID} --peek`, `secret-get ${ID} --refresh`, `secret-get ${ID} --format=json`,
      `secret-set ${ID} ${fake.calls()[4]?.args[1]}`, `secret-get ${ID} --peek`,
    ]);
  });

  it('status-get is not cached; opened-ports is, as it shows committed ports only and ignores this hook\'s open-port (§0.4)', () => {
    fake.on('opened-ports', ['--format=json'], { stdout: '[]\n' })
      .on('open-port', ['8080/tcp'], {})
      .on('status-get', ['--include-data', '--format=json'], { stdout: '{"status":"active","message":""}\n' });
    tools.openedPorts();
    tools.openPort({ protocol: 'tcp', from: 8080, to: 8080 });
    expect(tools.openedPorts()).toEqual([]);
    tools.statusGet();
    tools.statusGet();
    expect(fake.calls().map((c) => c.tool)).toEqual(['opened-ports', 'open-port', 'status-get', 'status-get']);
  });

  it('with a version, oversized secret content is refused before any file or tool (contract §3.3)', () => {
    tools = new Tools(new SpawnRunner({ env: fake.env() }), { version: JujuVersion.parse('3.6.1') });
    expect(() => tools.secretAdd({ big: 'x'.repeat(9000) })).toThrow('secret content for key "big" too large');
    expect(fake.calls()).toEqual([]);
  });

  it('status messages are redacted through the shared redactor', () => {
    fake.on('status-set', ['blocked', 'bad url nats://<redacted>@10.0.0.1:4222']);
    tools.statusSet('blocked', 'bad url nats://s3cr3tt0k3n@10.0.0.1:4222');
    expect(fake.calls()).toHaveLength(1);
  });
});
