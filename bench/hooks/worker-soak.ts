/**
 * The warm worker over many hooks (issue 8, lib/juju/worker): deploys the hook benchmark's story
 * (process simulator, bundled charms), then makes anbox-stream-agent reconcile HOOKS times (nats/0's
 * URL flipped, as bench/hooks/run.ts's "used field changed" row) and prints, every STEP hooks,
 * the agent worker's memory (RssAnon: its private pages; RssFile: mostly the Node binary, shared
 * with every Node process) and the median hook time of the last STEP hooks. The hooks come back to
 * back; memory is read after 1.5 s idle, once the worker has collected its garbage. A leak
 * shows as RssAnon that keeps growing; the worker also restarts itself after 1000 hooks by design.
 *
 *   env -u NODE_EXTRA_CA_CERTS npx node bench/hooks/worker-soak.ts [hooks=300] [step=50]
 */
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployHookBenchStory } from './process-story.ts';

const HOOKS = Number(process.argv[2] ?? 300);
const STEP = Number(process.argv[3] ?? 50);
const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
delete process.env['NODE_EXTRA_CA_CERTS'];
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1] ?? NaN;

const { writeDevBundle } = await import('../../lib/packaging/dev-build.ts');
for (const c of ['nats', 'ams', 'anbox-stream-agent']) await writeDevBundle(join(ROOT, 'charms', c));
const { Simulator } = await import('../../lib/testing/process/index.ts');
const home = mkdtempSync(join(tmpdir(), 'worker-soak-'));
const times: number[] = [];
const sim = await Simulator.open(home, {
  onHook: (inv, rec) => { if (inv.unit.startsWith('anbox-stream-agent/') && inv.name === 'nats-relation-changed') times.push(rec.durationMs); },
});
const readyFile = join(home, 'machines/cloud/anbox-stream-agent-0/var/lib/juju/agents/unit-anbox-stream-agent-0/warm-worker/ready');
const memory = (): string => {
  try {
    const pid = readFileSync(readyFile, 'utf8').split(' ')[0];
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return `pid ${pid}, RssAnon ${(kb('RssAnon') / 1024).toFixed(1)} MB, RssFile ${(kb('RssFile') / 1024).toFixed(1)} MB`;
  } catch {
    return 'no worker';
  }
};
try {
  const { rid, url } = await deployHookBenchStory(sim, ROOT);
  console.log(`after deploy: ${memory()}`);
  console.log('| hooks | agent worker | median ms of the last step |');
  console.log('|---|---|---|');
  for (let i = 1; i <= HOOKS; i++) {
    await sim.exec('nats/0', ['relation-set', '-r', rid, `url=${i % 2 ? url.replace(/:(\d+)$/, ':4223') : url}`], { model: 'msg' });
    if (i % STEP === 0) {
      // The worker collects its garbage after 1 s idle (lib/juju/worker/server.ts): measure after that.
      await new Promise((r) => setTimeout(r, 1500));
      console.log(`| ${i} | ${memory()} | ${median(times.splice(0)).toFixed(1)} |`);
    }
  }
} finally {
  await sim.close();
  rmSync(home, { recursive: true, force: true });
}
