/**
 * Simulator benchmarks (issue 3):
 *  1. median wall time of one hook-tool call through the executable (C client and Node fallback),
 *     spawned like a hook would (fork+exec, connect, engine.runTool, reply) — goal <= 10 ms;
 *  2. wall time to settle N units of the `requirer` test charm related to one `provider`
 *     (deploy + integrate + every hook run as a process), N = 1, 10, 100, 1000.
 *
 * Usage: npx node bench/simulator/run.ts [--max N] [--calls N] [--parallelism P]
 * NODE_EXTRA_CA_CERTS is dropped from hook environments (tooling.md: it doubles node start-up).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { hookEnv } from '../../lib/testing/process/executor.ts';
import { Simulator } from '../../lib/testing/process/simulator.ts';

delete process.env.NODE_EXTRA_CA_CERTS;
const { values } = parseArgs({ options: { max: { type: 'string', default: '1000' }, calls: { type: 'string', default: '200' }, parallelism: { type: 'string', default: '1' } } });
const maxUnits = Number(values.max);
const calls = Number(values.calls);
const parallelism = Number(values.parallelism);
const charms = fileURLToPath(new URL('../../tests/fixtures/charms/', import.meta.url));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function runOnce(cmd: string, args: string[], env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  return new Promise((ok, fail) => {
    const c = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'ignore'] });
    c.on('error', fail);
    c.on('exit', (code) => (code === 0 ? ok(performance.now() - t0) : fail(new Error(`${cmd} exited ${code}`))));
  });
}

async function toolCallCost(client: 'c' | 'node'): Promise<{ median: number; baseline: number; inProcess: number; shellMeanMs: number }> {
  const home = mkdtempSync(join(tmpdir(), 'jujusim-bench-'));
  const sim = await Simulator.open(home, { client });
  try {
    await sim.addModel('bench');
    await sim.deploy(join(charms, 'provider'), 'provider');
    const inv = sim.engine.openContext('bench', 'provider/0');
    const env = hookEnv(inv, { socketPath: sim.socketPath, toolsDir: sim.toolsDir('bench') });
    const tool = join(sim.toolsDir('bench'), 'relation-ids');
    for (let i = 0; i < 10; i++) await runOnce(tool, ['data'], env); // warm-up
    const times: number[] = [];
    for (let i = 0; i < calls; i++) times.push(await runOnce(tool, ['data'], env));
    const baseline: number[] = [];
    for (let i = 0; i < calls; i++) baseline.push(await runOnce('/bin/true', [], env));
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) sim.engine.runTool(inv.contextId, 'relation-ids', ['data']);
    const inProcess = (performance.now() - t0) / 1000;
    sim.engine.finishHook(inv.contextId, { exitCode: 0 });
    // What a hook sees: a sh loop calling the tool (mean per call, fork+exec from sh).
    const loops = 100;
    const shell = await sim.exec('provider/0', [`t0=$(date +%s%N); i=0; while [ $i -lt ${loops} ]; do relation-ids data >/dev/null; i=$((i+1)); done; echo $(( ($(date +%s%N) - t0) / ${loops} ))`], { model: 'bench' });
    return { median: median(times), baseline: median(baseline), inProcess, shellMeanMs: Number(shell.stdout.trim()) / 1e6 };
  } finally {
    await sim.close();
    rmSync(home, { recursive: true, force: true });
  }
}

async function settleCost(units: number): Promise<{ ms: number; hooks: number; toolCalls: number; processMs: number }> {
  const home = mkdtempSync(join(tmpdir(), 'jujusim-bench-'));
  let processMs = 0;
  let failed = 0;
  const sim = await Simulator.open(home, { parallelism, onHook: (_inv, r) => { processMs += r.durationMs; if (r.exitCode !== 0) failed++; } });
  try {
    await sim.addModel('bench');
    await sim.deploy(join(charms, 'provider'), 'provider');
    processMs = 0;
    const t0 = performance.now();
    const h0 = sim.hooksRun;
    const c0 = sim.toolCalls;
    await sim.deploy(join(charms, 'requirer'), 'requirer', { units });
    await sim.integrate('provider', 'requirer');
    const ms = performance.now() - t0;
    if (failed > 0) console.log(`  warning: ${failed} hooks failed at N=${units}: ${(await sim.debugLog('bench')).filter((l) => / ERROR | WARNING /.test(l)).slice(0, 3).join(' | ')}`);
    return { ms, hooks: sim.hooksRun - h0, toolCalls: sim.toolCalls - c0, processMs };
  } finally {
    await sim.close();
    rmSync(home, { recursive: true, force: true });
  }
}

const fmt = (n: number, d = 1): string => n.toFixed(d);
for (const client of ['c', 'node'] as const) {
  const r = await toolCallCost(client);
  console.log(`hook-tool call via ${client} client: median ${fmt(r.median, 2)} ms spawned from node over ${calls} calls (/bin/true the same way: ${fmt(r.baseline, 2)} ms); mean ${fmt(r.shellMeanMs, 2)} ms from a sh loop in a hook; engine.runTool in-process ${fmt(r.inProcess * 1000, 1)} µs`);
}
console.log(`settle (parallelism ${parallelism}): units  wall-ms  hooks  tool-calls  ms/unit  ms/hook  in-hook-processes%`);
for (const n of [1, 10, 100, 1000]) {
  if (n > maxUnits) break;
  const r = await settleCost(n);
  console.log(`settle: ${String(n).padStart(5)}  ${fmt(r.ms, 0).padStart(7)}  ${String(r.hooks).padStart(5)}  ${String(r.toolCalls).padStart(10)}  ${fmt(r.ms / n).padStart(7)}  ${fmt(r.ms / r.hooks).padStart(7)}  ${fmt((100 * r.processMs) / r.ms, 0).padStart(5)}%`);
}
