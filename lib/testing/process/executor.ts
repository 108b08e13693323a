/**
 * Runs one HookInvocation as a process, the way the unit agent does (contract §1.1):
 * `<charm>/dispatch` if present, else `hooks/<name>` / `actions/<name>`; cwd = charm dir;
 * env = the invocation's JUJU_* vars + PATH with the tools dir first + JUJU_CHARM_DIR/CHARM_DIR +
 * socket vars; stdin not meaningful (ignored); stdout/stderr captured for the debug log.
 * A missing hook is skipped (exit 0, nothing run); a missing action fails with
 * `action not implemented on unit "<unit>"`. No hook timeout (Juju has none); a caller-imposed
 * deadline kills the process, which Juju counts as a hook failure (contract §1.5).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HookInvocation, HookOutcome } from '../engine/api.ts';

export interface ExecutorEnv {
  /** Directory of tool symlinks for the invocation's model (tools-dir.ts). */
  readonly toolsDir: string;
  /** Unix socket the tool clients connect to (server.ts). */
  readonly socketPath: string;
  /** PATH after the tools dir (default: this process's PATH). */
  readonly basePath?: string;
  /** The unit's emulated machine root, exported as CHARM_WORKLOAD_ROOT (machine.ts). */
  readonly machineRoot?: string;
  /** Directory of stand-in service commands, on PATH right after the tools dir (machine.ts). */
  readonly machineBin?: string;
}

export type HandlerKind = 'dispatch' | 'hook' | 'action' | 'skipped' | 'not-implemented';

export interface ExecutionRecord extends HookOutcome {
  readonly handler: HandlerKind;
  /** Extra failure text for the engine when no process ran (missing action). Addition to api.ts. */
  readonly message?: string;
  readonly durationMs: number;
}

/** Which program the agent would run (runner.go discoverHookHandler, contract §1.1 1-3). */
export function discoverHandler(inv: HookInvocation): { kind: HandlerKind; program?: string } {
  const dir = inv.charm.dir;
  if (dir) {
    const dispatch = join(dir, 'dispatch');
    if (existsSync(dispatch)) return { kind: 'dispatch', program: dispatch };
    const legacy = join(dir, inv.kind === 'action' ? 'actions' : 'hooks', inv.name);
    if (existsSync(legacy)) return { kind: inv.kind, program: legacy };
  }
  return { kind: inv.kind === 'action' ? 'not-implemented' : 'skipped' };
}

/**
 * Variables of the process running the simulator (jest's NODE_OPTIONS, npm's npm_*, this
 * sandbox's NODE_EXTRA_CA_CERTS) that a unit agent started by systemd never has: passing them
 * on would make hooks slower (NODE_EXTRA_CA_CERTS doubles Node start-up, tooling.md) and
 * behave unlike on a machine.
 */
const LEAKY_HOST_VARS = /^(NODE_OPTIONS|NODE_EXTRA_CA_CERTS|npm_.*|JEST_WORKER_ID|INIT_CWD)$/;

/** The hook process environment: inherited env minus any stray JUJU_* vars and test-runner vars, then the hook's. */
export function hookEnv(inv: HookInvocation, ex: ExecutorEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('JUJU_') && k !== 'CHARM_DIR' && !LEAKY_HOST_VARS.test(k)) env[k] = v;
  }
  Object.assign(env, inv.env);
  const charmDir = inv.charm.dir ?? '';
  env.JUJU_CHARM_DIR = charmDir;
  env.CHARM_DIR = charmDir;
  env.JUJU_AGENT_SOCKET_ADDRESS = ex.socketPath;
  env.JUJU_AGENT_SOCKET_NETWORK = 'unix';
  if (ex.machineRoot) env.CHARM_WORKLOAD_ROOT = ex.machineRoot;
  env.PATH = [ex.toolsDir, ex.machineBin, ex.basePath ?? process.env.PATH ?? '/usr/bin:/bin'].filter(Boolean).join(':');
  return env;
}

export interface RunningHook {
  readonly child?: ChildProcess;
  readonly done: Promise<ExecutionRecord>;
  /** SIGKILLs the hook's whole process group (children of dispatch included). */
  kill(): void;
}

/** Starts the hook process; `done` resolves when it exits (never rejects). */
export function startHook(inv: HookInvocation, ex: ExecutorEnv): RunningHook {
  const started = performance.now();
  const handler = discoverHandler(inv);
  if (!handler.program) {
    const record: ExecutionRecord = handler.kind === 'skipped'
      ? { handler: 'skipped', exitCode: 0, stdout: '', stderr: '', durationMs: 0 }
      : { handler: 'not-implemented', exitCode: 1, stdout: '', stderr: '', message: `action not implemented on unit "${inv.unit}"`, durationMs: 0 };
    return { done: Promise.resolve(record), kill: () => {} };
  }
  return spawnCaptured(handler.program, [], inv, ex, handler.kind, started);
}

/** Runs a shell command in an open hook context, as `juju exec` does (cwd = charm dir). */
export function startCommand(inv: HookInvocation, ex: ExecutorEnv, command: string): RunningHook {
  return spawnCaptured('/bin/sh', ['-c', command], inv, ex, 'hook', performance.now());
}

function spawnCaptured(program: string, args: string[], inv: HookInvocation, ex: ExecutorEnv, kind: HandlerKind, started: number): RunningHook {
  // Own process group, so a deadline can kill dispatch and everything it started.
  const child = spawn(program, args, { cwd: inv.charm.dir ?? process.cwd(), env: hookEnv(inv, ex), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  child.stderr?.on('data', (c: Buffer) => err.push(c));
  const done = new Promise<ExecutionRecord>((ok) => {
    let spawnError: Error | undefined;
    child.on('error', (e) => { spawnError = e; });
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8') + (spawnError ? `${spawnError.message}\n` : '');
      // A signal death or a spawn failure (e.g. dispatch not executable) is a hook failure.
      const exitCode = code ?? (signal ? 128 + signalNumber(signal) : 1);
      ok({ handler: kind, exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr, durationMs: performance.now() - started });
    });
  });
  const kill = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  };
  return { child, done, kill };
}

function signalNumber(signal: NodeJS.Signals): number {
  const table: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return table[signal] ?? 1;
}
