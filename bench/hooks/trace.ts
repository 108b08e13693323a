/**
 * Where one hook's time goes (issue 8): deploys the hook benchmark's story on the process
 * simulator (bundled charms, as bench/hooks/run.ts), makes anbox-stream-agent run its
 * `nats-relation-changed` with a used field changed (nats/0's URL) RUNS times, and prints, for
 * the last two, every hook-tool call as the simulator answered it: ms since the trigger, the
 * engine's own time for the call, the command. Then the hook's wall time.
 *
 *   env -u NODE_EXTRA_CA_CERTS npx node bench/hooks/trace.ts
 *   PROF_NODE=/path/to/node-wrapper ...   the last hook runs under that `node` (e.g. a wrapper
 *                                          adding --cpu-prof), put first on the hooks' PATH
 *
 * Calls from a background batch (lib/juju/prefetch.ts) show as a burst before the charm's own.
 * The unit's warm worker (lib/juju/worker) runs these hooks, so PROF_NODE profiles nothing
 * unless the hooks run directly: `CHARM_WARM_WORKER=0` (the hooks inherit it).
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HookInvocation } from '../../lib/testing/engine/api.ts';
import { deployHookBenchStory } from './process-story.ts';

const RUNS = 6;
const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
delete process.env['NODE_EXTRA_CA_CERTS'];

const { writeDevBundle } = await import('../../lib/packaging/dev-build.ts');
for (const c of ['nats', 'ams', 'anbox-stream-agent']) await writeDevBundle(join(ROOT, 'charms', c));

// Every call the engine answers, timed (the process transport's socket server calls runTool).
const { SimEngine } = await import('../../lib/testing/engine/engine.ts');
let trace: string[] | undefined;
let t0 = 0;
const runTool = SimEngine.prototype.runTool;
SimEngine.prototype.runTool = function (this: InstanceType<typeof SimEngine>, ...a: Parameters<typeof runTool>) {
  const start = performance.now();
  const result = runTool.apply(this, a);
  trace?.push(`${(start - t0).toFixed(1).padStart(7)} ${(performance.now() - start).toFixed(2)}ms ${a[1]} ${a[2].join(' ').slice(0, 90)}`);
  return result;
};

const { Simulator } = await import('../../lib/testing/process/index.ts');
const home = mkdtempSync(join(tmpdir(), 'trace-hooks-'));
const sim = await Simulator.open(home, {
  onHook: (inv: HookInvocation, rec: { durationMs: number; exitCode: number; stderr?: string }) => {
    if (inv.unit.startsWith('anbox-stream-agent/')) trace?.push(`${rec.stderr ?? ''}== ${inv.unit} ${inv.name} ${rec.durationMs.toFixed(1)} ms, exit ${rec.exitCode}`);
  },
});
try {
  const { rid, url } = await deployHookBenchStory(sim, ROOT);
  for (let i = 0; i < RUNS; i++) {
    const profNode = process.env['PROF_NODE'];
    if (i === RUNS - 1 && profNode) process.env['PATH'] = `${dirname(profNode)}:${process.env['PATH'] ?? ''}`;
    await sim.exec('nats/0', ['relation-set', '-r', rid, `url=${i % 2 ? url.replace(/:(\d+)$/, ':4223') : url}`], { model: 'msg', settle: false });
    trace = [];
    t0 = performance.now();
    await sim.wait();
    if (i >= RUNS - 2) console.log(trace.join('\n'));
    trace = undefined;
  }
} finally {
  await sim.close();
  rmSync(home, { recursive: true, force: true });
}
