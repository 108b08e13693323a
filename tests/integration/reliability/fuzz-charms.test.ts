/**
 * Fuzzing, level 2 (charm level): a settled story (story.ts) is snapshotted once; for each
 * generated bad remote bag (fuzz-bags.ts, only bags the codec rejects as invalid, or that AMS's
 * certificate check rejects) we restore the snapshot, write the bag as the remote side's data
 * (`relation-set --file -` in a context of the remote unit, contract §2) and run the hooks that
 * follow: the reader's `-relation-changed` (the writer's and others' hooks exit 0 without running
 * their charm, so the bad data stays, as with a remote side that keeps sending it). Then:
 *  - every hook exits 0 (no unhandled exception);
 *  - the reader's good state is unchanged: its rendered files, the secrets it owns, and its
 *    own databags;
 *  - the reader's status is blocked/waiting and names the relation and a broken field.
 * tls-certificates runs on a second deployment: the agent with an external CA (fake-ca).
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
import { AGENT, cleanup, EC, newBareHarness, newStory, run, UPDATE_STATUS_MS } from './story.ts';
import { fakeCaCharm, FAKE_CA_SPEC } from '../../../lib/charmkit/testing/fake-ca.ts';
import { CertificateAuthority } from '../../../lib/tls/ca.ts';
import { firstDifference } from './projection.ts';

const RUNS = Number(process.env['RELIABILITY_CHARM_FUZZ_RUNS'] ?? 200);

/** Who writes which bag, and who reads it (model/app/endpoint as seen in the state). */
interface Target { readonly iface: 'nats' | 'rest' | 'agent-api' | 'tls-certificates'; readonly key: string; readonly writer: { model: string; unit: string; endpoint: string }; readonly reader: { model: string; app: string; endpoint: string }; readonly app: boolean }
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
  // In caStory: the external CA's answer, read by the agent (the requirer side, lib/charmkit certificates.ts).
  { iface: 'tls-certificates', key: 'provider.app', writer: { model: 'cloud', unit: 'fake-ca/0', endpoint: 'certificates' }, reader: { model: 'cloud', app: AGENT, endpoint: 'certificates' }, app: true },
];

/** A settled deployment, snapshotted: the engine as JSON, the rendered files copied aside, the units' hook memories. */
interface Fixture { readonly h: CharmHarness; readonly snapshot: WorldState; readonly filesBackup: string; readonly memory: ReadonlyMap<string, string> }

async function fixture(h: CharmHarness): Promise<Fixture> {
  await run(h);
  h.engine.advanceTime(UPDATE_STATUS_MS);
  const r = await run(h);
  if (r.failed.length) throw new Error(`fixture: hooks failed: ${r.failed.join(', ')}`);
  const filesBackup = mkdtempSync(join(tmpdir(), 'fuzz-files-'));
  cpSync(h.root, filesBackup, { recursive: true });
  return { h, snapshot: h.engine.toJSON() as WorldState, filesBackup, memory: h.memory.snapshot() };
}

/** Restore the rendered workload files of the settled deployment (the engine is restored from JSON). */
function restoreFiles(f: Fixture): void {
  rmSync(f.h.root, { recursive: true, force: true });
  cpSync(f.filesBackup, f.h.root, { recursive: true });
}

function dispose(f: Fixture | undefined): void {
  if (!f) return;
  cleanup(f.h);
  rmSync(f.filesBackup, { recursive: true, force: true });
}

/** anbox-stream-agent with an external CA (fake-ca, lib/charmkit/testing) on `certificates`. */
function caStory(ca: CertificateAuthority): CharmHarness {
  const h = newBareHarness();
  h.charms.set('fake-ca', fakeCaCharm({ ca: () => ca }));
  h.engine.addModel('cloud');
  h.deploy('cloud', AGENT, { units: 2, config: EC });
  h.engine.deploy('cloud', FAKE_CA_SPEC, 'fake-ca');
  h.engine.integrate('cloud', `${AGENT}:certificates`, 'fake-ca:certificates');
  return h;
}

let m: Material;
let story: Fixture | undefined;
let withCa: Fixture | undefined;
beforeAll(async () => {
  m = await makeMaterial();
  story = await fixture(newStory());
  withCa = await fixture(caStory(await CertificateAuthority.create({ key: { type: 'ec', curve: 'P-384' }, commonName: 'fuzz external CA' })));
}, 180_000);
afterAll(() => { dispose(story); dispose(withCa); });

function files(root: string, dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(root, p)] = `${(statSync(p).mode & 0o777).toString(8)} ${readFileSync(p, 'utf8')}`;
    }
  };
  walk(dir);
  return out;
}

/**
 * lib/charmkit keeps a memo (hash of the last inputs) inside its `charmkit.tls` unit state; new
 * remote input rewrites it even when nothing else changes. Counted apart (memoWrites), not as
 * a change to good state.
 */
let memoWrites = 0;
function withoutMemo(state: Record<string, string>): Record<string, string> {
  const raw = state['charmkit.tls'];
  if (!raw) return state;
  const { memo: _memo, ...rest } = JSON.parse(raw) as Record<string, unknown>;
  return { ...state, 'charmkit.tls': JSON.stringify(rest) };
}

/** The reader app's good state: its files, the secrets it owns, the bags it writes. */
function readerState(f: Fixture, engine: Engine, t: Target): unknown {
  const state = engine.toJSON() as WorldState;
  const appKey = `${t.reader.model}/${t.reader.app}`;
  const secrets = Object.values(state.secrets).filter((s) => s.owner === appKey || s.owner.startsWith(`${appKey}/`)).map((s) => ({ owner: s.owner, label: s.label, latest: s.latest, revisions: Object.keys(s.revisions), grants: s.grants }));
  const bags = Object.values(state.relations).map((r) => Object.fromEntries(Object.entries(r.bags).filter(([k]) => k === `app:${appKey}` || k.startsWith(`${appKey}/`))));
  const app = state.models[t.reader.model]!.apps[t.reader.app]!;
  const units = Object.values(app.units).map((u) => ({ state: withoutMemo(u.state), ports: u.ports }));
  const prefix = t.reader.app === AGENT ? 'anbox-stream-agent-' : `${t.reader.app}-`;
  const rendered = Object.fromEntries(Object.entries(files(f.h.root, join(f.h.root, t.reader.model))).filter(([p]) => p.startsWith(`${t.reader.model}/${prefix}`)));
  return { secrets, bags, units, files: rendered, leaderSettings: app.leaderSettings };
}

function relationId(state: WorldState, model: string, app: string, endpoint: string): number {
  const r = Object.values(state.relations).find((x) => x.ends.some((e) => e.model === model && e.app === app && e.endpoint === endpoint));
  if (!r) throw new Error(`no relation ${model}/${app}:${endpoint}`);
  return r.ids[model]!;
}

async function isInvalid(t: Target, raw: Record<string, string>): Promise<boolean> {
  const codec = await loadInterface(t.iface as InterfaceName);
  // An empty value deletes the key (relation-set, contract §2): the reader never sees ''.
  const bag = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== ''));
  const read = codec.read({ label: 'x', all: () => bag }, t.key as never);
  if (!read.ok) return read.reason === 'invalid';
  if (t.iface === 'rest' && t.key === 'requirer.unit') return !(await checkClientCertificate((read.value as { client_certificate: string }).client_certificate, new Date())).ok;
  // tls-certificates: any codec-valid list is a new answer; only codec rejections are "invalid" here.
  return false;
}

/** `count  line` per distinct line, most frequent first. */
function grouped(lines: readonly string[]): string {
  const n = new Map<string, number>();
  for (const l of lines) n.set(l, (n.get(l) ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([l, c]) => `${String(c).padStart(5)}  ${l}`).join('\n');
}

/** JSON with sorted keys: bag key order is not state. */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));
}

/** Good-state changes seen (asserted empty below). */
const stateChanges: string[] = [];
/** One example diff per kind of change, for the report. */
const examples = new Map<string, string>();
/** Invalid bags after which no reader unit's status named the relation and a broken field (FINDINGS). */
const statusMisses: string[] = [];
const tally: Record<string, { cases: number; notInjectable: number; noChange: number; hooks: number }> = {};

describe.each(['nats', 'rest', 'agent-api', 'tls-certificates'] as const)('fuzz level 2 (charm): %s', (iface) => {
  it(`${RUNS} invalid remote bags: hooks exit 0, good state unchanged, status names relation and field`, async () => {
    const targets = TARGETS.filter((t) => t.iface === iface);
    const specs = INTERFACES[iface];
    const t0 = (tally[iface] = { cases: 0, notInjectable: 0, noChange: 0, hooks: 0 });
    const arb = fc.constantFrom(...targets).chain((t) => caseArb(specs.filter((s: BagSpec) => s.key === t.key), m).map((c) => ({ t, c })));
    const f = (iface === 'tls-certificates' ? withCa : story)!;
    const snapshot = f.snapshot;
    await fc.assert(fc.asyncProperty(arb, async ({ t, c }) => {
      fc.pre(await isInvalid(t, c.bag));
      restoreFiles(f);
      f.h.memory.restore(f.memory);
      const engine = loadEngine(structuredClone(snapshot));
      const before = readerState(f, engine, t);
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
      const result = await run(f.h, { engine, maxResolves: 0, skip: (hook) => !(hook.model === t.reader.model && hook.unit.startsWith(`${t.reader.app}/`)) }).catch((e: unknown) => ({ error: e }));
      if ('error' in result) throw new Error(`a hook failed after injecting ${JSON.stringify(Object.keys(c.bag))} into ${t.key}: ${String(result.error)}`);
      t0.hooks += result.ran.length;
      expect(result.failed).toEqual([]);
      if (result.ran.length === 0) { t0.noChange++; return; } // the write changed nothing Juju reports (contract §1.4)
      const after = readerState(f, engine, t);
      if (canonicalJson(after) !== canonicalJson(before)) {
        const changed = firstDifference(JSON.parse(canonicalJson(before)), JSON.parse(canonicalJson(after))) ?? '';
        const line = `${t.iface} ${t.key} -> ${changed.replace(/ differs at \d+/, '').split(':')[0]}`;
        if (!examples.has(line)) examples.set(line, `fields ${[...c.touched].join(',')}: ${changed.slice(0, 400)}`);
        stateChanges.push(line);
      }
      const memoBefore = JSON.stringify(Object.values((snapshot.models[t.reader.model]!.apps[t.reader.app]!.units)).map((u) => u.state['charmkit.tls'] ?? ''));
      const memoAfter = JSON.stringify(Object.values(((engine.toJSON() as WorldState).models[t.reader.model]!.apps[t.reader.app]!.units)).map((u) => u.state['charmkit.tls'] ?? ''));
      if (memoBefore !== memoAfter) memoWrites++;
      // With tls_use_pinning (the default) the agent never reads AMS's app bag (ams-link.ts), so a bad one is not its problem.
      if (t.iface === 'rest' && t.key === 'provider.app') return;
      const rid = relationId(snapshot, t.reader.model, t.reader.app, t.reader.endpoint);
      const status = engine.status(t.reader.model) as { applications: Record<string, { units?: Record<string, { 'workload-status': { current: string; message?: string } }> }> };
      const readers = Object.entries(status.applications[t.reader.app]!.units ?? {});
      // Unit bags are read by every unit of the other side; the app bag too. At least the leader reports it.
      const reporting = readers.filter(([, u]) => u['workload-status'].current !== 'active');
      const named = reporting.filter(([, u]) => {
        const msg = u['workload-status'].message ?? '';
        return ['blocked', 'waiting'].includes(u['workload-status'].current) && msg.includes(`${t.reader.endpoint}:${rid}`) && [...c.touched].some((f) => msg.includes(f));
      });
      if (named.length === 0) {
        statusMisses.push(`${t.iface} ${t.key} fields ${[...c.touched].join(',')}: ${readers.map(([n, u]) => `${n} ${u['workload-status'].current}: ${u['workload-status'].message ?? ''}`).join(' | ').slice(0, 200)}`);
      }
    }), { numRuns: RUNS, seed: 7 });
    process.stdout.write(`fuzz level 2 ${iface}: ${JSON.stringify(t0)}\n`);
    expect(t0.cases).toBeGreaterThan(RUNS / 2);
    expect(t0.hooks).toBeGreaterThanOrEqual(t0.cases - t0.noChange);
  }, 300_000);
});

describe('fuzz level 2 (charm): findings', () => {
  // Was a FINDING (an invalid nats app bag made anbox-stream-agent drop its nats section);
  // fixed in the charms (issue 4/6: last good view kept). The printed list shows any case.
  it('no invalid remote bag changed the reader\'s files, secrets or own bags', () => {
    process.stdout.write(`fuzz level 2 charmkit.tls memo rewrites (not counted): ${memoWrites}\n`);
    process.stdout.write(`fuzz level 2 good-state changes: ${stateChanges.length}\n${grouped(stateChanges)}\nexamples:\n${[...examples].map(([k, v]) => `- ${k}\n    ${v}`).join('\n')}\n`);
    expect(stateChanges).toEqual([]);
  });

  // Was a FINDING (invalid bags left every reader unit active); fixed in the charms.
  it('after every invalid remote bag a reader status names the relation and the field', () => {
    process.stdout.write(`fuzz level 2 status misses: ${statusMisses.length}\n${grouped(statusMisses.map((x) => x.replace(/ fields [^:]*:/, ':').replace(/[0-9a-f]{64}/g, '<fp>').slice(0, 200)))}\n`);
    expect(statusMisses).toEqual([]);
  });
});
