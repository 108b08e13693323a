/** state-get / state-set / state-delete: per-unit persistent state, Juju >= 2.8 (contract §2.13). */
import type { ToolRunner } from '../types.ts';
import { asStringMap, call, callJson } from './run.ts';

/**
 * `state-get --format=json`: the whole map. Quirk (contract §0.3, §2.13): an empty state
 * marshals as JSON `null` (Go nil map), read here as `{}` — ops has the same workaround.
 */
export function stateGet(runner: ToolRunner): Record<string, string> {
  return asStringMap(callJson(runner, 'state-get', ['--format=json']), 'state-get');
}

/**
 * `state-set --file -` with a JSON map on stdin (same parser as relation-set, contract §2.13),
 * so state never appears on argv. Limits: key ≤ 256 bytes, value ≤ 65536 bytes (exit 1).
 * Buffered until the hook exits 0.
 */
export function stateSet(runner: ToolRunner, data: Readonly<Record<string, string>>): void {
  if (Object.keys(data).length === 0) return;
  call(runner, 'state-set', ['--file', '-'], { input: JSON.stringify(data), sensitive: Object.values(data) });
}

/** `state-delete <key>`: deleting a missing key is a no-op (contract §2.13). */
export function stateDelete(runner: ToolRunner, key: string): void {
  call(runner, 'state-delete', [key]);
}
