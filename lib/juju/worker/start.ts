/**
 * After a hook ran directly (no worker took it), start the unit's warm worker (README.md) for
 * the hooks after it, unless one is running or starting. Only where the worker is allowed:
 * Linux (/proc), a hook (not an action), Juju with secrets (the hook memory and deferred writes
 * are on there, dispatch.ts), not under `juju debug-hooks`/`debug-code` (JUJU_DEBUG, JUJU_DEBUG_AT, contract §1.2:
 * the operator runs the hook by hand and expects it in the foreground), not `stop`/`remove`,
 * and not when CHARM_WARM_WORKER=0.
 *
 * The worker gets no hook context (WORKER_ENV); each hook it serves brings its own environment.
 */
import { spawn } from 'node:child_process';
import { workerRunning } from './liveness.ts';
import { workerDir } from './paths.ts';
import { JujuVersion } from '../version.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * What the worker starts with: where the unit's files are and which Juju runs it, plus the
 * process basics. Nothing of this hook's context or event; each hook brings its own environment.
 */
const WORKER_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'JUJU_UNIT_NAME', 'JUJU_MODEL_UUID', 'JUJU_CHARM_DIR', 'CHARM_DIR', 'JUJU_VERSION', 'CHARM_WORKLOAD_ROOT', 'CHARM_WARM_WORKER_IDLE_MS'];

export const WORKER_FLAG = '--warm-worker';

export function workerAllowed(env: Env): boolean {
  const path = env['JUJU_DISPATCH_PATH'] ?? '';
  const hook = path.startsWith('hooks/') ? path.slice(6) : undefined;
  return process.platform === 'linux'
    && hook !== undefined && hook !== 'stop' && hook !== 'remove'
    && env['CHARM_WARM_WORKER'] !== '0'
    && !env['JUJU_DEBUG'] && !env['JUJU_DEBUG_AT']
    && JujuVersion.parse(env['JUJU_VERSION'] || '0.0.0').hasSecrets;
}

/**
 * Starts the worker in the background (its own session, no stdio: Juju waits for the hook's pipes
 * to close). `--expose-gc`: the worker collects its garbage once idle (server.ts).
 */
export function startWorker(env: Env, entryPath: string): boolean {
  const dir = workerDir(env);
  if (!dir || !workerAllowed(env) || workerRunning(dir)) return false;
  const workerEnv: Record<string, string> = {};
  for (const k of WORKER_ENV) { const v = env[k]; if (v !== undefined) workerEnv[k] = v; }
  try {
    const child = spawn(process.execPath, [...process.execArgv, '--expose-gc', entryPath, WORKER_FLAG], { detached: true, stdio: 'ignore', env: workerEnv, cwd: env['JUJU_CHARM_DIR'] || process.cwd() });
    child.on('error', () => { /* no worker: hooks run directly */ });
    child.unref();
    return true;
  } catch {
    return false;
  }
}
