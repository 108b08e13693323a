/** Cross-model relations (contract §4) and cross-model secrets (contract §3.1, §3.2, §4.3). */
import { describe, expect, it } from '@jest/globals';
import { drain, err, inUnit, newEngine, ok, PROVIDER, REQUIRER, sh, until } from '../tools/testkit.ts';
import { loadEngine } from './engine.ts';

function cmr(offerVersion = '3.6.8') {
  const engine = newEngine();
  const off = engine.addModel('off', { agentVersion: offerVersion });
  const con = engine.addModel('con');
  engine.deploy('off', PROVIDER, 'db', { units: 2 });
  engine.deploy('con', REQUIRER, 'web');
  const url = engine.offer('off', 'db', ['db']);
  const saas = engine.consume('con', url, 'pg');
  const conId = engine.integrate('con', 'web', 'pg');
  drain(engine);
  return { engine, off, con, url, saas, conId };
}

describe('cross-model relations (contract §4)', () => {
  it('§4.1 offer URL admin/<model>.<offer>; consume creates a SAAS named by the alias', () => {
    const { url, saas, engine } = cmr();
    expect(url).toBe('admin/off.db');
    expect(saas).toBe('pg');
    expect(engine.status('con')['application-endpoints']['pg']).toMatchObject({ url: 'admin/off.db', endpoints: { db: { interface: 'pg', role: 'provider' } } });
    expect(engine.status('off').offers['db']).toMatchObject({ application: 'db', 'active-connected-count': 1, 'total-connected-count': 1 });
  });

  it('§4.2 consuming side sees the SAAS name and <saas>/<n> units; relation ids are per model', () => {
    const { engine, conId, off } = cmr();
    expect(conId).toBe(0); // web has no peers: first relation id in model con
    const w = inUnit(engine, 'web/0', 'con');
    expect(w.run('relation-ids db')).toEqual(ok('db:0\n'));
    expect(w.run('relation-list -r 0')).toEqual(ok('pg/0\npg/1\n'));
    expect(w.run('relation-list -r 0 --app')).toEqual(ok('pg\n'));
    expect(w.run('relation-model-get -r 0 --format json')).toEqual(ok(`{"uuid":"${off.uuid}"}\n`));
    expect(w.run('relation-get -r 0 - db/0')).toEqual(err(1, 'cannot read settings for unit "db/0" in relation "db:0": unit "db/0": settings not found'));
  });

  it('§4.2 offering side sees remote-<32 hex> with units remote-<hex>/<n>', () => {
    const { engine, con } = cmr();
    const d = inUnit(engine, 'db/0', 'off');
    expect(d.run('relation-ids db')).toEqual(ok('db:1\n')); // 0 is the db peer relation
    const app = d.run('relation-list -r 1 --app').stdout.trim();
    expect(app).toMatch(/^remote-[0-9a-f]{32}$/);
    expect(d.run('relation-list -r 1')).toEqual(ok(`${app}/0\n`));
    expect(d.run('relation-model-get -r 1 --format json')).toEqual(ok(`{"uuid":"${con.uuid}"}\n`));
    expect(JSON.parse(d.run(`relation-get -r 1 - ${app}/0 --format json`).stdout)).toHaveProperty('ingress-address');
    expect(engine.status('off').relations.map((r) => `${r.provider} ${r.requirer}`)).toEqual(['db:cluster db:cluster', `db:db ${app}:db`]);
    expect(engine.status('con').relations.map((r) => `${r.provider} ${r.requirer}`)).toEqual(['pg:db web:db']);
  });

  it('§4.2 hooks carry the translated names and relation data crosses both ways', () => {
    const engine = newEngine();
    engine.addModel('off');
    engine.addModel('con');
    engine.deploy('off', PROVIDER, 'db');
    engine.deploy('con', REQUIRER, 'web');
    engine.offer('off', 'db', ['db'], 'database');
    engine.integrate('con', 'web:db', 'admin/off.database:db'); // consume + integrate in one step
    const envs: string[] = [];
    drain(engine, (h, run) => {
      if (h.name.startsWith('db-relation')) envs.push(`${h.model} ${h.unit} ${h.name} app=${h.env['JUJU_REMOTE_APP']} unit=${h.env['JUJU_REMOTE_UNIT']}`);
      if (h.name === 'db-relation-joined' && h.model === 'off') run('relation-set url=nats://x');
    });
    const token = envs.find((e) => e.startsWith('off'))!.match(/app=(remote-[0-9a-f]{32})/)![1];
    expect(envs).toEqual([
      'off db/0 db-relation-created app=' + token + ' unit=',
      'con web/0 db-relation-created app=database unit=',
      'con web/0 db-relation-joined app=database unit=database/0',
      'con web/0 db-relation-changed app=database unit=database/0',
      `off db/0 db-relation-joined app=${token} unit=${token}/0`,
      `off db/0 db-relation-changed app=${token} unit=${token}/0`,
      'con web/0 db-relation-changed app=database unit=database/0',
    ]);
    expect(inUnit(engine, 'web/0', 'con').run('relation-get -r 0 url database/0')).toEqual(ok('nats://x\n'));
  });

  it('§4.3 only offered endpoints relate; peers and unknown endpoints cannot be offered', () => {
    const { engine } = cmr();
    expect(() => engine.integrate('con', 'web', 'pg:metrics')).toThrow('endpoint "metrics" is not offered by "pg"');
    expect(() => engine.offer('off', 'db', ['cluster'])).toThrow('cannot offer peer endpoint "cluster"');
    expect(() => engine.offer('off', 'db', ['nope'])).toThrow('application "db" has no "nope" relation');
    expect(() => engine.consume('con', 'admin/off.nothing')).toThrow('application offer "admin/off.nothing" not found');
  });

  it('§4.3/§3.2 secrets: the offering side grants, the consumer reads secret://<offering-uuid>/<id> and gets secret-changed', () => {
    const { engine, off } = cmr();
    const d = inUnit(engine, 'db/0', 'off');
    const uri = d.run('secret-add --label token value=t0k3n').stdout.trim();
    expect(d.run(`secret-grant ${uri} -r 1`)).toEqual(ok(''));
    d.finish(0);
    const xuri = `secret://${off.uuid}/${uri.slice(7)}`;
    const w = inUnit(engine, 'web/0', 'con');
    expect(w.run(`secret-get ${xuri} value`)).toEqual(ok('t0k3n\n'));
    // the consuming side cannot grant over the CMR (it owns nothing there anyway)
    const mine = w.run('secret-add mine=1').stdout.trim();
    expect(w.run(`secret-grant ${mine} -r 0`)).toEqual(err(1, 'cannot grant secrets across a cross-model relation from the consuming model'));
    w.finish(0);
    const d2 = inUnit(engine, 'db/0', 'off');
    d2.run(`secret-set ${uri} value=n3w`);
    d2.finish(0);
    const h = until(engine, (x) => x.name === 'secret-changed');
    expect(h.model).toBe('con');
    expect(h.env['JUJU_SECRET_ID']).toBe(xuri);
    expect(sh(engine, h.contextId, `secret-get ${xuri} value --refresh`)).toEqual(ok('n3w\n'));
    engine.finishHook(h.contextId, { exitCode: 0 });
    engine.removeRelation('con', 0);
    const gone = drain(engine);
    expect(gone).toEqual(expect.arrayContaining(['web/0 db-relation-departed', 'web/0 db-relation-broken', 'db/0 db-relation-departed', 'db/0 db-relation-broken', 'db/1 db-relation-broken']));
    expect(inUnit(engine, 'web/0', 'con').run(`secret-get ${xuri}`)).toEqual(err(1, 'permission denied'));
    inUnit(engine, 'web/0', 'con').finish();
    const json = JSON.parse(JSON.stringify(engine.toJSON()));
    expect(loadEngine(json).toJSON()).toEqual(json); // CMR, secrets, tracking all round-trip
  });

  it('§4.1/§3.5 suspend-relation (offering side): -departed/-broken, permission denied; resume re-enters scope', () => {
    const { engine, off } = cmr();
    const d = inUnit(engine, 'db/0', 'off');
    const uri = d.run('secret-add value=x').stdout.trim();
    d.run(`secret-grant ${uri} -r 1`);
    d.finish(0);
    const xuri = `secret://${off.uuid}/${uri.slice(7)}`;
    const w = inUnit(engine, 'web/0', 'con');
    expect(w.run(`secret-get ${xuri} value`)).toEqual(ok('x\n'));
    w.finish();
    expect(() => engine.suspendRelation('con', 0)).toThrow('relation 0 is not a cross-model relation offered by model "con"');
    engine.suspendRelation('off', 1, 'maintenance');
    expect(drain(engine).sort()).toEqual(['db/0 db-relation-broken', 'db/0 db-relation-departed', 'db/1 db-relation-broken', 'db/1 db-relation-departed',
      'web/0 db-relation-broken', 'web/0 db-relation-departed', 'web/0 db-relation-departed']);
    expect(inUnit(engine, 'web/0', 'con').run(`secret-get ${xuri} value`)).toEqual(err(1, 'permission denied'));
    expect(inUnit(engine, 'web/0', 'con').run('relation-ids db')).toEqual(ok(''));
    inUnit(engine, 'web/0', 'con').finish();
    expect(engine.status('off').relations.find((r) => r.id === 1)).toMatchObject({ status: 'suspended', message: 'maintenance' });
    engine.resumeRelation('off', 1);
    const back = drain(engine);
    expect(back).toEqual(expect.arrayContaining(['web/0 db-relation-created', 'web/0 db-relation-joined', 'db/0 db-relation-joined']));
    expect(inUnit(engine, 'web/0', 'con').run(`secret-get ${xuri} value`)).toEqual(ok('x\n'));
    expect(inUnit(engine, 'web/0', 'con').run('relation-list -r 0')).toEqual(ok('pg/0\npg/1\n'));
  });

  it('§3.1 cross-model secret grants need Juju 3.2+ on the offering side', () => {
    const { engine } = cmr('3.1.7');
    const d = inUnit(engine, 'db/0', 'off');
    const uri = d.run('secret-add value=x').stdout.trim();
    expect(d.run(`secret-grant ${uri} -r 1`)).toEqual(err(1, 'cross-model secrets are not supported by this Juju version'));
  });
});
