/**
 * Hook entry point of the two test charms (lib/secrets/testing/charms.ts) when run as real
 * processes by the simulator's executable transport: `dispatch` execs this file.
 * The requirer reports what it read through its workload status (never the value itself).
 */
import { HookContext } from '../../../lib/juju/context.ts';
import { Tools } from '../../../lib/juju/hook-tools.ts';
import { SpawnRunner } from '../../../lib/juju/runner.ts';
import { JujuVersion } from '../../../lib/juju/version.ts';
import { agentHook, natsyHook, type ObservedMap } from '../../../lib/secrets/testing/charms.ts';

const ctx = HookContext.fromEnv(process.env);
const tools = new Tools(new SpawnRunner(), {
  unitName: ctx.unit.name, version: JujuVersion.parse(ctx.jujuVersion),
  ...(ctx.relation ? { relationId: ctx.relation.idString } : {}),
});
if (process.argv[2] === 'natsy') {
  await natsyHook({ tools, ctx });
} else {
  const observed: ObservedMap = new Map();
  agentHook(observed)({ tools, ctx });
  const seen = [...(observed.get(ctx.unit.name)?.values() ?? [])];
  const ready = seen.filter((o) => o.status === 'ready');
  if (seen.length && ready.length === seen.length) tools.statusSet('active', `token via ${ready.map((o) => o.via).join(',')}`);
  else tools.statusSet('waiting', `token ${seen.map((o) => o.status).join(',') || 'no relation'}`);
}
