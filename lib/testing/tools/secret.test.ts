/** Conformance: secret tools and the revision model step by step (contract §3.2–3.6). */
import { describe, expect, it } from '@jest/globals';
import { drain, err, inUnit, ok, scene, sh, until } from './testkit.ts';

const ID = /^secret:[0-9a-v]{20}\n$/;

function addSecret(engine: ReturnType<typeof scene>['engine'], cmd = 'secret-add --label creds --description "db creds" password=s3cret user=admin', grant = true): string {
  const l = inUnit(engine, 'db/0');
  const r = l.run(cmd);
  expect(r.stdout).toMatch(ID);
  const uri = r.stdout.trim();
  if (grant) expect(l.run(`secret-grant ${uri} -r 1`)).toEqual(ok(''));
  l.finish(0);
  return uri;
}

describe('secret tools on Juju 3.6 (contract §3.4)', () => {
  it('§3.2 secret-add prints secret:<20 chars of [0-9a-v]>, ids are random and unguessable', () => {
    const { engine } = scene();
    const l = inUnit(engine, 'db/0');
    const a = l.run('secret-add a-key=1').stdout.trim();
    const b = l.run('secret-add a-key=1').stdout.trim();
    expect(a).not.toBe(b);
    expect(l.run('secret-ids --format json').stdout.trim().length).toBeGreaterThan(0);
    l.finish(0);
    expect(Object.keys(engine.secrets('m')).sort()).toEqual([a.slice(7), b.slice(7)].sort());
  });

  it('§3.3/§3.4 secret-add argument errors are exit 2 with Juju texts', () => {
    const { engine } = scene();
    const l = inUnit(engine, 'db/0');
    expect(l.run('secret-add')).toEqual(err(2, 'missing secret value or filename'));
    expect(l.run('secret-add --owner x a-key=b')).toEqual(err(2, 'secret owner "x" not valid'));
    expect(l.run('secret-add --rotate sometimes a-key=b')).toEqual(err(2, 'rotate policy "sometimes" not valid'));
    expect(l.run('secret-add --expire -1h a-key=b')).toEqual(err(2, 'negative expire duration "-1h" not valid'));
    expect(l.run('secret-add --expire soon a-key=b')).toEqual(err(2, 'expire time or duration "soon" not valid'));
    expect(l.run('secret-add foo')).toEqual(err(2, 'key value "foo" not valid'));
    expect(l.run('secret-add AB=1')).toEqual(err(2, 'key "AB" not valid'));
    expect(l.run('secret-add ab=1')).toEqual(err(2, 'key "ab" not valid'));
    expect(l.run('secret-add a--b=1')).toEqual(err(2, 'key "a--b" not valid'));
    expect(l.run('secret-add --label L a-key=1').exitCode).toBe(0);
    expect(l.run('secret-add --label L a-key=2')).toEqual(err(1, 'secret with label "L" already exists'));
    expect(l.run('secret-add --expire 2030-01-01T00:00:00 --rotate daily a-key=1').exitCode).toBe(0);
  });

  it('§3.2 app-owned secrets need the leader; --owner unit works on any unit', () => {
    const { engine } = scene();
    const f = inUnit(engine, 'db/1');
    expect(f.run('secret-add a-key=b')).toEqual(err(1, 'this unit is not the leader'));
    expect(f.run('secret-add --owner unit a-key=b').stdout).toMatch(ID);
    f.finish(0);
    const [s] = Object.values(engine.secrets('m'));
    expect(s?.owner).toBe('db/1');
  });

  it('§3.3 key#base64, key#file, --file YAML with !!binary; values round-trip through secret-get', () => {
    const { engine } = scene();
    const l = inUnit(engine, 'db/0');
    const files: Record<string, string> = { '/charm/cert.pem': '-----BEGIN-----\nabc\n-----END-----\n', '/charm/s.yaml': 'from-file: plain\nbin-key: !!binary aGVsbG8=\n' };
    const io = { cwd: '/charm', readFile: (p: string) => { if (!(p in files)) throw new Error('ENOENT'); return files[p]!; } };
    const uri = l.run('secret-add cert#file=cert.pem raw#base64=cGFkZGVkPQ== --file s.yaml', io).stdout.trim();
    expect(l.run(`secret-get ${uri} --format json`)).toEqual(ok('{"bin-key":"hello","cert":"-----BEGIN-----\\nabc\\n-----END-----\\n","from-file":"plain","raw":"padded="}\n'));
    expect(l.run(`secret-get ${uri} raw#base64`)).toEqual(ok('cGFkZGVkPQ==\n'));
    expect(l.run(`secret-get ${uri} cert`)).toEqual(ok('|\n  -----BEGIN-----\n  abc\n  -----END-----\n'));
    expect(l.run(`secret-get ${uri} nope`)).toEqual(err(1, 'secret key value "nope" not found'));
    expect(l.run('secret-add k-ey#file=missing.pem', io).exitCode).toBe(1);
  });

  it('§3.3 content size limits by version', () => {
    const big = 'x'.repeat(9000);
    const e368 = scene('3.6.8').engine;
    expect(inUnit(e368, 'db/0').run(`secret-add big=${big}`)).toEqual(err(1, 'secret content for key "big" too large: 9000 bytes'));
    const e369 = scene('3.6.9').engine;
    expect(inUnit(e369, 'db/0').run(`secret-add big=${big}`).exitCode).toBe(0);
    const huge = 'x'.repeat(800 * 1024);
    expect(inUnit(e369, 'db/0').run(`secret-add big=${huge}`)).toEqual(err(1, `base64 encoded secret content for key "big" too large: ${Math.ceil(huge.length / 3) * 4} bytes`));
    const e34 = scene('3.4.0').engine;
    const many = Array.from({ length: 9 }, (_, i) => `key-${i}=${'y'.repeat(8000)}`).join(' ');
    expect(inUnit(e34, 'db/0').run(`secret-add ${many}`)).toEqual(err(1, 'secret content too large: 72000 bytes'));
  });

  it('§3.4 secret-get init errors, URI forms and permission denied before a grant', () => {
    const { engine } = scene();
    const uri = addSecret(engine, 'secret-add --label creds password=s3cret', false);
    const id = uri.slice(7);
    const uuid = engine.models()[0]!.uuid;
    const w = inUnit(engine, 'web/0');
    expect(w.run('secret-get')).toEqual(err(2, 'require either a secret URI or label'));
    expect(w.run(`secret-get ${uri} --peek --refresh`)).toEqual(err(2, 'specify one of --peek or --refresh but not both'));
    expect(w.run('secret-get foo')).toEqual(err(2, 'secret URI "foo" not valid'));
    expect(w.run(`secret-get secret://not-a-uuid/${id}`)).toEqual(err(2, 'host controller UUID "not-a-uuid" not valid'));
    expect(w.run(`secret-get ${uri}`)).toEqual(err(1, 'permission denied'));
    expect(w.run('secret-get --label creds')).toEqual(err(1, 'consumer label "creds" not found'));
    expect(w.run('secret-get secret:0123456789abcdefghij')).toEqual(err(1, 'secret "secret:0123456789abcdefghij" not found'));
    w.finish();
    const l = inUnit(engine, 'db/0');
    for (const form of [uri, id, `secret://${uuid}/${id}`]) expect(l.run(`secret-get ${form} password`)).toEqual(ok('s3cret\n'));
    expect(l.run('secret-get --label creds --format json')).toEqual(ok('{"password":"s3cret"}\n'));
    // the first positional is always the URI (juju secret-get Init)
    expect(l.run('secret-get --label creds password')).toEqual(err(2, 'secret URI "password" not valid'));
    l.finish();
    const f = inUnit(engine, 'db/1'); // app-owned: every unit of the app reads it, owner labels resolve for all
    expect(f.run('secret-get --label creds --format json')).toEqual(ok('{"password":"s3cret"}\n'));
  });

  it('§3.5 the revision model step by step: track, new revision → secret-changed, peek/refresh, secret-remove of the unused revision', () => {
    const { engine } = scene();
    const uri = addSecret(engine);
    const id = uri.slice(7);
    // 1. first secret-get creates a tracking record on the latest revision (with a consumer label)
    const w = inUnit(engine, 'web/0');
    expect(w.run(`secret-get ${uri} --label db-creds`)).toEqual(ok('password: s3cret\nuser: admin\n'));
    w.finish(1); // §0.4: tracking and consumer labels are recorded even if the hook fails
    // 2. owner publishes revision 2
    const l = inUnit(engine, 'db/0');
    expect(l.run(`secret-set ${uri} password=n3w user=admin`)).toEqual(ok(''));
    expect(l.run(`secret-info-get ${uri} --format json`)).toEqual(ok(`{"${id}":{"revision":1,"label":"creds","owner":"application","description":"db creds","access":[{"target":"application-web","scope":"relation-db.1","role":"view"}]}}\n`));
    l.finish(0);
    // 3. consumers tracking an older revision get secret-changed with their label
    const h = until(engine, (x) => x.name === 'secret-changed');
    expect(h.unit).toBe('web/0');
    expect(h.env).toMatchObject({ JUJU_SECRET_ID: uri, JUJU_SECRET_LABEL: 'db-creds' });
    expect(h.env['JUJU_SECRET_REVISION']).toBeUndefined();
    const run = (c: string) => sh(engine, h.contextId, c);
    expect(run(`secret-get ${uri} password`)).toEqual(ok('s3cret\n'));
    expect(run(`secret-get ${uri} password --peek`)).toEqual(ok('n3w\n'));
    expect(run('secret-get --label db-creds')).toEqual(ok('password: s3cret\nuser: admin\n'));
    expect(engine.pending('m')).toEqual({});
    expect(run(`secret-get ${uri} password --refresh`)).toEqual(ok('n3w\n'));
    expect(run(`secret-get ${uri} password`)).toEqual(ok('n3w\n'));
    engine.finishHook(h.contextId, { exitCode: 0 });
    // 4. revision 1 is tracked by nobody now: the owner's leader gets secret-remove for it
    const rm = until(engine, (x) => x.name === 'secret-remove');
    expect(rm.unit).toBe('db/0');
    expect(rm.env).toMatchObject({ JUJU_SECRET_ID: uri, JUJU_SECRET_LABEL: 'creds', JUJU_SECRET_REVISION: '1' });
    expect(sh(engine, rm.contextId, `secret-remove ${uri} --revision 1`)).toEqual(ok(''));
    engine.finishHook(rm.contextId, { exitCode: 0 });
    expect(drain(engine)).toEqual([]);
    const shown = engine.showSecret('m', id, { revisions: true })[id]!;
    expect(shown.revisions?.map((r) => r.revision)).toEqual([2]);
    expect(engine.showSecret('m', id, { reveal: true })[id]!.content).toEqual({ password: 'n3w', user: 'admin' });
  });

  it('§3.5 item 7: owners track revisions from 3.1.7; before that they always read the latest', () => {
    for (const [version, expected] of [['3.6.8', 'one\n'], ['3.1.6', 'two\n']] as const) {
      const { engine } = scene(version);
      const l = inUnit(engine, 'db/0');
      const uri = l.run('secret-add val=one').stdout.trim();
      l.finish(0);
      const a = inUnit(engine, 'db/0');
      expect(a.run(`secret-get ${uri} val`)).toEqual(ok('one\n'));
      a.run(`secret-set ${uri} val=two`);
      a.finish(0);
      expect(inUnit(engine, 'db/0').run(`secret-get ${uri} val`)).toEqual(ok(expected));
    }
  });

  it('§3.4: identical secret-set content makes no revision on 3.6, a new one before', () => {
    for (const [version, revision] of [['3.6.8', 1], ['3.5.4', 2]] as const) {
      const { engine } = scene(version);
      const l = inUnit(engine, 'db/0');
      const uri = l.run('secret-add val=one').stdout.trim();
      l.finish(0);
      const a = inUnit(engine, 'db/0');
      a.run(`secret-set ${uri} val=one --description metadata-only`);
      a.finish(0);
      expect(engine.secrets('m')[uri.slice(7)]).toMatchObject({ revision, description: 'metadata-only' });
    }
  });

  it('§3.6 same-app peer units that read an app-owned secret get secret-changed; the writer does not', () => {
    const { engine } = scene();
    const uri = addSecret(engine);
    for (const u of ['db/0', 'db/1', 'web/0']) { const c = inUnit(engine, u); c.run(`secret-get ${uri}`); c.finish(); }
    const l = inUnit(engine, 'db/0');
    l.run(`secret-set ${uri} password=x user=y`);
    l.finish(0);
    expect(drain(engine).filter((x) => x.endsWith('secret-changed')).sort()).toEqual(['db/1 secret-changed', 'web/0 secret-changed']);
  });

  it('§3.4 secret-info-get: owner only, id xor label, json and yaml', () => {
    const { engine } = scene();
    const uri = addSecret(engine);
    const id = uri.slice(7);
    const l = inUnit(engine, 'db/0');
    expect(l.run(`secret-info-get ${uri} --label creds`)).toEqual(err(2, 'specify either a secret URI or label but not both'));
    expect(l.run('secret-info-get')).toEqual(err(2, 'require either a secret URI or label'));
    expect(l.run('secret-info-get --label creds').stdout).toBe(`${id}:\n  revision: 1\n  label: creds\n  owner: application\n  description: db creds\n  access:\n  - target: application-web\n    scope: relation-db.1\n    role: view\n`);
    expect(l.run('secret-info-get --label nope')).toEqual(err(1, 'secret "nope" not found'));
    expect(l.run(`secret-info-get ${uri} --format smart`)).toEqual(err(2, 'invalid value "smart" for option --format: unknown format "smart"'));
    expect(inUnit(engine, 'web/0').run(`secret-info-get ${uri}`)).toEqual(err(1, `secret "${uri}" not found`));
  });

  it('§3.4 secret-ids: bare ids owned by the unit/app, JSON null when none', () => {
    const { engine } = scene();
    expect(inUnit(engine, 'web/0').run('secret-ids --format json')).toEqual(ok('null\n'));
    expect(inUnit(engine, 'web/0').run('secret-ids')).toEqual(ok(''));
    const uri = addSecret(engine);
    expect(inUnit(engine, 'db/1').run('secret-ids')).toEqual(ok(`${uri.slice(7)}\n`));
    expect(inUnit(engine, 'db/1').run('secret-ids --format json')).toEqual(ok(`["${uri.slice(7)}"]\n`));
  });

  it('§3.4 secret-grant errors and unit/app grant rules', () => {
    const { engine } = scene();
    const uri = addSecret(engine, 'secret-add a-key=1', false);
    const l = inUnit(engine, 'db/0');
    expect(l.run('secret-grant -r 1')).toEqual(err(2, 'missing secret URI'));
    expect(l.run('secret-grant foo -r 1')).toEqual(err(2, 'secret URI "foo" not valid'));
    expect(l.run(`secret-grant ${uri} -r 1 --unit foo`)).toEqual(err(2, 'unit "foo" not valid'));
    expect(l.run(`secret-grant ${uri}`)).toEqual(err(2, 'no relation id specified'));
    expect(l.run(`secret-grant ${uri} -r 42`)).toEqual(err(2, 'invalid value "42" for option -r: relation not found'));
    expect(l.run(`secret-grant ${uri} -r 1 --unit other/0`)).toEqual(err(2, 'cannot specify unit "other/0" in relation to application "web"'));
    expect(l.run('secret-grant secret:0123456789abcdefghij -r 1')).toEqual(err(1, 'secret "secret:0123456789abcdefghij" not found'));
    expect(l.run(`secret-grant ${uri} -r 1 --unit web/0`)).toEqual(ok(''));
    expect(l.run(`secret-grant ${uri} -r 1`)).toEqual(err(1, 'any unit level grants need to be revoked before granting access to the corresponding application'));
    l.finish(0);
    expect(inUnit(engine, 'db/1').run(`secret-grant ${uri} -r 1`)).toEqual(err(1, 'this unit is not the leader'));
    expect(inUnit(engine, 'web/0').run(`secret-get ${uri} a-key`)).toEqual(ok('"1"\n')); // YAML quotes "1"
    expect(inUnit(engine, 'web/0').run(`secret-get ${uri} a-key --format json`)).toEqual(ok('"1"\n'));
    const l2 = inUnit(engine, 'db/0');
    expect(l2.run(`secret-revoke ${uri} --unit web/0`)).toEqual(ok(''));
    expect(l2.run(`secret-grant ${uri} -r 1`)).toEqual(err(1, 'any unit level grants need to be revoked before granting access to the corresponding application'));
    l2.finish(0);
    const l3 = inUnit(engine, 'db/0');
    expect(l3.run(`secret-grant ${uri} -r 1`)).toEqual(ok(''));
    expect(l3.run(`secret-grant ${uri} -r 1 --unit web/0`)).toEqual(ok('')); // no-op after an app grant
    l3.finish(0);
    expect(inUnit(engine, 'web/0').run(`secret-get ${uri} a-key --format json`)).toEqual(ok('"1"\n'));
  });

  it('§3.4 secret-revoke argument errors, default relation in relation hooks, and access lost', () => {
    const { engine } = scene();
    const uri = addSecret(engine);
    const l = inUnit(engine, 'db/0');
    expect(l.run('secret-revoke')).toEqual(err(2, 'missing secret URI'));
    expect(l.run(`secret-revoke ${uri} --app Bad!`)).toEqual(err(2, 'application "Bad!" not valid'));
    expect(l.run(`secret-revoke ${uri} --unit web`)).toEqual(err(2, 'unit "web" not valid'));
    expect(l.run(`secret-revoke ${uri} --app web --unit web/0`)).toEqual(err(2, 'specify only one of application or unit'));
    expect(l.run(`secret-revoke ${uri} -r 1 --app web`)).toEqual(err(2, 'do not specify both relation and app'));
    expect(l.run(`secret-revoke ${uri}`)).toEqual(err(2, 'missing relation or application or unit'));
    l.finish();
    const w = inUnit(engine, 'web/0');
    w.run('relation-set -r 1 poke=1');
    w.finish(0);
    const h = until(engine, (x) => x.name === 'db-relation-changed' && x.unit === 'db/0');
    expect(sh(engine, h.contextId, `secret-revoke ${uri}`)).toEqual(ok(''));
    engine.finishHook(h.contextId, { exitCode: 0 });
    drain(engine);
    expect(inUnit(engine, 'web/0').run(`secret-get ${uri}`)).toEqual(err(1, 'permission denied'));
  });

  it('§3.4 notes: secret-set/-remove on a secret the unit does not own pass the tool and fail the hook at commit', () => {
    const { engine } = scene();
    const uri = addSecret(engine);
    engine.advanceTime(5 * 60e3);
    const h = until(engine, (x) => x.name === 'update-status' && x.unit === 'web/0');
    expect(sh(engine, h.contextId, `secret-set ${uri} password=hijack`)).toEqual(ok(''));
    expect(sh(engine, h.contextId, 'status-set active kept')).toEqual(ok(''));
    engine.finishHook(h.contextId, { exitCode: 0 });
    const unit = (engine.status('m').applications['web'] as { units: Record<string, { 'workload-status': { current: string; message: string } }> }).units['web/0']!;
    expect(unit['workload-status']).toMatchObject({ current: 'error', message: 'hook failed: "update-status"' });
    expect(engine.showSecret('m', uri, { reveal: true })[uri.slice(7)]!.content).toEqual({ password: 's3cret', user: 'admin' });
    expect(inUnit(engine, 'db/1').run(`secret-set ${uri} password=x`)).toEqual(err(1, 'this unit is not the leader'));
  });

  it('§3.4/§3.6 rotation and expiry fire secret-rotate / secret-expired on the owner leader, re-fired every 5 minutes', () => {
    const { engine } = scene();
    const l = inUnit(engine, 'db/0');
    const rot = l.run('secret-add --rotate hourly --label rot a-key=1').stdout.trim();
    const exp = l.run('secret-add --expire 90m --label exp a-key=1').stdout.trim();
    l.finish(0);
    engine.advanceTime(3600e3);
    const seen: Array<Record<string, string | undefined>> = [];
    drain(engine, (h) => { if (h.name.startsWith('secret-')) seen.push({ unit: h.unit, name: h.name, id: h.env['JUJU_SECRET_ID'], label: h.env['JUJU_SECRET_LABEL'], rev: h.env['JUJU_SECRET_REVISION'] }); });
    expect(seen).toEqual([{ unit: 'db/0', name: 'secret-rotate', id: rot, label: 'rot', rev: undefined }]);
    seen.length = 0;
    engine.advanceTime(30 * 60e3);
    drain(engine, (h) => { if (h.name.startsWith('secret-')) seen.push({ unit: h.unit, name: h.name, id: h.env['JUJU_SECRET_ID'], label: h.env['JUJU_SECRET_LABEL'], rev: h.env['JUJU_SECRET_REVISION'] }); });
    expect(seen).toEqual([
      { unit: 'db/0', name: 'secret-rotate', id: rot, label: 'rot', rev: undefined },
      { unit: 'db/0', name: 'secret-expired', id: exp, label: 'exp', rev: '1' },
    ]);
  });

  it('§3.5 item 10: grants go with the relation (permission denied after remove-relation)', () => {
    const { engine } = scene();
    const uri = addSecret(engine);
    expect(inUnit(engine, 'web/0').run(`secret-get ${uri} user`)).toEqual(ok('admin\n'));
    engine.removeRelation('m', 1);
    drain(engine);
    expect(inUnit(engine, 'web/0').run(`secret-get ${uri} user`)).toEqual(err(1, 'permission denied'));
  });
});

describe('secrets on Juju 2.9 (contract §3.1, §6 item 7)', () => {
  it('secret tools do not exist: exit 127 "command not found"; no secret hooks or env', () => {
    const { engine } = scene('2.9.49');
    const u = inUnit(engine, 'db/0');
    for (const t of ['secret-add a-key=1', 'secret-get x', 'secret-set x', 'secret-ids', 'secret-info-get x', 'secret-grant x -r 1', 'secret-revoke x', 'secret-remove x']) {
      const tool = t.split(' ')[0]!;
      expect(u.run(t)).toEqual({ stdout: '', stderr: `${tool}: command not found\n`, exitCode: 127 });
    }
    expect(engine.toolNames('m').filter((n) => n.startsWith('secret-'))).toEqual([]);
    expect(engine.toolNames('m')).toContain('state-get');
    u.finish();
    engine.advanceTime(3600e3);
    drain(engine, (h) => { expect(Object.keys(h.env).filter((k) => k.startsWith('JUJU_SECRET'))).toEqual([]); });
  });
});
