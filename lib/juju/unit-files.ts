/**
 * Where a unit keeps files of its own between hooks (its hook memory, memory/store.ts; its warm
 * worker's directory, worker/paths.ts). On a real unit: its charm directory
 * (`/var/lib/juju/agents/unit-<app>-<n>/charm`, root-owned, one per unit), beside what ops keeps
 * there (`.unit-state.db`). When the simulator emulates machines (`CHARM_WORKLOAD_ROOT`,
 * lib/testing/process/machine.ts) every unit shares the source charm directory, so the file
 * goes to the unit's agent directory under that root.
 */
import { join } from 'node:path';

/**
 * `inAgentDir`: the name under `<root>/var/lib/juju/agents/unit-<app>-<n>/`; `inCharmDir`: the
 * name in the charm directory, given the unit's tag (`unit-<app>-<n>`). Undefined without a unit.
 */
export function unitFilePath(env: Readonly<Record<string, string | undefined>>, inAgentDir: string, inCharmDir: (tag: string) => string): string | undefined {
  const unit = env['JUJU_UNIT_NAME'];
  if (!unit) return undefined;
  const tag = `unit-${unit.replace('/', '-')}`;
  const root = env['CHARM_WORKLOAD_ROOT'];
  if (root) return join(root, 'var/lib/juju/agents', tag, inAgentDir);
  const charmDir = env['JUJU_CHARM_DIR'] || env['CHARM_DIR'];
  return charmDir ? join(charmDir, inCharmDir(tag)) : undefined;
}
