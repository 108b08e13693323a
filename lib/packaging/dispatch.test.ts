/**
 * The generated dispatch script, run by bash against stand-ins: a fake "runtime" (a shell script
 * saying what it was given) and, for the warm-worker client, a fake worker process
 * (testdata-dispatch/fake-worker.ts) that answers each request as its scenario says. The real
 * worker's end-to-end tests are lib/juju/worker/server.test.ts.
 */
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dispatchScript } from './dispatch.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const FAKE_WORKER = join(HERE, 'testdata-dispatch/fake-worker.ts');
const PATH = '/usr/bin:/bin';

const root = mkdtempSync(join(tmpdir(), 'dispatch-test-'));
const workers = new Set<ChildProcess>();

afterEach(async () => {
  for (const worker of workers) await stopWorker(worker);
  workers.clear();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A charm dir whose "runtime" is a shell script printing what it was given. */
function fakeCharm(): string {
  const dir = mkdtempSync(join(root, 'd-'));
  mkdirSync(join(dir, 'runtime'));
  mkdirSync(join(dir, 'hooks'));
  writeFileSync(join(dir, 'dispatch'), dispatchScript(), { mode: 0o755 });
  writeFileSync(join(dir, 'runtime/node'), '#!/bin/sh\necho "runtime=$0 script=$1 path=$JUJU_DISPATCH_PATH cwd=$(pwd)"\n', { mode: 0o755 });
  symlinkSync('../dispatch', join(dir, 'hooks/install'));
  return dir;
}

const run = (file: string, cwd: string, env: Record<string, string>) =>
  execFileSync(file, [], { cwd, env: { PATH, ...env }, encoding: 'utf8' }).trim();

// ---- warm-worker client helpers ----

/** A charm dir whose runtime prints `direct <args>`: any output without it came from the worker. */
function warmCharm(): string {
  const dir = mkdtempSync(join(root, 'w-'));
  mkdirSync(join(dir, 'runtime'));
  writeFileSync(join(dir, 'dispatch'), dispatchScript(), { mode: 0o755 });
  writeFileSync(join(dir, 'runtime/node'), '#!/bin/sh\necho "direct $*"\n', { mode: 0o755 });
  return dir;
}

const directOutput = (charm: string) => `direct ${charm}/src/charm.mjs\n`;

/** The worker dir of unit app/0 (paths.ts), with its two FIFOs; no `ready` yet. */
function makeWorkerDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  execFileSync('mkfifo', ['-m', '600', join(dir, 'req'), join(dir, 'rep')]);
  return dir;
}
const besideCharm = (charm: string) => join(charm, '.warm-worker-unit-app-0');
const underWorkloadRoot = (workloadRoot: string) => join(workloadRoot, 'var/lib/juju/agents/unit-app-0/warm-worker');

/** Start the fake worker on `dir`; resolves once its `ready` file is written. */
async function startWorker(dir: string, scenario: string): Promise<ChildProcess> {
  const worker = spawn(process.execPath, [FAKE_WORKER, dir, scenario], { env: { PATH }, stdio: ['ignore', 'pipe', 'inherit'] });
  workers.add(worker);
  let out = '';
  await new Promise<void>((ready, fail) => {
    worker.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString(); if (out.includes('ready\n')) ready(); });
    worker.once('exit', (code) => fail(new Error(`fake worker exited (${code}) before it was ready`)));
  });
  return worker;
}

async function stopWorker(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  const exited = once(worker, 'exit');
  worker.kill('SIGKILL');
  await exited;
}

/** The request lines the fake worker got (it logs each before it answers). */
const requestsGot = (dir: string) => (existsSync(join(dir, 'requests.log')) ? readFileSync(join(dir, 'requests.log'), 'utf8') : '');

/** `ready` naming `<pid> <start>`, written as the real worker writes it. */
const writeReady = (dir: string, pid: number, start: string) => writeFileSync(join(dir, 'ready'), `${pid} ${start}\n`, { mode: 0o600 });

/** Field 22 of /proc/<pid>/stat, read as the client reads it. */
const startTime = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.split(' ')[19]!;

interface Outcome { readonly code: number | null; readonly stdout: string; readonly stderr: string; readonly pid: number }

/** Run the charm's dispatch for hook config-changed of unit app/0, as Juju would (cwd, env). */
async function dispatchHook(charm: string, env: Record<string, string> = {}): Promise<Outcome> {
  const child = spawn(join(charm, 'dispatch'), [], {
    cwd: charm,
    env: { PATH, JUJU_UNIT_NAME: 'app/0', JUJU_CHARM_DIR: charm, JUJU_DISPATCH_PATH: 'hooks/config-changed', ...env },
    timeout: 20_000, // safety net only: a client waiting for nobody would hang the test
    killSignal: 'SIGKILL',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr, pid: child.pid! };
}

/** Whatever sits unread in a FIFO the test holds open (O_RDWR: the data outlives its writer). */
function unread(fd: number): string {
  const buf = Buffer.alloc(4096);
  try {
    return buf.subarray(0, readSync(fd, buf)).toString();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return '';
    throw error;
  }
}

/** Run the hook while the test holds `req` open; returns the outcome and what was written to `req`. */
async function dispatchWatchingRequests(charm: string, dir: string): Promise<Outcome & { readonly sent: string }> {
  const fd = openSync(join(dir, 'req'), constants.O_RDWR | constants.O_NONBLOCK);
  try {
    const outcome = await dispatchHook(charm);
    return { ...outcome, sent: unread(fd) };
  } finally {
    closeSync(fd);
  }
}

describe('dispatch script (contract §1.1)', () => {
  it('starts with a bash shebang', () => {
    expect(dispatchScript().startsWith('#!/bin/bash\n')).toBe(true);
    expect(dispatchScript({ development: true }).startsWith('#!/bin/bash\n')).toBe(true);
  });

  it('keeps the JUJU_DISPATCH_PATH Juju sets and runs the bundled runtime on the bundle', () => {
    const dir = fakeCharm();
    expect(run(join(dir, 'dispatch'), dir, { JUJU_DISPATCH_PATH: 'hooks/config-changed' }))
      .toBe(`runtime=${dir}/runtime/node script=${dir}/src/charm.mjs path=hooks/config-changed cwd=${dir}`);
  });

  it('derives JUJU_DISPATCH_PATH from $0 when run through a hooks/<name> symlink', () => {
    const dir = fakeCharm();
    expect(run('hooks/install', dir, {})).toBe(`runtime=${dir}/runtime/node script=${dir}/src/charm.mjs path=hooks/install cwd=${dir}`);
  });

  it('enables source maps only when asked', () => {
    expect(dispatchScript()).not.toContain('--enable-source-maps');
    expect(dispatchScript({ sourceMaps: true })).toContain('/runtime/node" --enable-source-maps "$charm_dir/src/charm.mjs"');
    expect(dispatchScript({ development: true, sourceMaps: true })).toContain('exec node --enable-source-maps "$charm_dir/dist/charm.mjs"');
  });

  it('finds its runtime from its own location when started from another directory without JUJU_CHARM_DIR', () => {
    const dir = fakeCharm();
    expect(run(join(dir, 'dispatch'), tmpdir(), { JUJU_DISPATCH_PATH: 'actions/say' })).toContain(`runtime=${dir}/runtime/node`);
  });

  it('takes the charm dir from JUJU_CHARM_DIR when set', () => {
    const dir = fakeCharm();
    const other = fakeCharm();
    expect(run(join(dir, 'dispatch'), tmpdir(), { JUJU_DISPATCH_PATH: 'actions/say', JUJU_CHARM_DIR: other }))
      .toBe(`runtime=${other}/runtime/node script=${other}/src/charm.mjs path=actions/say cwd=${tmpdir()}`);
  });

  it.each(['ams', 'anbox-stream-agent', 'nats'])('charms/%s/dispatch is the generated development dispatch, executable', (name) => {
    const file = join(REPO, 'charms', name, 'dispatch');
    expect(readFileSync(file, 'utf8')).toBe(dispatchScript({ development: true }));
    expect(statSync(file).mode & 0o111).toBe(0o111);
  });
});

describe('dispatch script: the warm-worker client (lib/juju/worker/protocol.ts)', () => {
  it('runs the hook directly when there is no worker dir, or no ready file in it', async () => {
    const charm = warmCharm();
    expect(await dispatchHook(charm)).toMatchObject({ code: 0, stdout: directOutput(charm), stderr: '' });
    makeWorkerDir(besideCharm(charm));
    expect(await dispatchHook(charm)).toMatchObject({ code: 0, stdout: directOutput(charm), stderr: '' });
  });

  it('runs directly, sending nothing, when ready names a dead pid', async () => {
    const charm = warmCharm();
    const dir = makeWorkerDir(besideCharm(charm));
    await stopWorker(await startWorker(dir, 'answer')); // its `ready` stays, naming it
    const outcome = await dispatchWatchingRequests(charm, dir);
    expect(outcome).toMatchObject({ code: 0, stdout: directOutput(charm), stderr: '', sent: '' });
  });

  it('runs directly, sending nothing, when ready names a live pid with another start time (a recycled pid)', async () => {
    const charm = warmCharm();
    const dir = makeWorkerDir(besideCharm(charm));
    expect(startTime(process.pid)).not.toBe('1');
    writeReady(dir, process.pid, '1');
    const outcome = await dispatchWatchingRequests(charm, dir);
    expect(outcome).toMatchObject({ code: 0, stdout: directOutput(charm), stderr: '', sent: '' });
  });

  it.each([['\n', 'a blank line'], ['x y\n', 'no number'], ['0 5\n', 'pid 0']])('runs directly, sending nothing, when ready holds %j (%s)', async (text) => {
    const charm = warmCharm();
    const dir = makeWorkerDir(besideCharm(charm));
    writeFileSync(join(dir, 'ready'), text);
    const outcome = await dispatchWatchingRequests(charm, dir);
    expect(outcome).toMatchObject({ code: 0, stdout: directOutput(charm), stderr: '', sent: '' });
  });

  it('relays the worker\'s output and exit code, skipping other nonces, and does not run the hook itself', async () => {
    const charm = warmCharm();
    const dir = makeWorkerDir(besideCharm(charm));
    await startWorker(dir, 'answer');
    const outcome = await dispatchHook(charm);
    expect(outcome).toMatchObject({ code: 3, stdout: 'hello\n', stderr: 'oops\n' });
    const request = /^(\d+) (\S+) hooks\/config-changed\n$/.exec(requestsGot(dir));
    expect(request).not.toBeNull();
    expect(Number(request![1])).toBe(outcome.pid);
    expect(request![2]).toMatch(new RegExp(`^${outcome.pid}\\.[0-9]+$`));
  });

  it('puts together a line the worker wrote in two parts, across a read timeout', async () => {
    const charm = warmCharm();
    const dir = makeWorkerDir(besideCharm(charm));
    await startWorker(dir, 'split-line');
    expect(await dispatchHook(charm)).toMatchObject({ code: 0, stdout: 'hello\n', stderr: '' });
  });

  it('finds the worker under CHARM_WORKLOAD_ROOT when set', async () => {
    const charm = warmCharm();
    const workloadRoot = join(charm, 'workload');
    const dir = makeWorkerDir(underWorkloadRoot(workloadRoot));
    await startWorker(dir, 'ok');
    expect(await dispatchHook(charm, { CHARM_WORKLOAD_ROOT: workloadRoot })).toMatchObject({ code: 0, stdout: 'warm\n', stderr: '' });
  });

  it('ignores a worker beside the charm when CHARM_WORKLOAD_ROOT is set', async () => {
    const charm = warmCharm();
    const dir = makeWorkerDir(besideCharm(charm));
    await startWorker(dir, 'answer');
    expect(await dispatchHook(charm, { CHARM_WORKLOAD_ROOT: join(charm, 'workload') })).toMatchObject({ code: 0, stdout: directOutput(charm), stderr: '' });
    expect(requestsGot(dir)).toBe('');
  });

  it.each([
    ['busy', 'it answers b (busy)'],
    ['refuse', 'it answers r (refused)'],
    ['exit-before-start', 'it dies after reading the request, before it started the hook'],
  ])('runs directly when the worker (%s): %s', async (scenario) => {
    const charm = warmCharm();
    const dir = makeWorkerDir(besideCharm(charm));
    await startWorker(dir, scenario);
    expect(await dispatchHook(charm)).toMatchObject({ code: 0, stdout: directOutput(charm), stderr: '' });
    expect(requestsGot(dir)).toMatch(/^\d+ \S+ hooks\/config-changed\n$/);
  });

  it('fails the hook, without running it again, when the worker dies after it started the hook', async () => {
    const charm = warmCharm();
    const dir = makeWorkerDir(besideCharm(charm));
    await startWorker(dir, 'exit-after-start');
    const outcome = await dispatchHook(charm);
    expect(outcome).toMatchObject({ code: 1, stdout: '' });
    expect(outcome.stderr).toContain('warm worker stopped during the hook');
  });

  it.each<[string, Record<string, string>]>([
    ['an action', { JUJU_DISPATCH_PATH: 'actions/x' }],
    ['CHARM_WARM_WORKER=0', { CHARM_WARM_WORKER: '0' }],
    ['JUJU_DEBUG=1', { JUJU_DEBUG: '1' }],
    ['JUJU_DEBUG_AT set', { JUJU_DEBUG_AT: 'all' }],
    ['no JUJU_UNIT_NAME', { JUJU_UNIT_NAME: '' }],
  ])('never contacts a running worker for %s', async (_label, env) => {
    const charm = warmCharm();
    const dir = makeWorkerDir(besideCharm(charm));
    await startWorker(dir, 'answer');
    expect(await dispatchHook(charm, env)).toMatchObject({ code: 0, stdout: directOutput(charm), stderr: '' });
    expect(requestsGot(dir)).toBe('');
  });
});
