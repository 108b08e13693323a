/**
 * The same hook as bench/hooks/run.ts's "used field changed" row, warm: the agent's
 * `nats-relation-changed` after nats/0 flips its URL, run in-process (lib/testing/in-process.ts)
 * in one long-lived Node process, so no process is started, modules are loaded and the JIT is
 * warm. What is left is the charm's own work plus the in-process engine's answers: the cost a
 * warm per-unit worker would pay besides its hook-tool processes (issue 8, closing note).
 *
 *   env -u NODE_EXTRA_CA_CERTS npx node bench/hooks/warm.ts [runs=30]
 */
import 'reflect-metadata';
import { cleanup, newStory, run } from '../../tests/integration/reliability/story.ts';

const RUNS = Number(process.argv[2] ?? 30);
const WARM_UP = 10;
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1] ?? NaN;

const h = newStory({ natsUnits: 1, agentUnits: 1 });
try {
  await run(h);
  const exec = h.engine.openContext('msg', 'nats/0', 'exec');
  const rid = h.engine.runTool(exec.contextId, 'relation-ids', ['client']).stdout.trim().split('\n')[0] ?? '';
  const url = JSON.parse(h.engine.runTool(exec.contextId, 'relation-get', ['-r', rid, '--format=json', 'url', 'nats/0']).stdout) as string;
  h.engine.finishHook(exec.contextId, { exitCode: 0 });
  const ms: number[] = [];
  const calls: number[] = [];
  for (let i = 0; i < RUNS + WARM_UP; i++) {
    const write = h.engine.openContext('msg', 'nats/0', 'exec');
    h.engine.runTool(write.contextId, 'relation-set', ['-r', rid, `url=${i % 2 ? url : url.replace(/:(\d+)$/, ':4223')}`]);
    h.engine.finishHook(write.contextId, { exitCode: 0 });
    const started = performance.now();
    const ran = (await run(h)).ran;
    const hooks = ran.filter((r) => r.hook.unit.startsWith('anbox-stream-agent/'));
    if (hooks.length !== 1 || hooks[0]?.exitCode !== 0 || ran.length !== 1) throw new Error(`expected one agent hook, ran: ${ran.map((r) => `${r.hook.unit} ${r.hook.name} exit ${r.exitCode}`).join(', ')}`);
    if (i >= WARM_UP) {
      ms.push(performance.now() - started);
      calls.push(hooks[0].calls.length);
    }
  }
  console.log(`agent nats-relation-changed, used field changed, warm in-process: median ${median(ms).toFixed(1)} ms (min ${Math.min(...ms).toFixed(1)}), ${median(calls)} hook-tool calls, ${RUNS} runs`);
} finally {
  cleanup(h);
}
