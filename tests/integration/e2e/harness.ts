/**
 * Shared pieces of the process-level end-to-end tests: the three charms bundled from the current
 * sources into a private directory (charmcraft.yaml + the dev dispatch + dist/charm.mjs and its chunks, the
 * layout `tox-free-scripts/build` makes, but never touching charms/), a simulator home per test
 * file, loopback addresses that parallel test files do not share, and read helpers.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDevBundle } from '../../../lib/packaging/dev-build.ts';
import { Simulator, type SimulatorOptions } from '../../../lib/testing/process/simulator.ts';
import { machineRoot } from '../../../lib/testing/process/machine.ts';
import { CHARM_NAMES, type CharmName } from '../../../tox-free-scripts/demo-story.ts';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** Bundles each charm into `<dir>/<name>/` and returns the charm directories. */
export async function bundleCharms(dir: string): Promise<Record<CharmName, string>> {
  const out = {} as Record<CharmName, string>;
  await Promise.all(CHARM_NAMES.map(async (name) => {
    const src = join(REPO, 'charms', name);
    const dst = join(dir, name);
    mkdirSync(join(dst, 'dist'), { recursive: true });
    copyFileSync(join(src, 'charmcraft.yaml'), join(dst, 'charmcraft.yaml'));
    copyFileSync(join(src, 'dispatch'), join(dst, 'dispatch'));
    // The layout tox-free-scripts/build makes: the tiny src/main.ts entry plus lazy chunks.
    await writeDevBundle(src, join(dst, 'dist'));
    out[name] = dst;
  }));
  return out;
}

export interface E2eWorld {
  readonly dir: string;
  readonly home: string;
  readonly charms: Record<CharmName, string>;
  readonly sim: Simulator;
  /** 127.A.B.x prefix octets of this world. */
  readonly loopback: readonly [number, number];
  cleanup(): Promise<void>;
}

/** A fresh temp dir with the bundled charms and an open simulator (hooks inherit a lean env). */
export async function openWorld(options: SimulatorOptions = {}): Promise<E2eWorld> {
  // A Juju hook has neither of these; NODE_EXTRA_CA_CERTS doubles each hook's start-up here.
  delete process.env['NODE_EXTRA_CA_CERTS'];
  const dir = mkdtempSync(join(tmpdir(), 'e2e-'));
  const charms = await bundleCharms(join(dir, 'charms'));
  const home = join(dir, 'home');
  const sim = await Simulator.open(home, options);
  // 127.0.0.0/8 is all loopback on Linux: a random /24 per file keeps parallel files apart.
  const loopback: [number, number] = [1 + Math.floor(Math.random() * 250), 1 + Math.floor(Math.random() * 250)];
  return {
    dir, home, charms, sim, loopback,
    async cleanup() {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface UnitStatus { 'workload-status'?: { current?: string; message?: string } }
interface Status { applications?: Record<string, { units?: Record<string, UnitStatus> }> }

/** `unit -> "current: message"` for every unit of the model. */
export async function unitStates(sim: Simulator, model: string): Promise<Record<string, string>> {
  const status = (await sim.status(model)) as Status;
  const out: Record<string, string> = {};
  for (const app of Object.values(status.applications ?? {})) {
    for (const [unit, s] of Object.entries(app.units ?? {})) out[unit] = `${s['workload-status']?.current ?? '?'}: ${s['workload-status']?.message ?? ''}`;
  }
  return out;
}

/** Units not active, with the model's errors from debug-log, for a readable failure. */
export async function notActive(sim: Simulator, models: readonly string[] = ['nats', 'anbox']): Promise<string[]> {
  const bad: string[] = [];
  for (const model of models) {
    for (const [unit, state] of Object.entries(await unitStates(sim, model))) if (!state.startsWith('active')) bad.push(`${model} ${unit} ${state}`);
  }
  if (bad.length > 0) {
    const log = (await sim.debugLog()).filter((l) => /ERROR/.test(l)).slice(-8);
    bad.push(...log);
  }
  return bad;
}

/** A unit's rendered file, read from its emulated machine. */
export function unitFile(world: E2eWorld, model: string, unit: string, path: string): string {
  return join(machineRoot(world.home, model, unit), path);
}

export function readUnitFile(world: E2eWorld, model: string, unit: string, path: string): string {
  return readFileSync(unitFile(world, model, unit, path), 'utf8');
}

export const AMS_SERVER = 'var/snap/ams/common/server';
export const AMS_ETCD = 'var/snap/ams/common/etcd';
export const AGENT_COMMON = 'var/snap/anbox-stream-agent/common';
export const NATS_SERVER_DIR = 'var/snap/nats/common/server';
