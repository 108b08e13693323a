/** action-get / action-set / action-fail / action-log (contract §2.11). Outside an action: exit 1 `not running an action`. */
import type { ToolRunner } from '../types.ts';
import { call, callJson, freeText } from './run.ts';

/** `action-get --format=json` → the params map, typed per actions.yaml with defaults (never null). */
export function actionGet(runner: ToolRunner): Record<string, unknown> {
  const value = callJson(runner, 'action-get', ['--format=json']);
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error('action-get: expected a JSON object');
  return value as Record<string, unknown>;
}

/**
 * `action-set key=value …`; dotted keys build nested maps. Keys must match
 * `^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$` per segment; `stdout`/`stderr`(-encoding) are reserved
 * (exit 2, contract §2.11). Quirk: action-set has no `--file`, so results travel on argv —
 * return references (a secret id, a file path), not secret values, from actions.
 */
export function actionSet(runner: ToolRunner, results: Readonly<Record<string, string>>): void {
  const pairs = Object.entries(results).map(([k, v]) => `${k}=${v}`);
  if (pairs.length === 0) return;
  call(runner, 'action-set', pairs, { sensitive: Object.values(results) });
}

/** `action-fail [message]`; without a message Juju says `action failed without reason given, check action for errors`. */
export function actionFail(runner: ToolRunner, message?: string): void {
  call(runner, 'action-fail', message === undefined || message === '' ? [] : freeText(message));
}

/** `action-log <message>`: progress shown to the user immediately. */
export function actionLog(runner: ToolRunner, message: string): void {
  call(runner, 'action-log', freeText(message));
}
