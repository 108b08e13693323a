/**
 * Where a unit's warm worker (README.md) keeps its files: beside the unit's hook memory
 * (memory/store.ts `memoryFilePath`), in a root-only 0700 directory. The dispatch script's
 * client (lib/packaging/dispatch.ts) computes the same path in bash: keep the two in step.
 *
 * - `lock`: the worker's pid, created exclusively; one worker per unit.
 * - `req`, `rep`: 0600 FIFOs; one request line in, framed reply lines out (protocol.ts).
 * - `ready`: `<pid> <start time>` (field 22 of /proc/<pid>/stat), written last by rename. The
 *   client checks both, so a recycled pid is never taken for the worker.
 */
import { join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

export const WORKER_FILES = { lock: 'lock', request: 'req', reply: 'rep', ready: 'ready' } as const;

export function workerDir(env: Env): string | undefined {
  const unit = env['JUJU_UNIT_NAME'];
  if (!unit) return undefined;
  const tag = `unit-${unit.replace('/', '-')}`;
  const root = env['CHARM_WORKLOAD_ROOT'];
  if (root) return join(root, 'var/lib/juju/agents', tag, 'warm-worker');
  const charmDir = env['JUJU_CHARM_DIR'] || env['CHARM_DIR'];
  return charmDir ? join(charmDir, `.warm-worker-${tag}`) : undefined;
}
