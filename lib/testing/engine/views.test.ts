/** Read views for the CLI, shaped like juju's JSON (contract §5). */
import { describe, expect, it } from '@jest/globals';
import { drain, inUnit, scene } from '../tools/testkit.ts';

describe('read views (contract §5)', () => {
  it('§5.5 status: model, applications with units/leader/ports/relations, relations list', () => {
    const { engine } = scene();
    const u = inUnit(engine, 'db/0');
    u.run('status-set active ready');
    u.run('open-port 5432');
    u.finish(0);
    const st = engine.status('m');
    expect(st.model).toMatchObject({ name: 'm', version: '3.6.8', type: 'iaas', controller: 'jujusim' });
    expect(st.model.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const db = st.applications['db'] as Record<string, unknown> & { units: Record<string, Record<string, unknown>> };
    expect(db).toMatchObject({ charm: 'db', scale: 2, relations: { cluster: ['db'], db: ['web'] } });
    expect(db.units['db/0']).toMatchObject({ 'workload-status': { current: 'active', message: 'ready' }, 'juju-status': { current: 'idle' }, leader: true, 'open-ports': ['5432/tcp'] });
    expect(db.units['db/0']!['public-address']).toMatch(/^10\./);
    expect(st.relations).toEqual([
      { provider: 'db:cluster', requirer: 'db:cluster', interface: 'db-cluster', type: 'peer', status: 'joined', id: 0 },
      { provider: 'db:db', requirer: 'web:db', interface: 'pg', type: 'regular', status: 'joined', id: 1 },
    ]);
    expect(JSON.parse(JSON.stringify(st))).toEqual(st);
  });

  it('§5.1/§5.2 secrets and show-secret: keyed by bare id, field order, reveal, revisions, access', () => {
    const { engine } = scene();
    const l = inUnit(engine, 'db/0');
    const uri = l.run('secret-add --label creds --description "the creds" --rotate daily password=one').stdout.trim();
    l.run(`secret-grant ${uri} -r 1`);
    l.finish(0);
    const l2 = inUnit(engine, 'db/0');
    l2.run(`secret-set ${uri} password=two`);
    l2.finish(0);
    const id = uri.slice(7);
    const list = engine.secrets('m');
    expect(Object.keys(list)).toEqual([id]);
    expect(Object.keys(list[id]!)).toEqual(['revision', 'rotation', 'rotates', 'owner', 'description', 'label', 'created', 'updated']);
    expect(list[id]).toMatchObject({ revision: 2, rotation: 'daily', owner: 'db', description: 'the creds', label: 'creds' });
    const shown = engine.showSecret('m', uri, { reveal: true })[id]!;
    expect(shown.content).toEqual({ password: "two" });
    expect(shown.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(shown.access).toEqual([{ target: 'application-web', scope: 'relation-db.1', role: 'view' }]);
    expect(engine.showSecret('m', id, { revisions: true })[id]!.revisions!.map((r) => r.revision)).toEqual([1, 2]);
    expect(() => engine.showSecret('m', id, { reveal: true, revisions: true })).toThrow('specify either --revisions or --reveal but not both');
    expect(() => engine.showSecret('m', 'nope')).toThrow('secret "nope" not found');
    expect(engine.showSecret('m', id, { reveal: true, revision: 1 })[id]).toMatchObject({ revision: 1, content: { password: 'one' } });
    expect(() => engine.showSecret('m', id, { revisions: true, revision: 1 })).toThrow('specify either --revisions or --revision but not both');
    expect(() => engine.showSecret('m', id, { revision: 0 })).toThrow('revision must be a positive integer');
  });

  it('§5.5 show-unit: relation-info with application-data of the related app', () => {
    const { engine } = scene();
    const d = inUnit(engine, 'db/0');
    d.run('relation-set -r 1 --app url=pg://x');
    d.run('relation-set -r 1 mine=1');
    d.finish(0);
    drain(engine);
    const su = engine.showUnit('m', 'web/0')['web/0'] as { 'relation-info': Array<Record<string, unknown>>; leader: boolean };
    expect(su.leader).toBe(true);
    const rel = su['relation-info'].find((r) => r['relation-id'] === 1)!;
    expect(rel).toMatchObject({ endpoint: 'db', 'related-endpoint': 'db', 'application-data': { url: 'pg://x' }, 'local-unit': { 'in-scope': true } });
    expect((rel['related-units'] as Record<string, { data: Record<string, string> }>)['db/0']!.data).toMatchObject({ mine: '1' });
  });

  it('action results and the tool-call log', () => {
    const { engine } = scene();
    const id = engine.enqueueAction('m', 'db/0', 'backup', { target: '/srv' });
    drain(engine, (h, run) => { if (h.kind === 'action') run('action-set done=yes'); });
    expect(engine.actionResult('m', id)).toMatchObject({ id, unit: 'db/0', action: 'backup', status: 'completed', results: { done: 'yes', 'return-code': '0' }, params: { target: '/srv', count: 1 } });
    expect(engine.toolCalls().at(-1)).toEqual({ model: 'm', unit: 'db/0', hook: 'backup', tool: 'action-set', args: ['done=yes'], exitCode: 0 });
  });
});
