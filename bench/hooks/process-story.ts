/**
 * The deployment both hook benchmarks drive (run.ts, trace.ts): nats offered from model `msg`,
 * consumed in `cloud` by anbox-stream-agent, which is related to ams; one unit each, EC P-384,
 * on the process simulator with the bundled charms. Returns nats/0's `client` relation id and
 * the URL it published, which the benchmarks flip to make the agent's hook do real work.
 */
import { join } from 'node:path';
import type { Simulator } from '../../lib/testing/process/index.ts';

export async function deployHookBenchStory(sim: Simulator, root: string): Promise<{ rid: string; url: string }> {
  await sim.addModel('msg');
  await sim.addModel('cloud');
  await sim.deploy(join(root, 'charms/nats'), 'nats', { model: 'msg', config: { 'ca-key-algorithm': 'ec-p384' } });
  await sim.deploy(join(root, 'charms/ams'), 'ams', { model: 'cloud', config: { key_algorithm: 'ec-p384' } });
  await sim.deploy(join(root, 'charms/anbox-stream-agent'), 'anbox-stream-agent', { model: 'cloud', config: { key_algorithm: 'ec-p384' } });
  const offer = await sim.offer('msg.nats:client');
  await sim.consume(offer.url, 'nats', { model: 'cloud' });
  await sim.integrate('anbox-stream-agent:nats', 'nats:client', { model: 'cloud' });
  await sim.integrate('ams:rest-api', 'anbox-stream-agent:ams', { model: 'cloud' });
  await sim.integrate('ams:agent', 'anbox-stream-agent:client', { model: 'cloud' });
  const rid = (await sim.exec('nats/0', ['relation-ids', 'client'], { model: 'msg' })).stdout.trim().split('\n')[0] ?? '';
  const url = JSON.parse((await sim.exec('nats/0', ['relation-get', '-r', rid, '--format=json', 'url', 'nats/0'], { model: 'msg' })).stdout) as string;
  return { rid, url };
}
