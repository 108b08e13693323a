/**
 * Scale benchmark (issue 8): the real AMS charm with 1, 10, 100, 1000 `rest-api` client units,
 * in-process against the simulator engine (lib/testing/in-process.ts; the process transport
 * would spawn ~7 processes per unit). The clients are a stand-in requirer charm (`agent-stub`:
 * one app, N units, each publishing a precomputed EC P-256 client certificate as
 * `client_certificate`), so the figures are AMS's, not the agent charm's (whose peer relation
 * alone would add N² hooks).
 *
 * Prints per N: hooks to settle, settle wall time, AMS hook-tool calls per AMS hook (median/max
 * by hook), AMS's trust-store update cost (one more unit joining a settled deployment of N:
 * the AMS hooks it causes, their wall time and tool calls), and writes figures.json + plot.png
 * (bench/scale/plot.ts, pure-node PNG).
 *
 *   npx node bench/scale/run.ts [sizes=1,10,100,1000] [outDir=bench/scale/out]
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CharmHarness } from '../../charms/common/src/testing/charm-harness.ts';
import { defineCharm, dispatch } from '../../lib/juju/dispatch.ts';
import { active } from '../../lib/juju/status.ts';
import { Relations } from '../../lib/relations/relations.ts';
import { runNextHook, type HookRun } from '../../lib/testing/in-process.ts';
import { spec } from '../../lib/charmkit/testing/sim.ts';
import { CertificateAuthority } from '../../lib/tls/ca.ts';
import { renderPlot } from './plot.ts';

const SIZES = (process.argv[2] ?? '1,10,100,1000').split(',').map(Number);
const OUT = resolve(process.argv[3] ?? join(fileURLToPath(import.meta.url), '../out'));

const STUB = spec('agent-stub', { requires: { ams: { interface: 'rest', limit: 1 } } });

async function certificatePool(n: number): Promise<string[]> {
  const ca = await CertificateAuthority.create({ key: { type: 'ec', curve: 'P-256' }, commonName: 'scale CA' });
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await ca.issue({ key: { type: 'ec', curve: 'P-256' }, commonName: `stub-${i}`, usage: 'client' })).certificate.pem);
  return out;
}

function stubCharm(pool: readonly string[]) {
  return defineCharm({
    reconcile: ({ tools, hook }) => {
      const relations = Relations.fromContext(tools, hook);
      const n = Number(hook.unit.name.split('/')[1]);
      for (const r of relations.all('ams')) r.local.set('client_certificate', pool[n % pool.length]!);
      relations.commit();
      return active();
    },
  });
}

const median = (v: readonly number[]): number => { if (!v.length) return 0; const s = [...v].sort((a, b) => a - b); const m = Math.floor(s.length / 2); return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };

interface Timed { run: HookRun; ms: number }

async function settle(h: CharmHarness): Promise<Timed[]> {
  const out: Timed[] = [];
  for (;;) {
    const t = performance.now();
    const r = await runNextHook(h.engine, (env, runner, hook) => dispatch(h.charms.get(hook.charm.name)!, { env, runner, memory: h.memory.forEnv(env), stderr: () => undefined }));
    if (!r) return out;
    if (r.exitCode !== 0) throw new Error(`${r.hook.unit} ${r.hook.name} failed: ${String(r.error ?? '')}`);
    out.push({ run: r, ms: performance.now() - t });
  }
}

export interface ScaleFigures {
  units: number;
  hooks: number;
  settleSeconds: number;
  amsHooks: number;
  amsCallsPerHook: Record<string, { median: number; max: number; n: number }>;
  amsRelationGetMax: number;
  trustUpdate: { amsHooks: number; ms: number; calls: number; trusted: number };
}

async function measure(n: number, pool: readonly string[]): Promise<ScaleFigures> {
  const h = new CharmHarness();
  h.charms.set('agent-stub', stubCharm(pool));
  try {
    h.engine.addModel('cloud');
    h.deploy('cloud', 'ams', { config: { key_algorithm: 'ec-p384' } });
    h.engine.deploy('cloud', STUB, 'agent-stub', { units: n });
    h.engine.integrate('cloud', 'ams:rest-api', 'agent-stub:ams');
    const t0 = performance.now();
    const ran = await settle(h);
    const settleSeconds = (performance.now() - t0) / 1000;
    const ams = ran.filter((r) => r.run.hook.unit.startsWith('ams/'));
    const byHook = new Map<string, number[]>();
    let relationGetMax = 0;
    for (const r of ams) {
      const k = r.run.hook.name;
      byHook.set(k, [...(byHook.get(k) ?? []), r.run.calls.length]);
      relationGetMax = Math.max(relationGetMax, r.run.calls.filter((c) => c.tool === 'relation-get').length);
    }
    // Trust-store update cost at size n: one more client unit joins.
    h.engine.addUnit('cloud', 'agent-stub', 1);
    const more = await settle(h);
    const amsMore = more.filter((r) => r.run.hook.unit.startsWith('ams/'));
    const status = h.statuses('cloud')['ams/0'] ?? '';
    const trusted = Number(/(\d+) clients? trusted/.exec(status)?.[1] ?? 0);
    return {
      units: n,
      hooks: ran.length,
      settleSeconds,
      amsHooks: ams.length,
      amsCallsPerHook: Object.fromEntries([...byHook].sort().map(([k, v]) => [k, { median: median(v), max: Math.max(...v), n: v.length }])),
      amsRelationGetMax: relationGetMax,
      trustUpdate: { amsHooks: amsMore.length, ms: amsMore.reduce((a, r) => a + r.ms, 0), calls: amsMore.reduce((a, r) => a + r.run.calls.length, 0), trusted },
    };
  } finally {
    h.cleanup();
  }
}

const started = performance.now();
const pool = await certificatePool(Math.max(...SIZES) + 1);
console.log(`certificate pool: ${pool.length} EC P-256 client certificates in ${((performance.now() - started) / 1000).toFixed(1)} s`);
await measure(1, pool); // warm-up: lazy imports (x509, validators) and JIT, not counted
const figures: ScaleFigures[] = [];
for (const n of SIZES) {
  const f = await measure(n, pool);
  figures.push(f);
  console.log(`N=${n}: ${f.hooks} hooks, settled in ${f.settleSeconds.toFixed(2)} s; AMS ${f.amsHooks} hooks; +1 unit: ${f.trustUpdate.amsHooks} AMS hooks, ${f.trustUpdate.calls} calls, ${f.trustUpdate.ms.toFixed(0)} ms, ${f.trustUpdate.trusted} trusted`);
}

console.log('\n## AMS with N rest-api client units (in-process simulator)\n');
console.log('| units | hooks to settle | settle wall s | AMS hooks | AMS calls/hook median (max) by hook | max relation-get in one AMS hook | +1 unit: AMS hooks / calls / ms |');
console.log('|---|---|---|---|---|---|---|');
for (const f of figures) {
  const per = Object.entries(f.amsCallsPerHook).filter(([k]) => k.startsWith('rest-api') || k === 'update-status').map(([k, v]) => `${k.replace('rest-api-relation-', 'rel-')} ${v.median} (${v.max})`).join('; ');
  console.log(`| ${f.units} | ${f.hooks} | ${f.settleSeconds.toFixed(2)} | ${f.amsHooks} | ${per} | ${f.amsRelationGetMax} | ${f.trustUpdate.amsHooks} / ${f.trustUpdate.calls} / ${f.trustUpdate.ms.toFixed(0)} |`);
}
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
writeFileSync(join(OUT, 'plot.png'), renderPlot(figures));
console.log(`\nwrote ${join(OUT, 'figures.json')} and ${join(OUT, 'plot.png')} (total ${((performance.now() - started) / 1000).toFixed(0)} s)`);
