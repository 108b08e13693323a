/**
 * Pieces of worker-chaos.test.ts: a seeded killer of the units' warm workers (lib/juju/worker),
 * the operator's settle-and-resolve loop, and the snapshots that must survive the chaos
 * (secrets as `show-secret --reveal` sees them, the charms' rendered workload files).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { alive } from '../../../lib/juju/worker/liveness.ts';
import { workerDir, WORKER_FILES } from '../../../lib/juju/worker/paths.ts';
import { startTimeOf } from '../../../lib/juju/worker/protocol.ts';
import { memoryFilePath } from '../../../lib/juju/memory/store.ts';
import { machineRoot } from '../../../lib/testing/process/machine.ts';
import type { Simulator } from '../../../lib/testing/process/simulator.ts';
import { walkFiles } from '../reliability/projection.ts';
import { unitsInError } from '../reliability/story.ts';

export interface UnitRef { readonly model: string; readonly unit: string }
export interface WorkerProcess { readonly unit: string; readonly pid: number; readonly start: string }

/** The unit's worker as its `ready` file names it, when that process is still the one that wrote it. */
export function readyWorker(home: string, { model, unit }: UnitRef): WorkerProcess | undefined {
  const dir = workerDir({ JUJU_UNIT_NAME: unit, CHARM_WORKLOAD_ROOT: machineRoot(home, model, unit) })!;
  let text: string;
  try { text = readFileSync(join(dir, WORKER_FILES.ready), 'utf8'); } catch { return undefined; }
  const [pid, start] = text.trim().split(' ');
  const worker = { unit, pid: Number(pid), start: start ?? '' };
  // Start time checked too (liveness.ts): a recycled pid is never taken for the worker.
  return alive(worker.pid, worker.start) ? worker : undefined;
}

/**
 * Whether the unit is in the middle of a hook: the hook memory is taken (renamed to `.taken`)
 * when a hook starts and saved back when it ends (lib/juju/memory/store.ts). Approximate (a
 * killed hook leaves it taken until the unit's next successful hook): it only biases the pick.
 */
function inHook(home: string, { model, unit }: UnitRef): boolean {
  const path = memoryFilePath({ JUJU_UNIT_NAME: unit, CHARM_WORKLOAD_ROOT: machineRoot(home, model, unit) })!;
  return existsSync(`${path}.taken`);
}

/**
 * Every `delay()` ms, SIGKILLs one live warm worker of `units`, picked with `random`: one whose
 * unit is in a hook when there is one, else (1 time in 4) an idle one. Idle workers are spared
 * the rest of the time so that some live long enough to take a hook: a worker killed between
 * hooks only makes the next hook run directly. Only a process whose pid AND start time match
 * its unit's `ready` file is killed.
 */
export class WorkerKiller {
  readonly kills: WorkerProcess[] = [];
  /** Every worker seen ready (key `pid start`), killed or not. */
  readonly seen = new Map<string, WorkerProcess>();
  readonly #home: string;
  readonly #units: () => readonly UnitRef[];
  readonly #random: () => number;
  readonly #delay: () => number;
  #timer: NodeJS.Timeout | undefined;

  /** `units`: the units whose workers may be killed, asked at each kill (units come and go). */
  constructor(home: string, units: () => readonly UnitRef[], random: () => number, delay: () => number) {
    this.#home = home;
    this.#units = units;
    this.#random = random;
    this.#delay = delay;
  }

  start(): void {
    this.#timer = setTimeout(() => this.#tick(), this.#delay());
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    const live = this.#units().flatMap((u) => { const w = readyWorker(this.#home, u); return w ? [{ u, w }] : []; });
    for (const { w } of live) this.seen.set(`${w.pid} ${w.start}`, w);
    const busy = live.filter((x) => inHook(this.#home, x.u));
    const pool = busy.length > 0 ? busy : this.#random() < 0.25 ? live : [];
    const victim = pool[Math.floor(this.#random() * pool.length)]?.w;
    if (victim && alive(victim.pid, victim.start)) {
      process.kill(victim.pid, 'SIGKILL');
      this.kills.push(victim);
    }
    if (this.#timer) this.#timer = setTimeout(() => this.#tick(), this.#delay());
  }
}

/** Polls `done` every 100 ms until it is true or `ms` passed; returns its last answer. */
export async function pollUntil(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** Live warm-worker processes (any unit) whose workload root is `dir` or under it, found through /proc. */
export function workersUnder(dir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0').includes('--warm-worker')) continue;
      const root = readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').find((kv) => kv.startsWith('CHARM_WORKLOAD_ROOT='));
      const start = startTimeOf(readFileSync(`/proc/${name}/stat`, 'latin1'));
      const path = root?.slice('CHARM_WORKLOAD_ROOT='.length);
      if (path !== undefined && (path === dir || path.startsWith(`${dir}/`)) && alive(Number(name), start)) out.push(Number(name));
    } catch { /* gone meanwhile, or not ours to read */ }
  }
  return out;
}

/**
 * What an operator does after a verb settled: `resolve` every unit in error (the failed hook
 * runs again and the model settles), until none is left. Returns the resolves made.
 */
export async function resolveUntilSettled(sim: Simulator, options: { maxResolves: number; timeoutMs: number }): Promise<number> {
  let resolves = 0;
  for (;;) {
    const stuck = await sim.read((e) => unitsInError(e));
    if (stuck.length === 0) return resolves;
    if (resolves >= options.maxResolves) throw new Error(`still in error after ${resolves} resolves: ${stuck.map((s) => s.unit).join(', ')}`);
    for (const s of stuck) {
      await sim.resolve(s.unit, { model: s.model, timeoutMs: options.timeoutMs });
      resolves++;
    }
  }
}

export interface SecretView { readonly model: string; readonly owner: string; readonly label: string; readonly revision: number; readonly content: Readonly<Record<string, string>> }

/** `id -> owner, label, revision, revealed content` of every secret of `models`. */
export async function secretsSnapshot(sim: Simulator, models: readonly string[]): Promise<Record<string, SecretView>> {
  const out: Record<string, SecretView> = {};
  for (const model of models) {
    for (const id of Object.keys((await sim.secrets(model)) as Record<string, unknown>)) {
      const shown = (await sim.showSecret(id, { model, reveal: true })) as Record<string, { owner: string; label?: string; revision: number; content?: Record<string, string> }>;
      const s = shown[id]!;
      out[id] = { model, owner: s.owner, label: s.label ?? '', revision: s.revision, content: s.content ?? {} };
    }
  }
  return out;
}

/**
 * Orphans and duplicates: a secret whose owner's application no longer exists, or a label its
 * owner holds twice (a secret created again instead of found by its label). A removed unit's
 * own secrets stay with the simulator (the contract says nothing of their removal).
 */
export async function secretProblems(sim: Simulator, secrets: Readonly<Record<string, SecretView>>): Promise<string[]> {
  const owners = new Set<string>();
  for (const model of new Set(Object.values(secrets).map((s) => s.model))) {
    const status = (await sim.status(model)) as { applications?: Record<string, unknown> };
    for (const app of Object.keys(status.applications ?? {})) owners.add(`${model} ${app}`);
  }
  const problems: string[] = [];
  const labels = new Set<string>();
  for (const [id, s] of Object.entries(secrets)) {
    const app = s.owner.split('/')[0];
    if (!owners.has(`${s.model} ${app}`)) problems.push(`${id} (${s.label}): owner ${s.owner}'s application does not exist`);
    const key = `${s.model} ${s.owner} ${s.label}`;
    if (labels.has(key)) problems.push(`${id}: second secret labelled "${s.label}" owned by ${s.owner}`);
    labels.add(key);
  }
  return problems;
}

/** Every file the charms rendered for the workloads of `units` (`var/snap/...` of each one's machine), by path. */
export function workloadFiles(home: string, units: readonly UnitRef[]): Record<string, string> {
  const machines = join(home, 'machines');
  const out: Record<string, string> = {};
  for (const u of units) {
    const root = join(machineRoot(home, u.model, u.unit), 'var/snap');
    if (!existsSync(root)) continue; // nothing rendered
    for (const f of walkFiles(root)) out[relative(machines, join(root, f.path))] = f.content;
  }
  return out;
}
