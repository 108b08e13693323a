/**
 * The warm worker end to end, as a unit runs it: the generated development dispatch script (bash
 * client) and a charm whose entry calls lib/juju's `main`, with stand-in hook tools that append
 * their arguments to a log. The charm's handlers log which process ran them, so each test can
 * tell a direct run (the dispatch's own pid: bash execs node) from one the worker served.
 */
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dispatchScript } from '../../packaging/dispatch.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const NODE_BIN = join(REPO, 'node_modules/.bin');
const root = mkdtempSync(join(tmpdir(), 'warm-worker-test-'));
const started: number[] = [];

afterEach(() => {
  for (const pid of started.splice(0)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CHARM = (dispatchTs: string) => `
import { main, defineCharm } from ${JSON.stringify(dispatchTs)};
const say = (ctx, what) => ctx.log.info(\`\${what} pid=\${process.pid} unit=\${process.env.JUJU_UNIT_NAME} ctx=\${process.env.JUJU_CONTEXT_ID} mark=\${process.env.TEST_MARK ?? '-'}\`);
void main(defineCharm({
  hooks: {
    'config-changed': (ctx) => say(ctx, 'ran'),
    'stop': (ctx) => say(ctx, 'stopped'),
    'install': () => { process.stdout.write('x'.repeat(199999) + '\\n'); },
    'update-status': (ctx) => { say(ctx, 'ran'); process.stdout.write('out-line\\n'); console.error('err-line'); },
    'upgrade-charm': () => { throw new Error('boom'); },
    'leader-elected': async (ctx) => { say(ctx, 'sleeping'); await new Promise((r) => setTimeout(r, 20000)); say(ctx, 'woke'); },
  },
}));
`;

interface Unit { readonly dir: string; readonly log: string; readonly name: string }

function charmDir(): { dir: string; log: string } {
  const dir = mkdtempSync(join(root, 'charm-'));
  mkdirSync(join(dir, 'dist'));
  mkdirSync(join(dir, 'tools'));
  writeFileSync(join(dir, 'dispatch'), dispatchScript({ development: true }), { mode: 0o755 });
  writeFileSync(join(dir, 'dist/charm.mjs'), CHARM(join(REPO, 'lib/juju/dispatch.ts')));
  for (const tool of ['juju-log', 'status-set']) {
    writeFileSync(join(dir, 'tools', tool), `#!/bin/sh\necho "${tool} $*" >> "$TOOL_LOG"\n`);
    chmodSync(join(dir, 'tools', tool), 0o755);
  }
  return { dir, log: join(dir, 'tools.log') };
}

function unitEnv(unit: Unit, hook: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${join(unit.dir, 'tools')}:${NODE_BIN}:/usr/bin:/bin`,
    TOOL_LOG: unit.log,
    JUJU_UNIT_NAME: unit.name,
    JUJU_MODEL_NAME: 'm',
    JUJU_MODEL_UUID: '8f2a9c1e-5b7d-4e3f-9a1b-2c3d4e5f6a7b',
    JUJU_VERSION: '3.6.1',
    JUJU_CHARM_DIR: unit.dir,
    JUJU_DISPATCH_PATH: `hooks/${hook}`,
    JUJU_HOOK_NAME: hook,
    JUJU_CONTEXT_ID: `${unit.name}-${hook}-${Math.random().toString(36).slice(2)}`,
    ...extra,
  };
}

interface HookRun { readonly pid: number; readonly code: number | null; readonly stdout: string; readonly stderr: string }

function runHook(unit: Unit, hook: string, extra: Record<string, string> = {}): Promise<HookRun> {
  const child = spawn(join(unit.dir, 'dispatch'), [], { cwd: unit.dir, env: unitEnv(unit, hook, extra), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => { stdout += c; });
  child.stderr.on('data', (c) => { stderr += c; });
  return new Promise((ok) => child.on('close', (code) => ok({ pid: child.pid!, code, stdout, stderr })));
}

const workerDirOf = (unit: Unit) => join(unit.dir, `.warm-worker-unit-${unit.name.replace('/', '-')}`);
const logLines = (unit: Unit) => (existsSync(unit.log) ? readFileSync(unit.log, 'utf8').trim().split('\n') : []);
const pidOf = (line: string | undefined) => Number(/ pid=(\d+) /.exec(line ?? '')?.[1]);
const lastRan = (unit: Unit) => logLines(unit).filter((l) => l.startsWith('juju-log')).at(-1);

function readyPid(unit: Unit): number | undefined {
  try { return Number(readFileSync(join(workerDirOf(unit), 'ready'), 'utf8').split(' ')[0]); } catch { return undefined; }
}
const isAlive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

async function until<T>(what: string, probe: () => T | undefined | false, ms = 15000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A unit whose first hook ran directly and whose worker is ready. */
async function warmUnit(name = 'app/0', extra: Record<string, string> = {}, shared?: { dir: string }): Promise<Unit & { worker: number }> {
  const c = shared ?? charmDir();
  const unit = { dir: c.dir, log: join(c.dir, `tools-${name.replace('/', '-')}.log`), name };
  const first = await runHook(unit, 'config-changed', extra);
  expect(first.code).toBe(0);
  expect(pidOf(lastRan(unit))).toBe(first.pid); // direct: bash exec'd node in the dispatch's process
  const worker = await until('the worker to be ready', () => readyPid(unit));
  started.push(worker);
  return { ...unit, worker };
}

describe('warm worker (lib/juju/worker) behind the dispatch script', () => {
  it('starts after a direct hook and serves the next hooks with their own environment', async () => {
    const unit = await warmUnit();
    expect(unit.worker).not.toBe(pidOf(lastRan(unit)));
    const marked = await runHook(unit, 'config-changed', { TEST_MARK: 'one' });
    expect(marked.code).toBe(0);
    expect(lastRan(unit)).toMatch(new RegExp(`^juju-log .*ran pid=${unit.worker} unit=app/0 ctx=app/0-config-changed-\\w+ mark=one$`));
    // The next hook does not see the last hook's variables.
    const plain = await runHook(unit, 'config-changed');
    expect(plain.code).toBe(0);
    expect(lastRan(unit)).toMatch(new RegExp(`ran pid=${unit.worker} .* mark=-$`));
    expect(readyPid(unit)).toBe(unit.worker);
  }, 30000);

  it('relays the hook\'s stdout, stderr and exit code', async () => {
    const unit = await warmUnit();
    const status = await runHook(unit, 'update-status');
    expect(status).toMatchObject({ code: 0, stdout: 'out-line\n', stderr: 'err-line\n' });
    expect(pidOf(lastRan(unit))).toBe(unit.worker);
    // More than the FIFO holds (64 KiB): the worker waits for the client to drain it.
    const big = await runHook(unit, 'install');
    expect(big.code).toBe(0);
    expect(big.stdout).toBe(`${'x'.repeat(199999)}\n`);
    const failed = await runHook(unit, 'upgrade-charm');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/upgrade-charm failed: Error: boom/);
  }, 30000);

  it('exits after stop, and the next hook runs directly', async () => {
    const unit = await warmUnit();
    const stop = await runHook(unit, 'stop');
    expect(stop.code).toBe(0);
    expect(pidOf(lastRan(unit))).toBe(unit.worker);
    await until('the worker to exit', () => !isAlive(unit.worker));
    expect(existsSync(join(workerDirOf(unit), 'ready'))).toBe(false);
    const next = await runHook(unit, 'config-changed');
    expect(pidOf(lastRan(unit))).toBe(next.pid);
  }, 30000);

  it('exits at once when Juju kills the hook it runs; nothing of that hook runs after', async () => {
    const unit = await warmUnit();
    const child = spawn(join(unit.dir, 'dispatch'), [], { cwd: unit.dir, env: unitEnv(unit, 'leader-elected'), stdio: 'ignore' });
    await until('the hook to start in the worker', () => lastRan(unit)?.includes('sleeping'));
    expect(pidOf(lastRan(unit))).toBe(unit.worker);
    child.kill('SIGKILL');
    await until('the worker to exit', () => !isAlive(unit.worker), 5000);
    expect(logLines(unit).some((l) => l.includes('woke'))).toBe(false);
  }, 30000);

  it('refuses a hook when the charm entry changed (another revision): it runs directly and a new worker starts', async () => {
    const unit = await warmUnit();
    const entry = join(unit.dir, 'dist/charm.mjs');
    const later = new Date(Date.now() + 5000);
    utimesSync(entry, later, later);
    const hook = await runHook(unit, 'config-changed');
    expect(hook.code).toBe(0);
    expect(pidOf(lastRan(unit))).toBe(hook.pid);
    await until('the old worker to exit', () => !isAlive(unit.worker));
    const next = await until('a new worker', () => { const p = readyPid(unit); return p !== undefined && p !== unit.worker ? p : undefined; });
    started.push(next);
  }, 30000);

  it('exits after its idle time', async () => {
    const unit = await warmUnit('app/0', { CHARM_WARM_WORKER_IDLE_MS: '400' });
    await until('the idle worker to exit', () => !isAlive(unit.worker), 10000);
    expect(existsSync(join(workerDirOf(unit), 'ready'))).toBe(false);
  }, 30000);

  it('keeps two units sharing a charm directory apart: one worker each', async () => {
    const a = await warmUnit('app/0');
    const b = await warmUnit('app/1', {}, a);
    expect(a.worker).not.toBe(b.worker);
    await runHook(b, 'config-changed');
    expect(lastRan(b)).toMatch(new RegExp(`pid=${b.worker} unit=app/1 `));
    await runHook(a, 'config-changed');
    expect(lastRan(a)).toMatch(new RegExp(`pid=${a.worker} unit=app/0 `));
  }, 30000);

  it('is not started on Juju without secrets, nor when CHARM_WARM_WORKER=0', async () => {
    for (const extra of [{ JUJU_VERSION: '2.9.45' }, { CHARM_WARM_WORKER: '0' }] as Record<string, string>[]) {
      const c = charmDir();
      const unit = { dir: c.dir, log: c.log, name: 'app/0' };
      expect((await runHook(unit, 'config-changed', extra)).code).toBe(0);
      await new Promise((r) => setTimeout(r, 1500));
      expect(existsSync(workerDirOf(unit))).toBe(false);
    }
  }, 30000);

  it('keeps its files private: directory 0700, FIFOs and ready file 0600', async () => {
    const unit = await warmUnit();
    const mode = (p: string) => spawnSync('stat', ['-c', '%a %F', p], { encoding: 'utf8' }).stdout.trim();
    expect(mode(workerDirOf(unit))).toBe('700 directory');
    expect(mode(join(workerDirOf(unit), 'req'))).toBe('600 fifo');
    expect(mode(join(workerDirOf(unit), 'rep'))).toBe('600 fifo');
    expect(mode(join(workerDirOf(unit), 'ready'))).toBe('600 regular file');
  }, 30000);
});
