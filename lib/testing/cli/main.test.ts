/** The jujusim verbs end to end on the real engine, in-process (main() with captured streams). */
import { afterAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './main.ts';

const charms = fileURLToPath(new URL('../../../tests/fixtures/charms/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'jujusim-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function cli(home: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; } }, { home });
  return { code, stdout, stderr };
}

const hookLines = (home: string): string[] => readFileSync(join(home, 'logs', 'hooks.log'), 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ').slice(1, 5).join(' '));

describe('jujusim verbs', () => {
  const home = join(root, 'verbs');

  it('add-model switches to the new model; models marks the current one; switch changes it', async () => {
    expect((await cli(home, 'add-model', 'a')).code).toBe(0);
    expect((await cli(home, 'add-model', 'b', '--agent-version', '2.9.49')).code).toBe(0);
    expect((await cli(home, 'models')).stdout).toMatch(/^a +localhost\/localhost .*\nb\* +localhost\/localhost .*2\.9\.49\n$/m);
    expect((await cli(home, 'switch', 'a')).stderr).toBe('b -> a\n');
    const json = JSON.parse((await cli(home, 'models', '--format', 'json')).stdout) as { 'current-model': string };
    expect(json['current-model']).toBe('a');
    expect(await cli(home, 'switch', 'zzz')).toMatchObject({ code: 1, stderr: 'ERROR model "zzz" not found\n' });
  });

  it('deploy --config, then config shows, gets and sets values (config-changed runs)', async () => {
    expect((await cli(home, 'deploy', join(charms, 'provider'), 'prov', '--config', 'token=abc')).code).toBe(0);
    const shown = (await cli(home, 'config', 'prov')).stdout;
    expect(shown).toContain('application: prov\ncharm: provider\nsettings:\n');
    expect(shown).toMatch(/ {2}token:\n {4}default: first-token\n {4}description: .*\n {4}source: user\n {4}type: string\n {4}value: abc\n/);
    expect((await cli(home, 'config', 'prov', 'token')).stdout).toBe('abc\n');
    expect((await cli(home, 'config', 'prov', 'token=xyz')).code).toBe(0);
    expect((await cli(home, 'config', 'prov', 'token')).stdout).toBe('xyz\n');
    expect(hookLines(home).filter((l) => l === 'a prov/0 hook config-changed')).toHaveLength(2);
  });

  it('exec runs a command in a hook context and returns its streams and exit code', async () => {
    expect(await cli(home, 'exec', '--unit', 'prov/0', '--', 'is-leader; config-get token; echo oops >&2; exit 3')).toEqual({ code: 3, stdout: 'True\nxyz\n', stderr: 'oops\n' });
    expect(await cli(home, 'exec', '--', 'true')).toMatchObject({ code: 2 });
  });

  it('run prints results; a failing action exits 1 with juju\'s task-failed text', async () => {
    const ok = await cli(home, 'run', 'prov/0', 'rotate', 'token=t2');
    expect(ok).toMatchObject({ code: 0, stdout: 'rotated: "true"\n' });
    await cli(home, 'deploy', join(charms, 'requirer'), 'req');
    const bad = await cli(home, 'run', 'req/0', 'show-token-digest');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^no secret tracked\nERROR the following task failed:\n id "\d+" with return code 1\n/m);
  });

  it('read verbs validate their arguments like juju (exit 2) and reject unknown models (exit 1)', async () => {
    expect(await cli(home, 'show-secret')).toMatchObject({ code: 2, stderr: 'ERROR secret ID is required\n' });
    expect(await cli(home, 'show-secret', 'x', '--reveal', '--revisions')).toMatchObject({ code: 2, stderr: 'ERROR specify either --revisions or --reveal but not both\n' });
    expect(await cli(home, 'status', '--format', 'xml')).toMatchObject({ code: 2, stderr: 'ERROR invalid value "xml" for option --format: unknown format "xml"\n' });
    expect((await cli(home, 'status', '-m', 'nope')).code).toBe(1);
    expect(await cli(home, 'add-unit', 'prov', 'extra')).toMatchObject({ code: 2, stderr: 'ERROR unrecognized args: ["extra"]\n' });
  });

  it('debug-log shows the hooks\' juju-log lines (last 10, or all with --replay)', async () => {
    const tail = (await cli(home, 'debug-log')).stdout.split('\n').filter(Boolean);
    expect(tail).toHaveLength(10);
    const all = (await cli(home, 'debug-log', '--replay')).stdout;
    expect(all).toContain('dispatch hooks/install');
    expect(all.split('\n').length).toBeGreaterThan(10);
  });
});

describe('settling', () => {
  it('--no-wait only enqueues; wait runs the queue', async () => {
    const home = join(root, 'nowait');
    await cli(home, 'add-model', 'm');
    await cli(home, '--no-wait', 'deploy', join(charms, 'provider'));
    const before = JSON.parse((await cli(home, 'status', '--format', 'json')).stdout) as { applications: { provider: { units: Record<string, { 'workload-status': { current: string } }> } } };
    expect(before.applications.provider.units['provider/0']!['workload-status'].current).not.toBe('active');
    expect((await cli(home, 'wait')).code).toBe(0);
    expect(hookLines(home)).toEqual(['m provider/0 hook install', 'm provider/0 hook leader-elected', 'm provider/0 hook config-changed', 'm provider/0 hook start']);
  });

  it('wait --timeout kills a hung hook, reports the timeout and keeps state consistent', async () => {
    const dir = join(root, 'hang-charm');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'metadata.yaml'), 'name: hang\n');
    writeFileSync(join(dir, 'dispatch'), '#!/bin/sh\n[ "$JUJU_HOOK_NAME" = install ] && sleep 20\nexit 0\n');
    chmodSync(join(dir, 'dispatch'), 0o755);
    const home = join(root, 'hang');
    await cli(home, 'add-model', 'm');
    await cli(home, '--no-wait', 'deploy', dir);
    const t0 = Date.now();
    const r = await cli(home, 'wait', '--timeout', '500ms');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r).toMatchObject({ code: 1, stderr: 'ERROR timed out after 500 ms waiting for hooks to settle\n' });
    expect((await cli(home, 'status')).stdout).toMatch(/^hang\/0\* +error +idle .*hook failed: "install"$/m);
  });

  it('--seed shuffles the interleaving across units reproducibly', async () => {
    async function order(seed: string | undefined, name: string): Promise<string[]> {
      const home = join(root, name);
      await cli(home, 'add-model', 'm');
      const seedArgs = seed === undefined ? [] : ['--seed', seed];
      await cli(home, ...seedArgs, '--no-wait', 'deploy', join(charms, 'requirer'), '-n', '3');
      await cli(home, ...seedArgs, 'wait');
      return hookLines(home);
    }
    const fifo = await order(undefined, 'fifo');
    const a = await order('7', 'seed-a');
    const b = await order('7', 'seed-b');
    expect(a).toEqual(b);
    expect(a).not.toEqual(fifo);
    expect([...a].sort()).toEqual([...fifo].sort());
  });
});
