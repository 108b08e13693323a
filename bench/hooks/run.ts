/**
 * Hook benchmarks (issue 8):
 *  1. Hook-tool calls per hook, for each hook of each charm, over the whole story
 *     (tests/integration/reliability/story.ts, in-process; counts from `engine.toolCalls()`).
 *  2. Whole-process wall time of anbox-stream-agent's `nats-relation-changed` and of
 *     `update-status`, next to `node -e 0`, through the simulator's process transport with
 *     the bundled charms (rebuilt into charms/<name>/dist/ by lib/packaging/dev-build.ts, as
 *     tox-free-scripts/build does; the charms' development `dispatch` runs dist/charm.mjs): median of RUNS
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
 *   BENCH_SKIP_TABLE=1     skip the in-process call-count table (whole-process timings only).
 *
 * The first four rows run as a unit does since session 4: the unit's warm worker
 * (lib/juju/worker), started by the deploy's first hook, serves the hooks; the two "no worker"
 * rows set CHARM_WARM_WORKER=0 so each hook is its own Node process.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanup, newStory, run, UPDATE_STATUS_MS } from '../../tests/integration/reliability/story.ts';
import { deployHookBenchStory } from './process-story.ts';

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
  // Fresh bundles, exactly as tox-free-scripts/build makes them (lib/packaging/dev-build.ts; its
  // tsc step is skipped here): entry src/main.ts, lazy chunks for the charm, lib/tls + x509, execa.
  const { describeBundle, writeDevBundle } = await import('../../lib/packaging/dev-build.ts');
  for (const c of ['nats', 'ams', 'anbox-stream-agent']) {
    const bundle = await writeDevBundle(join(ROOT, 'charms', c));
    // The files every hook parses must not carry lib/tls + x509 (only a lazy chunk does).
    const startup = bundle.files.filter((f) => bundle.startup.files.includes(f.path)).map((f) => new TextDecoder().decode(f.contents)).join('');
    console.log(`bundle ${c}: ${describeBundle(bundle)}${startup.includes('reflect-metadata') ? ', start-up CONTAINS reflect-metadata/x509' : ''}`);
  }
  const { Simulator } = await import('../../lib/testing/process/index.ts');
  const home = mkdtempSync(join(tmpdir(), 'bench-hooks-'));
  // The simulator's hooks inherit this process's environment (minus test-runner variables).
  if (process.env['BENCH_COMPILE_CACHE'] === '1') process.env['NODE_COMPILE_CACHE'] = join(home, 'compile-cache');
  const durations: Array<{ unit: string; hook: string; ms: number; exit: number; calls: number }> = [];
  // Hooks run one at a time: the socket's call count between two hook ends is the later hook's
  // calls (markCalls() sets the start, after a trigger's own calls).
  let callsMark = 0;
  const markCalls = (): void => { callsMark = sim.toolCalls; };
  const sim: Awaited<ReturnType<typeof Simulator.open>> = await Simulator.open(home, { onHook: (inv, rec) => {
    durations.push({ unit: inv.unit, hook: inv.name, ms: rec.durationMs, exit: rec.exitCode, calls: sim.toolCalls - callsMark });
    callsMark = sim.toolCalls;
  } });
  try {
    const { rid, url } = await deployHookBenchStory(sim, ROOT);
    const failed = durations.filter((d) => d.exit !== 0);
    console.log(`\nprocess transport story: ${durations.length} hooks, ${failed.length} failed${failed.length ? ` (${failed.slice(0, 5).map((f) => `${f.unit} ${f.hook}`).join(', ')})` : ''}`);
    const status = JSON.stringify(await sim.status('cloud'));
    const agentMemory = join(home, 'machines', 'cloud', 'anbox-stream-agent-0', 'var/lib/juju/agents/unit-anbox-stream-agent-0/hook-memory.json');
    /** One series: `trigger` makes the agent run `hook`; wall time and hook-tool calls of that hook. */
    const series = async (name: string, hook: string, trigger: (i: number) => Promise<void>): Promise<{ name: string; ms: number[]; calls: number[] }> => {
      const out = { name, ms: [] as number[], calls: [] as number[] };
      for (let i = 0; i < RUNS + 3; i++) {
        durations.length = 0;
        await trigger(i);
        const d = durations.find((x) => x.unit.startsWith('anbox-stream-agent/') && x.hook === hook);
        if (d && i >= 3) { out.ms.push(d.ms); out.calls.push(d.calls); }
      }
      return out;
    };
    const set = async (data: string): Promise<void> => {
      // Settled separately, so the exec's own relation-set is not counted as the agent's.
      const r = await sim.exec('nats/0', ['relation-set', '-r', rid, data], { model: 'msg', settle: false });
      if (r.exitCode !== 0) throw new Error(`trigger failed: ${r.stderr}`);
      markCalls();
      await sim.wait();
    };
    const results = [
      // 1. The change is none of the agent's business (a key its interface does not declare): the
      //    hook memory re-reads that bag, sees no used field changed and skips the reconcile.
      await series('nats-relation-changed, unused key changed (fixpoint skip)', 'nats-relation-changed', (i) => set(`bench-nonce=${i}`)),
      // 2. The full work of issue 8's hook: a field the agent uses changes (nats/0's URL, port
      //    flipped), so it reads the remote bags, resolves the token secret, renders its config,
      //    restarts and sets its status.
      await series('nats-relation-changed, used field changed (reconcile)', 'nats-relation-changed', (i) => set(`url=${i % 2 ? url.replace(/:(\d+)$/, ':4223') : url}`)),
      // 3. The same change with the agent's memory gone (first hook after a failure or install): reads everything.
      await series('nats-relation-changed, cold (no hook memory)', 'nats-relation-changed', async (i) => { rmSync(agentMemory, { force: true }); await set(`url=${i % 2 ? url : url.replace(/:(\d+)$/, ':4223')}`); }),
      await series('update-status (fixpoint skip)', 'update-status', async () => { markCalls(); await sim.advanceTime(UPDATE_STATUS_MS); }),
    ];
    // The same hooks without the warm worker (lib/juju/worker): every hook a new Node process,
    // as before session 4. The hooks inherit CHARM_WARM_WORKER=0 from this process.
    process.env['CHARM_WARM_WORKER'] = '0';
    try {
      results.push(
        await series('nats-relation-changed, used field changed (reconcile), no worker', 'nats-relation-changed', (i) => set(`url=${i % 2 ? url.replace(/:(\d+)$/, ':4223') : url}`)),
        await series('update-status (fixpoint skip), no worker', 'update-status', async () => { markCalls(); await sim.advanceTime(UPDATE_STATUS_MS); }),
      );
    } finally {
      delete process.env['CHARM_WARM_WORKER'];
    }
    await set(`url=${url}`);
    const base = nodeBaseline();
    console.log(`\n## Whole-process hook wall time (process transport, bundled charm, NODE_EXTRA_CA_CERTS unset${process.env['NODE_COMPILE_CACHE'] ? ', NODE_COMPILE_CACHE set' : ''})\n`);
    console.log('| what | median ms | hook-tool calls (median) | runs |');
    console.log('|---|---|---|---|');
    console.log(`| node -e 0 | ${base.toFixed(1)} | 0 | ${RUNS} |`);
    for (const r of results) console.log(`| anbox-stream-agent ${r.name} | ${r.ms.length ? median(r.ms).toFixed(1) : 'n/a'} | ${r.calls.length ? median(r.calls) : 'n/a'} | ${r.ms.length} |`);
    console.log(`| Python ops baseline (tooling.md) | ~320 | 10 | - |  goal <= 64 ms`);
    const nrc = results[0]!.ms;
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
