/**
 * The same charms as lib/secrets/*.test.ts, run as real hook processes through the
 * simulator's hook-tool executables (a subset of the in-process cases), 3.6 and 2.9.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Simulator } from '../../../lib/testing/process/simulator.ts';
import { AGENT, NATSY } from '../../../lib/secrets/testing/charms.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const root = mkdtempSync(join(tmpdir(), 'relsec-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function charmDir(name: string): string {
  const dir = join(root, 'charms', name);
  mkdirSync(dir, { recursive: true });
  const node = join(repo, 'node_modules/.bin/node');
  writeFileSync(join(dir, 'dispatch'), `#!/bin/sh\nunset NODE_OPTIONS NODE_EXTRA_CA_CERTS\nexec "${node}" "${join(here, 'charm-main.ts')}" ${name}\n`);
  chmodSync(join(dir, 'dispatch'), 0o755);
  return dir;
}

describe.each([['3.6', '3.6.8'], ['2.9', '2.9.44']])('relations + secrets through executables (Juju %s)', (p, version) => {
  it('shares the token the negotiated way, and only there', async () => {
    const sim = await Simulator.open(join(root, `home-${p}`));
    try {
      await sim.addModel('m', { agentVersion: version });
      await sim.deploy({ ...NATSY, dir: charmDir('natsy') }, 'natsy', { units: 1, timeoutMs: 60_000 });
      await sim.deploy({ ...AGENT, dir: charmDir('agent') }, 'agent', { units: 1, timeoutMs: 60_000 });
      await sim.integrate('natsy:client', 'agent:nats', { timeoutMs: 60_000 });
      const state = await sim.read((e) => e.toJSON()) as { relations: Record<string, { peer: boolean; bags: unknown }>; models: Record<string, { apps: Record<string, { units: Record<string, { workload: { status: string; message: string }; failedHook?: string }> }> }> };
      const units = Object.values(state.models['m']!.apps).flatMap((a) => Object.values(a.units));
      expect(units.filter((u) => u.failedHook)).toEqual([]);
      const agent = state.models['m']!.apps['agent']!.units['agent/0']!;
      expect(agent.workload).toMatchObject({ status: 'active', message: p === '3.6' ? 'token via secret' : 'token via inline' });
      const bags = JSON.stringify(Object.values(state.relations).filter((r) => !r.peer).map((r) => r.bags));
      if (p === '3.6') {
        expect(bags).toContain('token_secret_id');
        expect(bags).not.toMatch(/tok-[0-9a-f]{32}/);
      } else {
        expect(bags).toMatch(/"token":"tok-[0-9a-f]{32}"/);
        expect(bags).not.toContain('token_secret_id');
      }
    } finally {
      await sim.close();
    }
  });
});
