/**
 * Hook benchmarks (issue 8):
 *  1. Hook-tool calls per hook, for each hook of each charm, over the whole story
 *     (tests/integration/reliability/story.ts, in-process; counts from `engine.toolCalls()`).
 *  2. Whole-process wall time of anbox-stream-agent's `nats-relation-changed` and of
 *     `update-status`, next to `node -e 0`, through the simulator's process transport with
 *     the bundled charms (rebuilt into charms/<name>/dist/charm.mjs + lazy chunks with the esbuild settings of
 *     tox-free-scripts/build; the charms' development `dispatch` runs that file): median of RUNS
 *     after 3 warm-up runs, NODE_EXTRA_CA_CERTS unset (tooling.md). Baseline: Python ops ~320 ms.
 *     The durations are the simulator's own per-hook wall time (spawn to exit, tool calls over
 *     its unix socket included), i.e. what a unit agent would wait.
 *
 *   npx node bench/hooks/run.ts [runs=20]
 *
 * Environment knobs (for experiments; the defaults are what a Juju unit does today):
 *   BENCH_COMPILE_CACHE=1  hooks inherit NODE_COMPILE_CACHE=<temp dir> (Node's on-disk V8 code
 *                          cache, warmed by the 3 warm-up runs): what a dispatch that exported it
 *                          would get;
 *   BENCH_NO_SPLIT=1       one-file bundles (the build before issue 8's --splitting), for comparison;
 *   BENCH_SKIP_TABLE=1     skip the in-process call-count table (whole-process timings only).
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanup, newStory, run, UPDATE_STATUS_MS } from '../../tests/integration/reliability/story.ts';

const RUNS = Number(process.argv[2] ?? 20);
const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
delete process.env['NODE_EXTRA_CA_CERTS'];

const median = (v: readonly number[]): number => { const s = [...v].sort((a, b) => a - b); const m = Math.floor(s.length / 2); return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };

async function toolCallTable(): Promise<void> {
  const h = newStory();
  try {
    const ran = (await run(h)).ran;
    h.engine.advanceTime(UPDATE_STATUS_MS);
    ran.push(...(await run(h)).ran);
    // Per-hook counts come from each run's runner; they must add up to the engine's own log.
    const total = ran.reduce((a, r) => a + r.calls.length, 0);
    if (total !== h.engine.toolCalls().length) throw new Error(`call counts disagree: ${total} vs engine.toolCalls() ${h.engine.toolCalls().length}`);
    const rows = new Map<string, { n: number; calls: number[]; tools: Map<string, number> }>();
    for (const r of ran) {
      const app = r.hook.unit.split('/')[0]!;
      const hook = r.hook.name.replace(/^(nats|client|ams|rest-api|agent|peers|cluster|certificates|ca-client|etcd)-relation/, '<$1>-relation');
      const key = `${app} | ${hook}`;
      const row = rows.get(key) ?? { n: 0, calls: [] as number[], tools: new Map<string, number>() };
      row.n++;
      row.calls.push(r.calls.length);
      for (const c of r.calls) row.tools.set(c.tool, (row.tools.get(c.tool) ?? 0) + 1);
      rows.set(key, row);
    }
    console.log('\n## Hook-tool calls per hook (in-process story: nats x2 offered cross-model, ams, agent x2; Juju 3.6)\n');
    console.log('| charm | hook | runs | calls (median) | min-max | calls by tool (median run) |');
    console.log('|---|---|---|---|---|---|');
    for (const [key, row] of [...rows].sort(([a], [b]) => a.localeCompare(b))) {
      const per = [...row.tools].sort((a, b) => b[1] - a[1]).map(([t, n]) => `${t}×${Math.round(n / row.n)}`).filter((s) => !s.endsWith('×0')).join(' ');
      console.log(`| ${key} | ${row.n} | ${median(row.calls)} | ${Math.min(...row.calls)}-${Math.max(...row.calls)} | ${per} |`);
    }
  } finally {
    cleanup(h);
  }
}

function nodeBaseline(): number {
  const t: number[] = [];
  for (let i = 0; i < RUNS + 3; i++) {
    const s = performance.now();
    spawnSync(process.execPath, ['-e', '0'], { env: { PATH: process.env['PATH'] ?? '' } });
    if (i >= 3) t.push(performance.now() - s);
  }
  return median(t);
}

async function processTimings(): Promise<void> {
  // Fresh bundles, exactly as tox-free-scripts/build makes them (its tsc step is skipped here).
  const { build } = await import('esbuild');
  for (const c of ['nats', 'ams', 'anbox-stream-agent']) {
    const dist = join(ROOT, 'charms', c, 'dist');
    for (const f of existsSync(dist) ? readdirSync(dist) : []) if (f.endsWith('.mjs')) rmSync(join(dist, f));
    await build({
      entryPoints: [join(ROOT, 'charms', c, 'src/charm.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node22', minify: true, logLevel: 'warning',
      // Lazy import()s (lib/tls + x509, execa) go to their own chunks: not parsed unless loaded.
      ...(process.env['BENCH_NO_SPLIT'] === '1'
        ? { outfile: join(dist, 'charm.mjs') }
        : { splitting: true, outdir: dist, entryNames: 'charm', chunkNames: '[name]-[hash]', outExtension: { '.js': '.mjs' } }),
      banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    });
    // The entry every hook parses must not carry lib/tls + x509 (only the lazy chunk does).
    const entry = readFileSync(join(dist, 'charm.mjs'), 'utf8');
    const all = readdirSync(dist).filter((f) => f.endsWith('.mjs')).reduce((n, f) => n + statSync(join(dist, f)).size, 0);
    console.log(`bundle ${c}: dist/charm.mjs ${entry.length} bytes (${all} with lazy chunks)${entry.includes('reflect-metadata') ? ', entry CONTAINS reflect-metadata/x509' : ''}`);
  }
  const { Simulator } = await import('../../lib/testing/process/index.ts');
  const home = mkdtempSync(join(tmpdir(), 'bench-hooks-'));
  // The simulator's hooks inherit this process's environment (minus test-runner variables).
  if (process.env['BENCH_COMPILE_CACHE'] === '1') process.env['NODE_COMPILE_CACHE'] = join(home, 'compile-cache');
  const durations: Array<{ unit: string; hook: string; ms: number; exit: number }> = [];
  const sim = await Simulator.open(home, { onHook: (inv, rec) => durations.push({ unit: inv.unit, hook: inv.name, ms: rec.durationMs, exit: rec.exitCode }) });
  try {
    await sim.addModel('msg');
    await sim.addModel('cloud');
    await sim.deploy(join(ROOT, 'charms/nats'), 'nats', { model: 'msg', config: { 'ca-key-algorithm': 'ec-p384' } });
    await sim.deploy(join(ROOT, 'charms/ams'), 'ams', { model: 'cloud', config: { key_algorithm: 'ec-p384' } });
    await sim.deploy(join(ROOT, 'charms/anbox-stream-agent'), 'anbox-stream-agent', { model: 'cloud', config: { key_algorithm: 'ec-p384' } });
    const offer = await sim.offer('msg.nats:client');
    await sim.consume(offer.url, 'nats', { model: 'cloud' });
    await sim.integrate('anbox-stream-agent:nats', 'nats:client', { model: 'cloud' });
    await sim.integrate('ams:rest-api', 'anbox-stream-agent:ams', { model: 'cloud' });
    await sim.integrate('ams:agent', 'anbox-stream-agent:client', { model: 'cloud' });
    const failed = durations.filter((d) => d.exit !== 0);
    console.log(`\nprocess transport story: ${durations.length} hooks, ${failed.length} failed${failed.length ? ` (${failed.slice(0, 5).map((f) => `${f.unit} ${f.hook}`).join(', ')})` : ''}`);
    const status = JSON.stringify(await sim.status('cloud'));
    const rid = (await sim.exec('nats/0', ['relation-ids', 'client'], { model: 'msg' })).stdout.trim().split('\n')[0] ?? '';
    const nrc: number[] = [];
    const us: number[] = [];
    for (let i = 0; i < RUNS + 3; i++) {
      // A harmless change of nats/0's unit bag fires the agent's nats-relation-changed (contract §1.4).
      durations.length = 0;
      const set = await sim.exec('nats/0', ['relation-set', '-r', rid, `bench-nonce=${i}`], { model: 'msg' });
      if (set.exitCode !== 0 && i === 0) console.log(`trigger failed: ${set.stderr}`);
      const d = durations.find((x) => x.unit.startsWith('anbox-stream-agent/') && x.hook === 'nats-relation-changed');
      if (d && i >= 3) nrc.push(d.ms);
      durations.length = 0;
      await sim.advanceTime(UPDATE_STATUS_MS);
      const u = durations.find((x) => x.unit.startsWith('anbox-stream-agent/') && x.hook === 'update-status');
      if (u && i >= 3) us.push(u.ms);
    }
    const base = nodeBaseline();
    console.log(`\n## Whole-process hook wall time (process transport, bundled charm, NODE_EXTRA_CA_CERTS unset${process.env['NODE_COMPILE_CACHE'] ? ', NODE_COMPILE_CACHE set' : ''})\n`);
    console.log('| what | median ms | runs |');
    console.log('|---|---|---|');
    console.log(`| node -e 0 | ${base.toFixed(1)} | ${RUNS} |`);
    console.log(`| anbox-stream-agent nats-relation-changed | ${nrc.length ? median(nrc).toFixed(1) : 'n/a'} | ${nrc.length} |`);
    console.log(`| anbox-stream-agent update-status | ${us.length ? median(us).toFixed(1) : 'n/a'} | ${us.length} |`);
    console.log(`| Python ops baseline (tooling.md) | ~320 | - |  goal <= 64 ms`);
    if (!nrc.length) console.log(`(no nats-relation-changed measured; agent status: ${status.slice(0, 300)})`);
  } finally {
    await sim.close();
    rmSync(home, { recursive: true, force: true });
  }
}

if (process.env['BENCH_SKIP_TABLE'] !== '1') await toolCallTable();
try {
  await processTimings();
} catch (e) {
  console.log(`\nwhole-process timing failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
}
