/**
 * Where a unit's warm worker (README.md) keeps its files: beside the unit's hook memory
 * (../unit-files.ts), in a root-only 0700 directory. The dispatch script's
 * client (lib/packaging/dispatch.ts) computes the same path in bash: keep the two in step.
 *
 * - `lock`: the worker's `<pid> <start time>`, created exclusively; one worker per unit.
 * - `req`, `rep`: 0600 FIFOs; one request line in, framed reply lines out (protocol.ts).
 * - `ready`: `<pid> <start time>` (field 22 of /proc/<pid>/stat), written last by rename. The
 *   client checks both, so a recycled pid is never taken for the worker.
 */
import { unitFilePath } from '../unit-files.ts';

type Env = Readonly<Record<string, string | undefined>>;

export const WORKER_FILES = { lock: 'lock', request: 'req', reply: 'rep', ready: 'ready' } as const;

export function workerDir(env: Env): string | undefined {
  return unitFilePath(env, 'warm-worker', (tag) => `.warm-worker-${tag}`);
}
