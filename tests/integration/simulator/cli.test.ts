/** jujusim as separate processes: the home lock serialises concurrent commands; .charm deploys. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { CHARMS, hooksRun, jujusim } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'jujusim-cli-proc-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('jujusim processes', () => {
  it('two concurrent add-unit commands do not interleave: both units exist and each ran its hooks once', async () => {
    const home = join(root, 'lock');
    expect((await jujusim(home, 'add-model', 'm')).code).toBe(0);
    expect((await jujusim(home, 'deploy', join(CHARMS, 'requirer'))).code).toBe(0);
    const [a, b] = await Promise.all([jujusim(home, 'add-unit', 'requirer'), jujusim(home, 'add-unit', 'requirer')]);
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
    const st = JSON.parse((await jujusim(home, 'status', '--format', 'json')).stdout) as { applications: { requirer: { units: Record<string, unknown> } } };
    expect(Object.keys(st.applications.requirer.units).sort()).toEqual(['requirer/0', 'requirer/1', 'requirer/2']);
    for (const u of ['requirer/1', 'requirer/2']) {
      expect(hooksRun(home).filter(([, unit, hook]) => unit === u && hook === 'install')).toHaveLength(1);
    }
    expect(readdirSync(home)).not.toContain('lock');
  });

  it('deploys a packed .charm, unpacked under $JUJUSIM_HOME/charms with dispatch executable', async () => {
    const home = join(root, 'packed');
    const src = join(CHARMS, 'provider');
    const file = join(root, 'provider.charm');
    writeFileSync(file, zipSync({
      'charmcraft.yaml': [readFileSync(join(src, 'charmcraft.yaml')), { os: 3, attrs: 0o100644 << 16 }],
      dispatch: [readFileSync(join(src, 'dispatch')), { os: 3, attrs: 0o100755 << 16 }],
    }));
    await jujusim(home, 'add-model', 'm');
    const r = await jujusim(home, 'deploy', file);
    expect(r.code).toBe(0);
    const [unpacked] = readdirSync(join(home, 'charms'));
    expect(unpacked).toMatch(/^provider-[0-9a-f]{12}$/);
    expect(statSync(join(home, 'charms', unpacked!, 'dispatch')).mode & 0o100).toBe(0o100);
    expect((await jujusim(home, 'status')).stdout).toMatch(/^provider\/0\* +active +idle .* ready$/m);
  });

  it('ERROR text and exit codes of operator mistakes reach the terminal like juju', async () => {
    const home = join(root, 'errors');
    expect(await jujusim(home, 'status')).toMatchObject({ code: 1, stdout: '', stderr: 'ERROR no model in focus; use add-model or switch, or pass -m MODEL\n' });
    await jujusim(home, 'add-model', 'm');
    const r = await jujusim(home, 'deploy', join(root, 'does-not-exist'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ERROR charm or bundle at ".*does-not-exist" not found\n$/);
  });
});
