/** is-leader / leader-get / leader-set (contract §2.8). */
import type { ToolRunner } from '../types.ts';
import { asStringMap, call, callJson } from './run.ts';

/**
 * `is-leader --format=json` → `true`/`false`. The answer is a lease valid about 30 s; once a
 * hook sees `false` it stays false for that hook (contract §2.8). Failure: exit 1
 * `leadership status unknown: <err>`.
 */
export function isLeader(runner: ToolRunner): boolean {
  const value = callJson(runner, 'is-leader', ['--format=json']);
  if (typeof value !== 'boolean') throw new Error('is-leader: expected a JSON boolean');
  return value;
}

/** `leader-get --format=json` → the application's leader settings (a nil map reads as `{}`). */
export function leaderGet(runner: ToolRunner): Record<string, string> {
  return asStringMap(callJson(runner, 'leader-get', ['--format=json']), 'leader-get');
}

/**
 * `leader-set key=value …` — written immediately (not rolled back on hook failure, §0.4);
 * non-leader: exit 1 `cannot write leadership settings: cannot write settings: not the leader`.
 * Quirk: leader-set has no `--file` option (contract §2.8 lists none), so values travel on
 * argv. Never put secret material in leader settings; lib/secrets keeps its 2.9 fallback
 * in the peer application bag (relation-set --file -) instead. Empty value deletes a key.
 */
export function leaderSet(runner: ToolRunner, data: Readonly<Record<string, string>>): void {
  const pairs = Object.entries(data).map(([k, v]) => `${k}=${v}`);
  if (pairs.length === 0) return;
  call(runner, 'leader-set', pairs, { sensitive: Object.values(data) });
}
