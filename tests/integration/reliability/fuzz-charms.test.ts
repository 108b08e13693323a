/**
 * Fuzzing, level 2 (charm level): a settled story (story.ts) is snapshotted once; for each
 * generated bad remote bag (fuzz-bags.ts, only bags the codec rejects as invalid, or that AMS's
 * certificate check rejects) we restore the snapshot, write the bag as the remote side's data
 * (`relation-set --file -` in a context of the remote unit, contract §2) and run the hooks that
 * follows (the reader's `-relation-changed`). Then:
 *  - every hook exits 0 (no unhandled exception);
 *  - the reader's good state is unchanged: its rendered files, the secrets it owns, and its
 *    own databags;
 *  - the reader's status is blocked/waiting and names the relation and a broken field.
 * tls-certificates is fuzzed at level 1 only: the story has no external CA (see the report).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import fc from 'fast-check';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { CharmHarness } from '../../../charms/common/src/testing/charm-harness.ts';
import { checkClientCertificate } from '../../../charms/ams/src/client-certificates.ts';
import { loadInterface, type InterfaceName } from '../../../lib/relations/interfaces.ts';
import type { Engine } from '../../../lib/testing/engine/api.ts';
import { loadEngine } from '../../../lib/testing/engine/index.ts';
import type { WorldState } from '../../../lib/testing/engine/state.ts';
import { caseArb, INTERFACES, type BagSpec } from './fuzz-bags.ts';
import { makeMaterial, type Material } from './fuzz-material.ts';
import { AGENT, cleanup, newStory, run, UPDATE_STATUS_MS } from './story.ts';
import { firstDifference } from './projection.ts';

const RUNS = Number(process.env['RELIABILITY_CHARM_FUZZ_RUNS'] ?? 200);

/** Who writes which bag, and who reads it (model/app/endpoint as seen in the state). */
interface Target { readonly iface: 'nats' | 'rest' | 'agent-api'; readonly key: string; readonly writer: { model: string; unit: string; endpoint: string }; readonly reader: { model: string; app: string; endpoint: string }; readonly app: boolean }
const TARGETS: Target[] = [
  { iface: 'nats', key: 'provider.unit', writer: { model: 'msg', unit: 'nats/0', endpoint: 'client' }, reader: { model: 'cloud', app: AGENT, endpoint: 'nats' }, app: false },
  { iface: 'nats', key: 'provider.app', writer: { model: 'msg', unit: 'nats/0', endpoint: 'client' }, reader: { model: 'cloud', app: AGENT, endpoint: 'nats' }, app: true },
  { iface: 'nats', key: 'requirer.unit', writer: { model: 'cloud', unit: `${AGENT}/0`, endpoint: 'nats' }, reader: { model: 'msg', app: 'nats', endpoint: 'client' }, app: false },
  { iface: 'nats', key: 'requirer.app', writer: { model: 'cloud', unit: `${AGENT}/0`, endpoint: 'nats' }, reader: { model: 'msg', app: 'nats', endpoint: 'client' }, app: true },
  { iface: 'rest', key: 'provider.unit', writer: { model: 'cloud', unit: 'ams/0', endpoint: 'rest-api' }, reader: { model: 'cloud', app: AGENT, endpoint: 'ams' }, app: false },
  { iface: 'rest', key: 'provider.app', writer: { model: 'cloud', unit: 'ams/0', endpoint: 'rest-api' }, reader: { model: 'cloud', app: AGENT, endpoint: 'ams' }, app: true },
  { iface: 'rest', key: 'requirer.unit', writer: { model: 'cloud', unit: `${AGENT}/0`, endpoint: 'ams' }, reader: { model: 'cloud', app: 'ams', endpoint: 'rest-api' }, app: false },
  { iface: 'agent-api', key: 'provider.app', writer: { model: 'cloud', unit: `${AGENT}/0`, endpoint: 'client' }, reader: { model: 'cloud', app: 'ams', endpoint: 'agent' }, app: true },
  { iface: 'agent-api', key: 'requirer.app', writer: { model: 'cloud', unit: 'ams/0', endpoint: 'agent' }, reader: { model: 'cloud', app: AGENT, endpoint: 'client' }, app: true },
  { iface: 'agent-api', key: 'requirer.unit', writer: { model: 'cloud', unit: 'ams/0', endpoint: 'agent' }, reader: { model: 'cloud', app: AGENT, endpoint: 'client' }, app: false },
];

let h: CharmHarness;
let snapshot: WorldState;
let m: Material;
let filesBackup: string;
/** Restore the rendered workload files of the settled story (the engine is restored from JSON). */
function restoreFiles(): void {
  rmSync(h.root, { recursive: true, force: true });
  cpSync(filesBackup, h.root, { recursive: true });
}
beforeAll(async () => {
  m = await makeMaterial();
  h = newStory();
  await run(h);
  h.engine.advanceTime(UPDATE_STATUS_MS);
  await run(h);
  snapshot = h.engine.toJSON() as WorldState;
  filesBackup = mkdtempSync(join(tmpdir(), 'fuzz-files-'));
  cpSync(h.root, filesBackup, { recursive: true });
}, 120_000);
afterAll(() => { cleanup(h); rmSync(filesBackup, { recursive: true, force: true }); });

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(h.root, p)] = `${(statSync(p).mode & 0o777).toString(8)} ${readFileSync(p, 'utf8')}`;
    }
  };
  walk(dir);
  return out;
}

/** The reader app's good state: its files, the secrets it owns, the bags it writes. */
function readerState(engine: Engine, t: Target): unknown {
  const state = engine.toJSON() as WorldState;
  const appKey = `${t.reader.model}/${t.reader.app}`;
  const secrets = Object.values(state.secrets).filter((s) => s.owner === appKey || s.owner.startsWith(`${appKey}/`)).map((s) => ({ owner: s.owner, label: s.label, latest: s.latest, revisions: Object.keys(s.revisions), grants: s.grants }));
  const bags = Object.values(state.relations).map((r) => Object.fromEntries(Object.entries(r.bags).filter(([k]) => k === `app:${appKey}` || k.startsWith(`${appKey}/`))));
  const app = state.models[t.reader.model]!.apps[t.reader.app]!;
  const units = Object.values(app.units).map((u) => ({ state: u.state, ports: u.ports }));
  const prefix = t.reader.app === AGENT ? 'anbox-stream-agent-' : `${t.reader.app}-`;
  const dir = join(h.root, t.reader.model);
  const f = Object.fromEntries(Object.entries(files(dir)).filter(([p]) => p.startsWith(`${t.reader.model}/${prefix}`)));
  return { secrets, bags, units, files: f, leaderSettings: app.leaderSettings };
}

function relationId(state: WorldState, model: string, app: string, endpoint: string): number {
  const r = Object.values(state.relations).find((x) => x.ends.some((e) => e.model === model && e.app === app && e.endpoint === endpoint));
  if (!r) throw new Error(`no relation ${model}/${app}:${endpoint}`);
  return r.ids[model]!;
}

async function isInvalid(t: Target, bag: Record<string, string>): Promise<boolean> {
  const codec = await loadInterface(t.iface as InterfaceName);
  const read = codec.read({ label: 'x', all: () => bag }, t.key as never);
  if (!read.ok) return read.reason === 'invalid';
  if (t.iface === 'rest' && t.key === 'requirer.unit') return !(await checkClientCertificate((read.value as { client_certificate: string }).client_certificate, new Date())).ok;
  return false;
}

/** Good-state changes seen (FINDINGS: asserted in the it.failing below, so the suite stays green while they exist). */
const stateChanges: string[] = [];
const tally: Record<string, { cases: number; notInjectable: number; hooks: number }> = {};

describe.each(['nats', 'rest', 'agent-api'] as const)('fuzz level 2 (charm): %s', (iface) => {
  it(`${RUNS} invalid remote bags: hooks exit 0, good state unchanged, status names relation and field`, async () => {
    const targets = TARGETS.filter((t) => t.iface === iface);
    const specs = INTERFACES[iface];
    const t0 = (tally[iface] = { cases: 0, notInjectable: 0, hooks: 0 });
    const arb = fc.constantFrom(...targets).chain((t) => caseArb(specs.filter((s: BagSpec) => s.key === t.key), m).map((c) => ({ t, c })));
    await fc.assert(fc.asyncProperty(arb, async ({ t, c }) => {
      fc.pre(await isInvalid(t, c.bag));
      restoreFiles();
      const engine = loadEngine(structuredClone(snapshot));
      const before = readerState(engine, t);
      // Write the bag as the remote side: declared fields replaced (absent ones deleted), junk keys added.
      const wid = relationId(snapshot, t.writer.model, t.writer.unit.split('/')[0]!, t.writer.endpoint);
      const data: Record<string, string> = {};
      for (const f of Object.keys(c.spec.fields)) data[f] = '';
      Object.assign(data, c.bag);
      const ctx = engine.openContext(t.writer.model, t.writer.unit);
      const set = engine.runTool(ctx.contextId, 'relation-set', ['-r', String(wid), ...(t.app ? ['--app'] : []), '--file', '-'], { stdin: JSON.stringify(data) });
      engine.finishHook(ctx.contextId, { exitCode: set.exitCode });
      if (set.exitCode !== 0) { t0.notInjectable++; return; } // e.g. a value Juju itself refuses
      t0.cases++;
      const result = await run(h, { engine, maxResolves: 0 }).catch((e: unknown) => ({ error: e }));
      if ('error' in result) throw new Error(`a hook failed after injecting ${JSON.stringify(Object.keys(c.bag))} into ${t.key}: ${String(result.error)}`);
      t0.hooks += result.ran.length;
      expect(result.failed).toEqual([]);
      expect(result.ran.length).toBeGreaterThan(0);
      const after = readerState(engine, t);
      if (JSON.stringify(after) !== JSON.stringify(before)) {
        const changed = firstDifference(before, after) ?? '';
        stateChanges.push(`${t.iface} ${t.key} fields ${[...c.touched].join(',')}: ${changed.slice(0, 160)}`);
      }
      const rid = relationId(snapshot, t.reader.model, t.reader.app, t.reader.endpoint);
      const status = engine.status(t.reader.model) as { applications: Record<string, { units?: Record<string, { 'workload-status': { current: string; message?: string } }> }> };
      const readers = Object.entries(status.applications[t.reader.app]!.units ?? {});
      // Unit bags are read by every unit of the other side; the app bag too. At least the leader reports it.
      const reporting = readers.filter(([, u]) => u['workload-status'].current !== 'active');
      expect(reporting.length).toBeGreaterThan(0);
      for (const [, u] of reporting) {
        const msg = u['workload-status'].message ?? '';
        expect(['blocked', 'waiting']).toContain(u['workload-status'].current);
        expect(msg).toContain(`${t.reader.endpoint}:${rid}`);
        expect([...c.touched].some((f) => msg.includes(`"${f}"`) || msg.includes(f))).toBe(true);
      }
    }), { numRuns: RUNS, seed: 7 });
    process.stdout.write(`fuzz level 2 ${iface}: ${JSON.stringify(t0)}\n`);
    expect(t0.cases).toBeGreaterThan(RUNS / 2);
  }, 300_000);
});

describe('fuzz level 2 (charm): findings', () => {
  // FINDING (reported to the charm owners): an invalid remote bag can change good state, e.g.
  // an invalid nats app bag makes anbox-stream-agent render config.yaml without its nats
  // section (nats-link.ts returns null instead of keeping the last good value). Flip to `it`
  // once fixed; the printed list shows every case.
  it.failing('no invalid remote bag changed the reader\'s files, secrets or own bags', () => {
    const kinds = [...new Set(stateChanges.map((s) => s.replace(/ fields .*?:/, ':').slice(0, 120)))];
    process.stdout.write(`fuzz level 2 good-state changes: ${stateChanges.length}\n${kinds.slice(0, 15).join('\n')}\n`);
    expect(stateChanges).toEqual([]);
  });
});
