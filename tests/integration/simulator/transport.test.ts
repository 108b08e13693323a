/**
 * The executable transport against the real engine (contract §0.1, §0.4, §1.5, §3.1):
 * byte-exact replies, stdin forwarding, 2.9 without secret tools, a failing hook's writes
 * discarded while its status-set and juju-log stay, and `resolve` re-running it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hookEnv } from '../../../lib/testing/process/executor.ts';
import { Simulator } from '../../../lib/testing/process/simulator.ts';
import { CHARMS, jujusim, run } from './helpers.ts';

const home = mkdtempSync(join(tmpdir(), 'jujusim-transport-'));
let sim: Simulator;

beforeAll(async () => {
  sim = await Simulator.open(home);
  await sim.addModel('new');
  await sim.deploy(join(CHARMS, 'provider'), 'provider');
  await sim.deploy(join(CHARMS, 'requirer'), 'requirer');
  await sim.integrate('provider', 'requirer');
  await sim.addModel('old', { agentVersion: '2.9.49' });
  await sim.deploy(join(CHARMS, 'requirer'), 'requirer');
});
afterAll(async () => { await sim.close(); rmSync(home, { recursive: true, force: true }); });

describe('hook tools as executables (contract §0.1, §0.2)', () => {
  it('outside a hook: "error: JUJU_CONTEXT_ID not set", exit 1', async () => {
    const r = await run(join(sim.toolsDir('new'), 'is-leader'), [], { env: { PATH: '/usr/bin:/bin' } });
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'error: JUJU_CONTEXT_ID not set\n' });
  });

  it('a stale context id is refused like jujuc does', async () => {
    const r = await run(join(sim.toolsDir('new'), 'is-leader'), [], { env: { JUJU_CONTEXT_ID: 'new-provider/0-nope', JUJU_AGENT_SOCKET_ADDRESS: sim.socketPath, JUJU_AGENT_SOCKET_NETWORK: 'unix' } });
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'error: bad request: bad context: new-provider/0-nope\n' });
  });

  it('reproduces stdout, stderr and exit code byte for byte, as engine.runTool answers in-process', async () => {
    const probes: string[][] = [
      ['is-leader'], ['is-leader', '--format', 'json'], ['config-get'], ['config-get', 'token', '--format=yaml'],
      ['relation-ids', 'data'], ['relation-get', '--format', 'bogus'], ['config-get', 'a', 'b', 'c'],
      ['status-get', '--nope'], ['secret-get'], ['unit-get', 'private-address'],
    ];
    const inv = sim.engine.openContext('new', 'provider/0');
    try {
      const env = hookEnv(inv, { socketPath: sim.socketPath, toolsDir: sim.toolsDir('new') });
      for (const [tool, ...args] of probes) {
        const viaProcess = await run(join(sim.toolsDir('new'), tool!), args, { env });
        const inProcess = sim.engine.runTool(inv.contextId, tool!, args, { stdin: '', cwd: CHARMS });
        expect({ tool, args, code: viaProcess.code, stdout: viaProcess.stdout, stderr: viaProcess.stderr })
          .toEqual({ tool, args, code: inProcess.exitCode, stdout: inProcess.stdout, stderr: inProcess.stderr });
      }
    } finally {
      sim.engine.finishHook(inv.contextId, { exitCode: 1 });
    }
  });

  it('forwards stdin: relation-set --file - and state-set --file - inside juju exec, committed on exit 0', async () => {
    const set = await sim.exec('provider/0', ['printf "colour: blue\\n" | relation-set -r "$(relation-ids data)" --file - && printf "k1: v1\\n" | state-set --file -'], { model: 'new' });
    expect(set).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect((await sim.exec('provider/0', ['state-get', 'k1'], { model: 'new' })).stdout).toBe('v1\n');
    // stdin is only taken by a tool that reads it, as with jujuc's ErrNoStdin retry
    expect((await sim.exec('provider/0', ['printf "for cat\\n" | (relation-ids data; cat)'], { model: 'new' })).stdout).toBe('data:0\nfor cat\n');
    const seen = (await sim.showUnit('requirer/0', 'new')) as Record<string, { 'relation-info': Array<{ 'related-units': Record<string, { data: Record<string, string> }> }> }>;
    expect(seen['requirer/0']!['relation-info'][0]!['related-units']['provider/0']!.data.colour).toBe('blue');
  });

  it('resolves key#file= and -o FILE against the hook\'s cwd (contract §0.3, §3.3)', async () => {
    const work = mkdtempSync(join(tmpdir(), 'jujusim-cwd-'));
    try {
      const r = await sim.exec('provider/0', [`cd ${work} && printf s3cret > tok && secret-add --label from-file token#file=tok >/dev/null && secret-get --label from-file && config-get token -o out.txt && cat out.txt`], { model: 'new' });
      expect(r).toEqual({ exitCode: 0, stdout: 'token: s3cret\nfirst-token\n', stderr: '' });
      expect(readFileSync(join(work, 'out.txt'), 'utf8')).toBe('first-token\n');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('a 2.9 model links no secret-* tools: command not found (exit 127) like a 2.9 agent', async () => {
    expect(existsSync(join(sim.toolsDir('old'), 'relation-get'))).toBe(true);
    expect(existsSync(join(sim.toolsDir('old'), 'secret-get'))).toBe(false);
    expect(existsSync(join(sim.toolsDir('new'), 'secret-get'))).toBe(true);
    const r = await sim.exec('requirer/0', ['secret-get', 'secret:abc'], { model: 'old' });
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(/secret-get.*not found/);
  });
});

describe('a failing hook (contract §0.4, §1.5)', () => {
  it('discards relation and state writes, keeps status-set and juju-log; resolve re-runs it', async () => {
    const marker = join(home, 'fail-marker');
    writeFileSync(marker, 'data-relation-changed');
    await sim.addModel('fail');
    await sim.deploy(join(CHARMS, 'provider'), 'provider', { model: 'fail' });
    await sim.deploy(join(CHARMS, 'requirer'), 'requirer', { model: 'fail', config: { 'fail-marker': marker } });
    await sim.integrate('provider', 'requirer', { model: 'fail' });

    const st = (await sim.status('fail')) as { applications: Record<string, { units: Record<string, { 'workload-status': { current: string; message: string } }> }> };
    expect(st.applications.requirer!.units['requirer/0']!['workload-status']).toMatchObject({ current: 'error', message: 'hook failed: "data-relation-changed"' });
    const log = (await sim.debugLog('fail')).join('\n');
    expect(log).toContain('failing data-relation-changed on purpose');
    const show = (await sim.showUnit('provider/0', 'fail')) as Record<string, { 'relation-info': Array<{ 'related-units': Record<string, { data: Record<string, string> }> }> }>;
    const seen = show['provider/0']!['relation-info'][0]!['related-units']['requirer/0']!.data;
    expect(seen['failed-write']).toBeUndefined();
    expect(seen.name).toBe('requirer/0');

    // status-set ran immediately (contract §0.4): it is what the unit shows once resolved without retry is not needed;
    // the debug log carries the WARNING juju-log line; state-set was discarded.
    rmSync(marker);
    const cli = await jujusim(home, 'resolve', 'requirer/0', '-m', 'fail');
    expect(cli).toMatchObject({ code: 0, stderr: '' });
    const after = (await sim.status('fail')) as typeof st;
    expect(after.applications.requirer!.units['requirer/0']!['workload-status']).toMatchObject({ current: 'active' });
    expect((await sim.exec('requirer/0', ['state-get', 'failed-state'], { model: 'fail' })).stdout).toBe('');
  });
});
