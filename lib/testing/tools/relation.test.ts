/** Conformance: relation-ids/-list/-get/-set/-model-get through runTool with real argv (contract §0, §2.1–2.6). */
import { describe, expect, it } from '@jest/globals';
import { drain, err, inUnit, ok, scene, sh, until } from './testkit.ts';

describe.each([['3.6.8'], ['2.9.49']])('relation tools on Juju %s', (version) => {
  const is29 = version.startsWith('2.');

  it('§2.1 relation-ids lists <endpoint>:<id> in smart/yaml/json', () => {
    const { engine } = scene(version);
    const u = inUnit(engine, 'db/0');
    expect(u.run('relation-ids db')).toEqual(ok('db:1\n'));
    expect(u.run('relation-ids db --format json')).toEqual(ok('["db:1"]\n'));
    expect(u.run('relation-ids --format=yaml db')).toEqual(ok('- db:1\n'));
    expect(u.run('relation-ids cluster')).toEqual(ok('cluster:0\n'));
  });

  it('§2.1 unknown endpoint is an empty list: nothing in smart, [] in json', () => {
    const { engine } = scene(version);
    const u = inUnit(engine, 'db/0');
    expect(u.run('relation-ids nope')).toEqual(ok(''));
    expect(u.run('relation-ids nope --format json')).toEqual(ok('[]\n'));
    expect(u.run('relation-ids nope --format yaml')).toEqual(ok('[]\n'));
  });

  it(`§2.1/§2.16 no endpoint outside a relation hook: exit 2 "${is29 ? 'no relation name specified' : 'no endpoint name specified'}"`, () => {
    const { engine } = scene(version);
    const u = inUnit(engine, 'db/0');
    expect(u.run('relation-ids')).toEqual(err(2, is29 ? 'no relation name specified' : 'no endpoint name specified'));
    expect(u.run('relation-ids db extra more')).toEqual(err(2, 'unrecognized args: ["extra" "more"]'));
  });

  it('§2.1 defaults to the current relation endpoint in a relation hook', () => {
    const { engine } = scene(version, { relate: false });
    engine.integrate('m', 'db', 'web');
    const h = until(engine, (x) => x.name === 'db-relation-created' && x.unit === 'web/0');
    expect(sh(engine, h.contextId, 'relation-ids')).toEqual(ok('db:1\n'));
    expect(h.env).toMatchObject({ JUJU_RELATION: 'db', JUJU_RELATION_ID: 'db:1', JUJU_REMOTE_APP: 'db', JUJU_REMOTE_UNIT: '' });
  });

  it('§2.2 relation-list: remote units sorted, --app the remote app, peers list the other local units', () => {
    const { engine } = scene(version);
    const w = inUnit(engine, 'web/0');
    expect(w.run('relation-list -r 1')).toEqual(ok('db/0\ndb/1\n'));
    expect(w.run('relation-list -r db:1 --format json')).toEqual(ok('["db/0","db/1"]\n'));
    expect(w.run('relation-list -r 1 --app')).toEqual(ok('db\n'));
    expect(w.run('relation-list --relation=1 --app --format json')).toEqual(ok('"db"\n'));
    const d = inUnit(engine, 'db/0');
    expect(d.run('relation-list -r 0')).toEqual(ok('db/1\n'));
    expect(d.run('relation-list -r cluster:0 --app')).toEqual(ok('db\n'));
  });

  it('§2 -r accepts N or <anything>:N (prefix ignored); bad ids are flag errors (exit 2)', () => {
    const { engine } = scene(version);
    const w = inUnit(engine, 'web/0');
    expect(w.run('relation-list -r ignored:1').exitCode).toBe(0);
    expect(w.run('relation-list -r foo')).toEqual(err(2, 'invalid value "foo" for option -r: invalid relation id'));
    expect(w.run('relation-list --relation db:x')).toEqual(err(2, 'invalid value "db:x" for option --relation: invalid relation id'));
    expect(w.run('relation-list -r 99')).toEqual(err(2, 'invalid value "99" for option -r: relation not found'));
    // web is not in the db peer relation 0
    expect(w.run('relation-list -r 0')).toEqual(err(2, 'invalid value "0" for option -r: relation not found'));
    expect(w.run('relation-list')).toEqual(err(2, 'no relation id specified'));
    expect(w.run('relation-list -r')).toEqual(err(2, 'flag needs an argument: -r'));
  });

  it('§2.3 relation-get: auto-populated addresses, target rules and missing keys', () => {
    const { engine } = scene(version);
    const w = inUnit(engine, 'web/0');
    const all = JSON.parse(w.run('relation-get -r 1 - db/0 --format json').stdout) as Record<string, string>;
    expect(Object.keys(all).sort()).toEqual(['egress-subnets', 'ingress-address', 'private-address']);
    expect(all['egress-subnets']).toBe(`${all['private-address']}/32`);
    expect(w.run('relation-get -r 1 private-address db/0')).toEqual(ok(`${all['private-address']}\n`));
    expect(w.run('relation-get -r 1 nope db/0')).toEqual(ok(''));
    expect(w.run('relation-get -r 1 nope db/0 --format json')).toEqual(ok('null\n'));
    expect(w.run('relation-get -r 1 nope db/0 --format yaml')).toEqual(ok(''));
    expect(w.run('relation-get -r 1 - db')).toEqual(err(2, 'expected unit name, got application name "db"'));
    expect(w.run('relation-get -r 1 - db/x')).toEqual(err(2, 'invalid unit name "db/x"'));
    expect(w.run('relation-get -r 1')).toEqual(err(2, 'no unit or application specified'));
    expect(w.run('relation-get -r 1 - db/0 extra')).toEqual(err(2, 'unrecognized args: ["extra"]'));
    expect(w.run('relation-get - db/0')).toEqual(err(2, 'no relation id specified'));
  });

  it('§0.2 flags interspersed with positionals; unknown flag and bad --format are exit 2', () => {
    const { engine } = scene(version);
    const w = inUnit(engine, 'web/0');
    expect(w.run('relation-get private-address --format json db/0 -r 1').exitCode).toBe(0);
    expect(w.run('relation-get --bogus')).toEqual(err(2, 'flag provided but not defined: --bogus'));
    expect(w.run('relation-get -x')).toEqual(err(2, 'flag provided but not defined: -x'));
    expect(w.run('relation-get -r 1 - db/0 --format bad')).toEqual(err(2, 'invalid value "bad" for option --format: unknown format "bad"'));
    expect(w.run('relation-list -r 1 --app=maybe')).toEqual(err(2, 'invalid value "maybe" for option --app: strconv.ParseBool: parsing "maybe": invalid syntax'));
    expect(w.run('relation-list -r 1 --app=false')).toEqual(ok('db/0\ndb/1\n'));
    expect(w.run('relation-list -r 1 --app=1')).toEqual(ok('db\n'));
  });

  it('§0.2 --help prints usage on stdout with exit 0', () => {
    const { engine } = scene(version);
    const r = inUnit(engine, 'web/0').run('relation-get --help');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Usage: relation-get \[options\] <key> <unit id>\n/);
    expect(r.stdout).toContain('-r, --relation');
  });

  it('§0.3 -o FILE writes the formatted value relative to cwd and prints nothing', () => {
    const { engine } = scene(version);
    const files: Record<string, string> = {};
    const r = inUnit(engine, 'web/0').run('relation-list -r 1 --format json -o out.json', { cwd: '/charm', writeFile: (p, c) => { files[p] = c; } });
    expect(r).toEqual(ok(''));
    expect(files).toEqual({ '/charm/out.json': '["db/0","db/1"]\n' });
  });

  it('§2.4 relation-set: key=value parsing errors are exit 2 with Juju texts', () => {
    const { engine } = scene(version);
    const w = inUnit(engine, 'web/0');
    expect(w.run('relation-set -r 1 haha')).toEqual(err(2, 'expected "key=value", got "haha"'));
    expect(w.run('relation-set -r 1 =haha')).toEqual(err(2, 'expected "key=value", got "=haha"'));
    expect(w.run('relation-set -r 1 k=1 k=2')).toEqual(err(2, 'key "k" specified more than once'));
    expect(w.run('relation-set -r 1')).toEqual(ok(''));
    expect(w.run('relation-set k=v')).toEqual(err(2, 'no relation id specified'));
  });

  it('§2.4/§0.4 own writes are visible in the hook, values may hold = : and quotes, empty deletes', () => {
    const { engine } = scene(version);
    const w = inUnit(engine, 'web/0');
    expect(w.run(`relation-set -r 1 url=tls://a=b:1 q='"x"' gone=1`)).toEqual(ok(''));
    expect(w.run('relation-set -r 1 gone=')).toEqual(ok(''));
    expect(JSON.parse(w.run('relation-get -r 1 - web/0 --format json').stdout)).toMatchObject({ url: 'tls://a=b:1', q: '"x"' });
    expect(w.run('relation-get -r 1 gone web/0 --format json')).toEqual(ok('null\n'));
    // not visible to the other side before commit
    const d = inUnit(engine, 'db/0');
    expect(d.run('relation-get -r 1 url web/0')).toEqual(ok(''));
    d.finish();
    w.finish(0);
    const d2 = inUnit(engine, 'db/0');
    expect(d2.run('relation-get -r 1 url web/0')).toEqual(ok('tls://a=b:1\n'));
  });

  it('§2.4 --file - reads YAML (or JSON) from stdin; command-line pairs override; non-maps fail with exit 1', () => {
    const { engine } = scene(version);
    const w = inUnit(engine, 'web/0');
    expect(w.run('relation-set -r 1 --file - b=cli', { stdin: 'a: "1"\nb: file\nc: 3\n' })).toEqual(ok(''));
    expect(JSON.parse(w.run('relation-get -r 1 - web/0 --format json').stdout)).toMatchObject({ a: '1', b: 'cli', c: '3' });
    expect(w.run('relation-set -r 1 --file -', { stdin: '{"j":"son"}' }).exitCode).toBe(0);
    expect(w.run('relation-get -r 1 j web/0')).toEqual(ok('son\n'));
    const bad = w.run('relation-set -r 1 --file -', { stdin: 'just a string' });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/^ERROR yaml: unmarshal errors:/);
    expect(w.run('relation-set -r 1 --file data.yaml', { cwd: '/c', readFile: (p) => (p === '/c/data.yaml' ? 'z: zz\n' : '') })).toEqual(ok(''));
    expect(w.run('relation-get -r 1 z web/0')).toEqual(ok('zz\n'));
  });

  it('§2.4 deprecated --format is accepted with a note on stderr (no newline)', () => {
    const { engine } = scene(version);
    expect(inUnit(engine, 'web/0').run('relation-set -r 1 --format json a=b')).toEqual({ stdout: '', stderr: '--format flag deprecated for command "relation-set"', exitCode: 0 });
  });

  it('§2.6 app bags: leader-only writes; non-leader cannot read own app bag of a regular relation; peer app bag readable by all', () => {
    const { engine } = scene(version);
    const leader = inUnit(engine, 'db/0');
    expect(leader.run('relation-set -r 1 --app shared=yes')).toEqual(ok(''));
    expect(leader.run('relation-set -r 0 --app peer=yes')).toEqual(ok(''));
    expect(leader.run('relation-get -r 1 --app shared db')).toEqual(ok('yes\n'));
    leader.finish();
    const other = inUnit(engine, 'db/1');
    expect(other.run('relation-set -r 1 --app x=y')).toEqual(err(1, 'cannot write relation settings'));
    expect(other.run('relation-get -r 1 --app - db')).toEqual(err(1, 'permission denied'));
    expect(other.run('relation-get -r 0 --app peer db')).toEqual(ok('yes\n'));
    expect(other.run('relation-get -r 0 --app peer db/0')).toEqual(ok('yes\n'));
    const web = inUnit(engine, 'web/0');
    expect(web.run('relation-get -r 1 --app shared db')).toEqual(ok('yes\n'));
    expect(web.run('relation-get -r 1 --app --format json - db')).toEqual(ok('{"shared":"yes"}\n'));
  });

  it('§1.4 a committed unit-bag write fires -relation-changed on the other side only, with JUJU_REMOTE_UNIT', () => {
    const { engine } = scene(version);
    const w = inUnit(engine, 'web/0');
    w.run('relation-set -r 1 k=v');
    w.finish(0);
    const hooks: Array<[string, string, string]> = [];
    drain(engine, (h) => { hooks.push([h.unit, h.name, h.env['JUJU_REMOTE_UNIT']!]); });
    expect(hooks).toEqual([['db/0', 'db-relation-changed', 'web/0'], ['db/1', 'db-relation-changed', 'web/0']]);
  });

  it('§1.4 an app-bag write fires -changed with empty JUJU_REMOTE_UNIT; a peer leader does not see its own', () => {
    const { engine } = scene(version);
    const d = inUnit(engine, 'db/0');
    d.run('relation-set -r 1 --app a=1');
    d.run('relation-set -r 0 --app p=1');
    d.finish(0);
    const hooks: string[] = [];
    drain(engine, (h) => { hooks.push(`${h.unit} ${h.name} unit=${h.env['JUJU_REMOTE_UNIT']} app=${h.env['JUJU_REMOTE_APP']}`); });
    expect(hooks.sort()).toEqual(['db/1 cluster-relation-changed unit= app=db', 'web/0 db-relation-changed unit= app=db']);
  });

  it('§0.4 a failed hook drops its relation-set; writing identical values fires nothing', () => {
    const { engine } = scene(version);
    const w = inUnit(engine, 'web/0');
    w.run('relation-set -r 1 k=v');
    w.finish(1);
    expect(drain(engine)).toEqual([]);
    const w2 = inUnit(engine, 'web/0');
    expect(w2.run('relation-get -r 1 k web/0')).toEqual(ok(''));
    w2.finish();
  });

  it('§2.5 relation-model-get exists from 3.6.2 only', () => {
    const { engine } = scene(version);
    const uuid = engine.models()[0]!.uuid;
    const r = inUnit(engine, 'web/0').run('relation-model-get -r 1 --format json');
    if (is29) expect(r).toEqual({ stdout: '', stderr: 'relation-model-get: command not found\n', exitCode: 127 });
    else expect(r).toEqual(ok(`{"uuid":"${uuid}"}\n`));
    const old = scene('3.6.1').engine;
    expect(inUnit(old, 'web/0').run('relation-model-get -r 1').exitCode).toBe(127);
  });

  it('§0.1 an unknown context id answers "bad context" with exit 1', () => {
    const { engine } = scene(version);
    expect(engine.runTool('nope', 'relation-ids', ['db'])).toEqual({ stdout: '', stderr: 'error: bad request: bad context: nope\n', exitCode: 1 });
  });
});
