/**
 * The warm worker (README.md): one resident Node process per unit that runs the unit's hooks
 * for the dispatch script's client, so a hook pays neither Node's start nor a cold JIT.
 *
 * It never outlives its client's hook: while a hook runs it checks the client every 10 ms and
 * exits at once when the client is gone (Juju killed the hook, contract §1.5: a killed hook is a
 * failed hook), so nothing runs for a hook that Juju no longer waits for. Hooks of one unit never
 * overlap (contract §1.1, "one hook at a time per unit"); a request that comes while a hook
 * runs is answered `b`, and the client runs that hook directly.
 *
 * It exits: after `stop`, `remove` and `upgrade-charm`; when the charm's entry file changes
 * (another revision: the request is refused, the client runs it directly); when Juju's version
 * changes; after IDLE_MS without a hook, MAX_HOOKS hooks, or when its `ready` file is no longer
 * its own (directory removed, another worker).
 */
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync, chmodSync, constants } from 'node:fs';
import { Socket } from 'node:net';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { dispatch, type CharmSource } from '../dispatch.ts';
import { FileMemoryStore, memoryFilePath, type MemoryStore } from '../memory/store.ts';
import { alive, procStat } from './liveness.ts';
import { workerDir, WORKER_FILES } from './paths.ts';
import { onLines, outputLines, parseRequest, reply, startTimeOf, type WorkerRequest } from './protocol.ts';

type Env = Record<string, string>;

/**
 * A full collection once the unit has been idle this long after a hook, off every hook's path.
 * Left to V8's own pace, the heap grows before it is collected: over 300 hooks the agent's
 * worker went from 25 to 46 MB private memory, still growing; with this collection it levels
 * off at ~33 MB from ~150 hooks on (bench/hooks/worker-soak.ts, memory read after 1.5 s idle).
 * `gc` exists when the worker runs with --expose-gc (start.ts).
 */
const GC_AFTER_MS = 1000;
const collectGarbage = (): void => (globalThis as { gc?: () => void }).gc?.();

/** Hook kinds after which the worker exits (the unit is going away, or its charm changed). */
const LAST_HOOKS = new Set(['stop', 'remove', 'upgrade-charm']);

export interface WorkerOptions {
  /** Exit after this long without a hook. Default 30 min (update-status comes every 5 min by default). */
  readonly idleMs?: number;
  /** Exit after this many hooks (a bound on whatever a long-lived process accumulates). */
  readonly maxHooks?: number;
}

function readEnviron(pid: number): Env {
  const env: Env = {};
  for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

function identity(path: string): string {
  const s = statSync(path);
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
}

function replaceEnv(env: Env): void {
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, env);
}

/** Serve hooks until one of the exits above; resolves never (the process exits). */
export async function serveWarm(source: CharmSource, entryPath: string, options: WorkerOptions = {}): Promise<void> {
  const startEnv = { ...process.env } as Env;
  const dir = workerDir(startEnv);
  const unit = startEnv['JUJU_UNIT_NAME'];
  if (!dir || !unit || process.platform !== 'linux') return;
  // CHARM_WARM_WORKER_IDLE_MS: for tests; a unit never has it.
  const idleMs = options.idleMs ?? (Number(startEnv['CHARM_WARM_WORKER_IDLE_MS']) || 30 * 60_000);
  const maxHooks = options.maxHooks ?? 1000;
  const files = Object.fromEntries(Object.entries(WORKER_FILES).map(([k, f]) => [k, join(dir, f)])) as Record<keyof typeof WORKER_FILES, string>;
  const myStart = startTimeOf(procStat(process.pid) ?? '');
  const readyText = `${process.pid} ${myStart}\n`;

  // Only the last component: a unit whose directory was removed (the unit is gone) gets no
  // worker, rather than a rebuilt tree for nobody.
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return;
  }
  chmodSync(dir, 0o700);
  if (!takeLock(files.lock, readyText)) return;
  const entryId = identity(entryPath);
  const charmDir = startEnv['JUJU_CHARM_DIR'] ?? '';
  const jujuVersion = startEnv['JUJU_VERSION'] ?? '';

  for (const fifo of [files.request, files.reply]) {
    try { unlinkSync(fifo); } catch { /* none yet */ }
  }
  // Node has no mkfifo; paths only in argv.
  const made = spawnSync('mkfifo', ['-m', '600', files.request, files.reply], { stdio: 'ignore' });
  if (made.status !== 0) { unlinkSync(files.lock); return; }
  const { O_RDWR, O_NONBLOCK } = constants;
  const replyFd = openSync(files.reply, O_RDWR | O_NONBLOCK);
  const requestFd = openSync(files.request, O_RDWR | O_NONBLOCK);
  const requestIno = fstatSync(requestFd).ino;
  const requests = new Socket({ fd: requestFd, readable: true, writable: false });

  let stopping = false;
  const shutdown = (code = 0): never => {
    stopping = true;
    try { if (readFileSync(files.ready, 'utf8') === readyText) unlinkSync(files.ready); } catch { /* gone */ }
    try { if (readFileSync(files.lock, 'utf8') === readyText) unlinkSync(files.lock); } catch { /* gone */ }
    process.exit(code);
  };
  /**
   * `rep` is non-blocking: a write larger than the FIFO's free space is partial, and the client
   * (bash `read`, one byte per call) drains it meanwhile. Wait for it, 1 ms at a time; a FIFO
   * that stays full for 10 s has no reader: stop being used.
   */
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const send = (text: string): void => {
    const bytes = Buffer.from(text, 'utf8');
    const deadline = Date.now() + 10_000;
    let written = 0;
    while (written < bytes.length) {
      try {
        written += writeSync(replyFd, bytes, written);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > deadline) shutdown(75);
        Atomics.wait(pause, 0, 0, 1);
      }
    }
  };
  /** Lines of dead clients still in `rep`: the new client need not skip them. */
  const drain = (): void => {
    const buf = Buffer.alloc(65536);
    try { while (readSync(replyFd, buf) > 0) { /* discard */ } } catch { /* EAGAIN: empty */ }
  };

  try { await (typeof source === 'function' ? source() : source); } catch { shutdown(1); }
  writeFileSync(`${files.ready}.tmp`, readyText, { mode: 0o600 });
  renameSync(`${files.ready}.tmp`, files.ready);
  process.on('uncaughtException', () => shutdown(70));
  process.on('unhandledRejection', () => shutdown(70));
  process.on('SIGTERM', () => shutdown(0));

  let idle = setTimeout(() => shutdown(0), idleMs);
  // Still the unit's worker? Its `ready` and `lock` name it and `req` is the FIFO it reads. Else
  // (directory removed, another worker took over) clients cannot reach it: exit.
  const stillMine = (): boolean => {
    try {
      return readFileSync(files.ready, 'utf8') === readyText && readFileSync(files.lock, 'utf8') === readyText && statSync(files.request).ino === requestIno;
    } catch {
      return false;
    }
  };
  setInterval(() => { if (!busy && !stillMine()) shutdown(0); }, 2000).unref();

  let busy = false;
  let collect: NodeJS.Timeout | undefined;
  let hooks = 0;
  onLines(requests, (line) => {
    const request = parseRequest(line);
    if (!request) return;
    if (busy || stopping) { send(reply(request.nonce, busy ? 'b' : 'r')); return; }
    busy = true;
    clearTimeout(idle);
    clearTimeout(collect);
    void runOne(request).finally(() => {
      busy = false;
      idle = setTimeout(() => shutdown(0), idleMs);
      collect = setTimeout(collectGarbage, GC_AFTER_MS);
    });
  });

  async function runOne(request: WorkerRequest): Promise<void> {
    const { nonce, pid } = request;
    const clientStart = startTimeOf(procStat(pid) ?? '');
    let env: Env;
    try {
      env = readEnviron(pid);
    } catch {
      send(reply(nonce, 'r'));
      return;
    }
    env['JUJU_DISPATCH_PATH'] = request.dispatchPath;
    let changed = false;
    try { changed = identity(entryPath) !== entryId; } catch { changed = true; }
    const versionChanged = (env['JUJU_VERSION'] ?? '') !== jujuVersion;
    if (changed || versionChanged || env['JUJU_UNIT_NAME'] !== unit || (env['JUJU_CHARM_DIR'] ?? '') !== charmDir || !request.dispatchPath.startsWith('hooks/')) {
      send(reply(nonce, 'r'));
      if (changed || versionChanged) shutdown(0);
      return;
    }
    drain();
    send(reply(nonce, 's'));
    const watchdog = setInterval(() => { if (!alive(pid, clientStart)) shutdown(71); }, 10);
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    const capture = (stream: 'o' | 'e') => ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      send(outputLines(nonce, stream, typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = capture('o');
    process.stderr.write = capture('e');
    replaceEnv(env);
    let code = 1;
    const path = memoryFilePath(env);
    const memory = path ? new SavedAfterReply(new FileMemoryStore(path)) : undefined;
    try {
      code = await dispatch(source, {
        env,
        argv0: request.dispatchPath,
        stderr: (line) => send(outputLines(nonce, 'e', `${line}\n`)),
        ...(memory ? { memory } : {}),
      });
    } catch (error) {
      send(outputLines(nonce, 'e', `charm: ${error instanceof Error ? error.message : String(error)}\n`));
    } finally {
      clearInterval(watchdog);
      process.stdout.write = out;
      process.stderr.write = err;
      replaceEnv(startEnv);
    }
    send(reply(nonce, 'x', String(code)));
    memory?.commit();
    hooks++;
    const hookName = request.dispatchPath.slice('hooks/'.length);
    if (LAST_HOOKS.has(hookName) || hooks >= maxHooks) shutdown(0);
  }

  await new Promise<never>(() => {});
}

/**
 * The hook memory is saved only once the hook's exit code is sent. Saved before, a worker killed
 * between the two would leave a memory of writes Juju then discards (the hook failed); saved
 * after, a worker killed between them leaves no memory, and the next hook reads everything
 * (store.ts: `take` already moved the old one aside). The next request waits: this runs in the
 * same synchronous turn as the reply.
 */
class SavedAfterReply implements MemoryStore {
  readonly #inner: MemoryStore;
  #pending: (() => void) | undefined;
  constructor(inner: MemoryStore) { this.#inner = inner; }
  take(): string | undefined { return this.#inner.take(); }
  save(text: string): void { this.#pending = () => this.#inner.save(text); }
  putBack(): void { this.#pending = () => this.#inner.putBack?.(); }
  discard(): void { this.#pending = undefined; this.#inner.discard?.(); }
  commit(): void {
    try { this.#pending?.(); } catch { /* no memory: the next hook reads everything */ }
    this.#pending = undefined;
  }
}

/** One worker per unit: the lock holds the owner's `<pid> <start time>`; a dead owner's lock is taken over. */
function takeLock(path: string, mine: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, mine);
      closeSync(fd);
      return true;
    } catch {
      let owner: string[] = [];
      try { owner = readFileSync(path, 'utf8').trim().split(' '); } catch { /* gone meanwhile */ }
      const pid = Number(owner[0]);
      if (Number.isInteger(pid) && pid > 0 && alive(pid, owner[1])) return false;
      try { unlinkSync(path); } catch { /* someone else did */ }
    }
  }
  return false;
}

