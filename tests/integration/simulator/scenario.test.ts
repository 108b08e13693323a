/**
 * Issue 3 scenario: two tiny charms in two models, offer / consume / integrate across models,
 * a secret shared over the CMR, a new revision seen as secret-changed, remove-relation seen as
 * -departed / -broken, all inspected with status --relations, secrets, show-secret --reveal and
 * show-unit. Most verbs go through the real `jujusim` process; some through the Simulator API
 * on the same state directory (the two interleave through the home lock).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Simulator } from '../../../lib/testing/process/simulator.ts';
import { CHARMS, hooksRun, jujusim } from './helpers.ts';

const home = mkdtempSync(join(tmpdir(), 'jujusim-scenario-'));
const digest = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 12);
let sim: Simulator;

beforeAll(async () => { sim = await Simulator.open(home); });
afterAll(async () => { await sim.close(); rmSync(home, { recursive: true, force: true }); });

async function ok(...args: string[]): Promise<string> {
  const r = await jujusim(home, ...args);
  if (r.code !== 0) throw new Error(`jujusim ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

interface UnitStatus { 'workload-status': { current: string; message?: string } }
async function unitStatus(model: string, unit: string): Promise<{ current: string; message?: string }> {
  const st = JSON.parse(await ok('status', '-m', model, '--format', 'json')) as { applications: Record<string, { units: Record<string, UnitStatus> }> };
  return st.applications[unit.split('/')[0]!]!.units[unit]!['workload-status'];
}

describe('cross-model relation with a shared secret (contract §4, §3.5, §5)', () => {
  let secretId = '';

  it('deploys and offers the provider in model "infra" (CLI)', async () => {
    await ok('add-model', 'infra');
    await ok('deploy', join(CHARMS, 'provider'));
    expect(await ok('offer', 'infra.provider:data')).toBe('Application "provider" endpoints [data] available at "admin/infra.provider"\n');
    expect(await unitStatus('infra', 'provider/0')).toMatchObject({ current: 'active', message: 'ready' });
  });

  it('deploys two requirers in "edge", consumes the offer and integrates (CLI)', async () => {
    await ok('add-model', 'edge');
    await ok('deploy', join(CHARMS, 'requirer'), '-n', '2');
    await ok('consume', 'admin/infra.provider');
    await ok('integrate', 'requirer', 'provider');
    for (const u of ['requirer/0', 'requirer/1']) {
      expect(await unitStatus('edge', u)).toEqual(expect.objectContaining({ current: 'active', message: `token ${digest('first-token')}` }));
    }
  });

  it('status --relations shows SAAS, the integration and, on the offering side, the remote-<hex> app', async () => {
    const edge = await ok('status', '--relations', '-m', 'edge');
    expect(edge).toMatch(/^SAAS +Status +Store +URL\nprovider +active +local +admin\/infra\.provider$/m);
    expect(edge).toMatch(/^Integration provider +Requirer +Interface +Type +Message\nprovider:data +requirer:data +demo +regular$/m);
    expect(edge).toMatch(/^requirer\/0\* +active/m);
    const infra = await ok('status', '--relations', '-m', 'infra');
    expect(infra).toMatch(/^Offer +Application +Charm +Rev +Connected +Endpoint +Interface +Role\nprovider +provider +provider +0 +1\/1 +data +demo +provider$/m);
    expect(infra).toMatch(/^provider:data +remote-[0-9a-f]{32}:data +demo +regular$/m);
  });

  it('secrets / show-secret --reveal show the owner, revision 1 and the content (infra)', async () => {
    const table = await ok('secrets', '-m', 'infra');
    expect(table.split('\n')[0]).toMatch(/^ID +Name +Owner +Rotation +Revision +Last updated$/);
    const row = table.split('\n')[1]!.split(/ +/);
    secretId = row[0]!;
    expect(row.slice(1, 5)).toEqual(['-', 'provider', 'never', '1']);
    const shown = JSON.parse(await ok('show-secret', secretId, '--reveal', '--format', 'json', '-m', 'infra')) as Record<string, { revision: number; owner: string; label?: string; content: Record<string, string> }>;
    expect(shown[secretId]).toMatchObject({ revision: 1, owner: 'provider', label: 'shared', content: { token: 'first-token' } });
  });

  it('show-unit on the consumer shows relation-info with both databags (API)', async () => {
    const unit = (await sim.showUnit('requirer/0', 'edge')) as Record<string, { 'relation-info': Array<Record<string, unknown>> }>;
    const info = unit['requirer/0']!['relation-info'][0]!;
    expect(info).toMatchObject({ endpoint: 'data', 'related-endpoint': 'data', 'local-unit': { 'in-scope': true, data: expect.objectContaining({ name: 'requirer/0' }) } });
    expect((info['application-data'] as Record<string, string>)['secret-id']).toMatch(new RegExp(`^secret://[0-9a-f-]{36}/${secretId}$`));
    expect(Object.keys(info['related-units'] as object)).toEqual(['provider/0']);
  });

  it('a new revision published by the provider reaches the consumers as secret-changed (CLI run + config)', async () => {
    const before = hooksRun(home).length;
    const r = await jujusim(home, 'run', 'provider/0', 'rotate', 'token=second-token', '-m', 'infra');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('rotated: "true"\n');
    expect(r.stderr).toMatch(/^Running operation \d+ with 1 task\n/);
    const after = hooksRun(home).slice(before);
    expect(after.filter(([m, , h]) => m === 'edge' && h === 'secret-changed').map(([, u]) => u).sort()).toEqual(['requirer/0', 'requirer/1']);
    expect(await unitStatus('edge', 'requirer/1')).toMatchObject({ message: `token ${digest('second-token')}` });
    const shown = (await sim.showSecret(secretId, { model: 'infra', revisions: true })) as Record<string, { revision: number; revisions: unknown[] }>;
    expect(shown[secretId]?.revision).toBe(2);
  });

  it('remove-relation runs -departed then -broken on every unit of both sides (API, then CLI status)', async () => {
    const before = hooksRun(home).length;
    await sim.removeRelation('requirer', 'provider', { model: 'edge' });
    const after = hooksRun(home).slice(before);
    for (const unit of ['requirer/0', 'requirer/1']) {
      const mine = after.filter(([m, u]) => m === 'edge' && u === unit).map(([, , h]) => h);
      expect(mine).toEqual(['data-relation-departed', 'data-relation-broken']);
    }
    const provider = after.filter(([m, u]) => m === 'infra' && u === 'provider/0').map(([, , h]) => h);
    expect(provider.indexOf('data-relation-broken')).toBeGreaterThan(provider.lastIndexOf('data-relation-departed'));
    expect(await unitStatus('edge', 'requirer/0')).toEqual(expect.objectContaining({ current: 'blocked', message: 'no provider' }));
    expect(await ok('status', '--relations', '-m', 'edge')).not.toContain('Integration provider');
  });
});
