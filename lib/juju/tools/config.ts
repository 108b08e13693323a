/** config-get (contract §2.7). */
import type { ToolRunner } from '../types.ts';
import { callJson } from './run.ts';

export type ConfigValue = string | number | boolean | null;

/**
 * `config-get --format=json`: options that are set or have a non-null default, typed
 * (JSON numbers stay numbers; `secret`-type options are secret URI strings). Options with no
 * value are absent (we do not pass `--all`, which would add them as `null`). Deliberately no
 * single-key form: one call per hook reads everything, and an unknown key would be JSON
 * `null`, indistinguishable from an unset option.
 */
export function configGet(runner: ToolRunner): Record<string, ConfigValue> {
  const value = callJson(runner, 'config-get', ['--format=json']);
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error('config-get: expected a JSON object');
  const out: Record<string, ConfigValue> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else throw new Error(`config-get: option "${k}" has a non-scalar value`);
  }
  return out;
}
