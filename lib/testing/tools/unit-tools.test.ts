/**
 * Conformance: config-get, leadership, state-*, status-*, juju-log, network-get, ports,
 * application-version-set, unit-get through runTool (contract §2.7–2.10, §2.12–2.15).
 */
import { describe, expect, it } from '@jest/globals';
import { drain, err, inUnit, ok, scene } from './testkit.ts';

describe.each([['3.6.8'], ['2.9.49']])('unit tools on Juju %s', (version) => {
  it('§2.7 config-get: map of set/defaulted options, typed scalars, smart bools, --all adds nulls', () => {
    const { engine } = scene(version);
    const u = inUnit(engine, 'db/0');
    expect(u.run('config-get --format json')).toEqual(ok('{"debug":false,"name":"main","port":5432,"ratio":0.5}\n'));
    expect(u.run('config-get --all --format json')).toEqual(ok('{"debug":false,"name":"main","port":5432,"ratio":0.5,"token":null}\n'));
    expect(u.run('config-get -a --format yaml')).toEqual(ok('debug: false\nname: main\nport: 5432\nratio: 0.5\ntoken: null\n'));
    expect(u.run('config-get port')).toEqual(ok('5432\n'));
    expect(u.run('config-get port --format json')).toEqual(ok('5432\n'));
    expect(u.run('config-get debug')).toEqual(ok('False\n'));
    expect(u.run('config-get debug --format=json')).toEqual(ok('false\n'));
    expect(u.run('config-get token')).toEqual(ok(''));
    expect(u.run('config-get nope --format json')).toEqual(ok('null\n'));
    expect(u.run('config-get --all port')).toEqual(err(2, 'cannot use argument --all together with key "port"'));
    expect(u.run('config-get port name')).toEqual(err(2, 'unrecognized args: ["name"]'));
  });

  it('§2.7/§1.4 juju config changes fire config-changed once per unit and are seen typed', () => {
    const { engine } = scene(version);
    engine.setConfig('m', 'db', { port: '6000', debug: 'true', token: 'abc' });
    engine.setConfig('m', 'db', { name: 'other' });
    const seen: string[] = [];
    drain(engine, (h, run) => { seen.push(`${h.unit} ${h.name} ${run('config-get --format json').stdout.trim()}`); });
    expect(seen).toEqual([
      'db/0 config-changed {"debug":true,"name":"other","port":6000,"ratio":0.5,"token":"abc"}',
      'db/1 config-changed {"debug":true,"name":"other","port":6000,"ratio":0.5,"token":"abc"}',
    ]);
    engine.setConfig('m', 'db', { name: 'other' });
    expect(drain(engine)).toEqual([]);
    engine.setConfig('m', 'db', { port: null });
    expect(drain(engine, (h, run) => { expect(run('config-get port')).toEqual(ok('5432\n')); })).toHaveLength(2);
  });

  it('§2.8 is-leader, leader-get, leader-set (immediate, leader only)', () => {
    const { engine } = scene(version);
    const l = inUnit(engine, 'db/0');
    expect(l.run('is-leader')).toEqual(ok('True\n'));
    expect(l.run('is-leader --format json')).toEqual(ok('true\n'));
    expect(l.run('leader-set a=1 b=two')).toEqual(ok(''));
    expect(l.run('leader-set a=1 a=2')).toEqual(err(2, 'key "a" specified more than once'));
    l.finish(1); // immediate: survives a failed hook (§0.4)
    const f = inUnit(engine, 'db/1');
    expect(f.run('is-leader')).toEqual(ok('False\n'));
    expect(f.run('leader-get --format json')).toEqual(ok('{"a":"1","b":"two"}\n'));
    expect(f.run('leader-get b')).toEqual(ok('two\n'));
    expect(f.run('leader-get -')).toEqual(ok('a: "1"\nb: two\n'));
    expect(f.run('leader-get nope --format json')).toEqual(ok('null\n'));
    expect(f.run('leader-get a=b')).toEqual(err(2, 'invalid key "a=b"'));
    expect(f.run('leader-set x=y')).toEqual(err(1, 'cannot write leadership settings: cannot write settings: not the leader'));
    f.finish();
    expect(drain(engine)).toEqual(['db/1 leader-settings-changed']);
  });

  it('§2.8 once a hook learns it is not the leader, is-leader stays False for that hook', () => {
    const { engine } = scene(version);
    const u = inUnit(engine, 'db/0');
    expect(u.run('is-leader')).toEqual(ok('True\n'));
    engine.setLeader('m', 'db/1');
    expect(u.run('is-leader')).toEqual(ok('False\n'));
    engine.setLeader('m', 'db/0');
    expect(u.run('is-leader')).toEqual(ok('False\n'));
    expect(u.run('leader-set a=b')).toEqual(err(1, 'cannot write leadership settings: cannot write settings: not the leader'));
    u.finish();
    expect(inUnit(engine, 'db/0').run('is-leader --format yaml')).toEqual(ok('true\n'));
  });

  it('§2.14 invalid port specs are exit 2; §2.10 juju-log tolerates a deprecated --format', () => {
    const { engine } = scene(version);
    const u = inUnit(engine, 'db/0');
    expect(u.run('open-port http')).toEqual(err(2, 'expected <port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp; got "http"'));
    expect(u.run('open-port 80/sctp')).toEqual(err(2, 'invalid protocol "sctp", expected "tcp", "udp", or "icmp"'));
    expect(u.run('open-port 70000')).toEqual(err(2, 'port must be in the range [1, 65535]; got "70000"'));
    expect(u.run('juju-log --format json hi')).toEqual({ stdout: '', stderr: '--format flag deprecated for command "juju-log"', exitCode: 0 });
  });

  it('§2.13 state-get/-set/-delete: buffered, nil map is JSON null, --strict, limits', () => {
    const { engine } = scene(version);
    const u = inUnit(engine, 'db/0');
    expect(u.run('state-get --format json')).toEqual(ok('null\n'));
    expect(u.run('state-get')).toEqual(ok('{}\n'));
    expect(u.run('state-get k --format json')).toEqual(ok('""\n'));
    expect(u.run('state-get k')).toEqual(ok(''));
    expect(u.run('state-get k --strict')).toEqual(err(1, '"k" not found'));
    expect(u.run('state-set k=v n=1')).toEqual(ok(''));
    expect(u.run('state-get --format json')).toEqual(ok('{"k":"v","n":"1"}\n'));
    expect(u.run('state-delete n')).toEqual(ok(''));
    expect(u.run('state-delete missing')).toEqual(ok(''));
    expect(u.run('state-set --file -', { stdin: 'f: from-file\n' })).toEqual(ok(''));
    expect(u.run(`state-set ${'x'.repeat(257)}=v`)).toEqual(err(1, 'max allowed key length (256) exceeded'));
    expect(u.run(`state-set k=${'x'.repeat(65537)}`)).toEqual(err(1, 'max allowed value length (65536) exceeded'));
    u.finish(0);
    const again = inUnit(engine, 'db/0');
    expect(again.run('state-get --format json')).toEqual(ok('{"f":"from-file","k":"v"}\n'));
    again.run('state-set k=lost');
    again.finish(1);
    expect(inUnit(engine, 'db/0').run('state-get k')).toEqual(ok('v\n'));
    expect(inUnit(engine, 'db/1').run('state-get --format json')).toEqual(ok('null\n'));
  });

  it('§2.9 status-set/status-get: argument errors, --application leader only, immediate', () => {
    const { engine } = scene(version);
    const u = inUnit(engine, 'db/1');
    expect(u.run('status-set')).toEqual(err(2, 'invalid args, require <status> [message]'));
    expect(u.run('status-set error boom')).toEqual(err(2, 'invalid status "error", expected one of [maintenance blocked waiting active]'));
    expect(u.run('status-set active a b')).toEqual(err(2, 'unrecognized args: ["b"]'));
    expect(u.run("status-set blocked 'need a db'")).toEqual(ok(''));
    expect(u.run('status-get')).toEqual(ok('blocked\n'));
    expect(u.run('status-get --format json')).toEqual(ok('{"status":"blocked"}\n'));
    expect(u.run('status-get --include-data --format json')).toEqual(ok('{"message":"need a db","status":"blocked","status-data":{}}\n'));
    expect(u.run('status-set --application active')).toEqual(err(1, 'this unit is not the leader'));
    expect(u.run('status-get --application')).toEqual(err(1, 'finding application status: this unit is not the leader'));
    u.finish(1);
    const l = inUnit(engine, 'db/0');
    expect(l.run('status-set --application active ready')).toEqual(ok(''));
    expect(JSON.parse(l.run('status-get --application --format json').stdout)).toEqual({
      'application-status': { status: 'active', units: { 'db/0': { status: 'unknown' }, 'db/1': { status: 'blocked' } } },
    });
    const st = engine.status('m').applications['db'] as { 'application-status': { current: string; message: string } };
    expect(st['application-status']).toMatchObject({ current: 'active', message: 'ready' });
  });

  it('§2.10 juju-log: joins args, levels, --debug, no message, -- for dashes, relation prefix', () => {
    const { engine } = scene(version);
    const u = inUnit(engine, 'db/0');
    expect(u.run('juju-log hello world')).toEqual(ok(''));
    expect(u.run('juju-log -l WARNING careful')).toEqual(ok(''));
    expect(u.run('juju-log --debug dbg')).toEqual(ok(''));
    expect(u.run('juju-log -- -starts-with-dash')).toEqual(ok(''));
    expect(u.run('juju-log --log-level=BOGUS still-info')).toEqual(ok(''));
    expect(u.run('juju-log')).toEqual(err(2, 'no message specified'));
    u.finish(1);
    const lines = engine.debugLog('m').map((l) => l.replace(/^(\S+) \d\d:\d\d:\d\d /, '$1 '));
    expect(lines).toEqual(expect.arrayContaining([
      'unit-db-0: INFO unit.db/0.juju-log hello world',
      'unit-db-0: WARNING unit.db/0.juju-log careful',
      'unit-db-0: DEBUG unit.db/0.juju-log dbg',
      'unit-db-0: INFO unit.db/0.juju-log -starts-with-dash',
      'unit-db-0: INFO unit.db/0.juju-log still-info',
    ]));
    const w = inUnit(engine, 'web/0');
    w.run('relation-set -r 1 k=v');
    w.finish(0);
    drain(engine, (h, run) => { if (h.name === 'db-relation-changed') run('juju-log in relation'); });
    expect(engine.debugLog('m').filter((l) => l.endsWith('in relation')).map((l) => l.replace(/ \d\d:\d\d:\d\d /, ' '))).toEqual([
      'unit-db-0: INFO unit.db/0.juju-log db:1: in relation',
      'unit-db-1: INFO unit.db/1.juju-log db:1: in relation',
    ]);
  });

  it('§2.12 network-get: full map, single flags as bare strings, several as a map, errors', () => {
    const { engine } = scene(version);
    engine.setUnitAddress('m', 'db/0', '10.1.2.3', '203.0.113.9');
    const u = inUnit(engine, 'db/0');
    expect(JSON.parse(u.run('network-get db --format json').stdout)).toEqual({
      'bind-addresses': [{ 'mac-address': '00:16:3e:01:02:03', 'interface-name': 'eth0', addresses: [{ hostname: '', value: '10.1.2.3', cidr: '10.1.2.0/24' }] }],
      'egress-subnets': ['10.1.2.3/32'], 'ingress-addresses': ['10.1.2.3'],
    });
    // Go struct field order, compact (contract §2.12 example)
    expect(u.run('network-get db --format json').stdout).toBe('{"bind-addresses":[{"mac-address":"00:16:3e:01:02:03","interface-name":"eth0","addresses":[{"hostname":"","value":"10.1.2.3","cidr":"10.1.2.0/24"}]}],"egress-subnets":["10.1.2.3/32"],"ingress-addresses":["10.1.2.3"]}\n');
    expect(u.run('network-get db --format yaml').stdout).toContain('macaddress: 00:16:3e:01:02:03');
    expect(u.run('network-get db --ingress-address')).toEqual(ok('10.1.2.3\n'));
    expect(u.run('network-get db --bind-address --format json')).toEqual(ok('"10.1.2.3"\n'));
    expect(u.run('network-get --ingress-address --bind-address cluster --format json')).toEqual(ok('{"bind-address":"10.1.2.3","ingress-address":"10.1.2.3"}\n'));
    expect(u.run('network-get')).toEqual(err(2, 'no arguments specified'));
    expect(u.run("network-get ''")).toEqual(err(2, 'no binding name specified'));
    expect(u.run('network-get nope')).toEqual(err(1, 'no network config found for binding "nope"'));
    expect(u.run('unit-get private-address')).toEqual(ok('10.1.2.3\n'));
    expect(u.run('unit-get public-address --format json')).toEqual(ok('"203.0.113.9"\n'));
    expect(u.run('unit-get')).toEqual(err(2, 'no setting specified'));
    expect(u.run('unit-get foo')).toEqual(err(2, 'unknown setting "foo"'));
  });

  it('§2.14 open-port/close-port/opened-ports: buffered, sorted icmp/tcp/udp, --endpoints', () => {
    const { engine } = scene(version);
    const u = inUnit(engine, 'db/0');
    expect(u.run('open-port 80')).toEqual(ok(''));
    expect(u.run('open-port 8000-8999/UDP')).toEqual(ok(''));
    expect(u.run('open-port icmp')).toEqual(ok(''));
    expect(u.run('open-port 443/tcp --endpoints db,metrics')).toEqual(ok(''));
    expect(u.run('open-port')).toEqual(err(2, 'no port or range specified'));
    expect(u.run('open-port 1 2')).toEqual(err(2, 'unrecognized args: ["2"]'));
    expect(u.run('opened-ports')).toEqual(ok('')); // §0.4: not this hook's openings
    u.finish(0);
    const v = inUnit(engine, 'db/0');
    expect(v.run('opened-ports')).toEqual(ok('icmp\n80/tcp\n443/tcp\n8000-8999/udp\n'));
    expect(v.run('opened-ports --endpoints')).toEqual(ok('icmp (*)\n80/tcp (*)\n443/tcp (db, metrics)\n8000-8999/udp (*)\n'));
    expect(v.run('opened-ports --format json')).toEqual(ok('["icmp","80/tcp","443/tcp","8000-8999/udp"]\n'));
    expect(v.run('close-port 80/tcp')).toEqual(ok(''));
    expect(v.run('close-port 9999')).toEqual(ok(''));
    expect(v.run('close-port 80 --format json')).toEqual({ stdout: '', stderr: '--format flag deprecated for command "close-port"', exitCode: 0 });
    v.finish(0);
    expect(inUnit(engine, 'db/0').run('opened-ports')).toEqual(ok('icmp\n443/tcp\n8000-8999/udp\n'));
    expect((engine.status('m').applications['db'] as { units: Record<string, { 'open-ports': string[] }> }).units['db/0']!['open-ports']).toEqual(['443/tcp', '8000-8999/udp', 'icmp']);
  });

  it('§2.15 application-version-set: one arg, immediate, shown in status', () => {
    const { engine } = scene(version);
    const u = inUnit(engine, 'db/0');
    expect(u.run('application-version-set')).toEqual(err(2, 'no version specified'));
    expect(u.run('application-version-set 1 2')).toEqual(err(2, 'unrecognized args: ["2"]'));
    expect(u.run('application-version-set -- 14.2')).toEqual(ok(''));
    u.finish(1);
    expect((engine.status('m').applications['db'] as { version: string }).version).toBe('14.2');
  });
});
