/**
 * Is a process still the one we knew? A pid alone is not enough (pids are recycled): the start
 * time (field 22 of /proc/<pid>/stat) must match too, and a zombie counts as gone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTimeOf } from './protocol.ts';
import { WORKER_FILES } from './paths.ts';

export function procStat(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try { return readFileSync(`/proc/${pid}/stat`, 'latin1'); } catch { return undefined; }
}

export function alive(pid: number, start: string | undefined): boolean {
  const stat = procStat(pid);
  if (stat === undefined || start === undefined) return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X' && startTimeOf(stat) === start;
}

/** Whether a live worker holds the unit's lock (it may still be starting). */
export function workerRunning(dir: string): boolean {
  try {
    const [pid, start] = readFileSync(join(dir, WORKER_FILES.lock), 'utf8').trim().split(' ');
    return alive(Number(pid), start);
  } catch {
    return false;
  }
}
