/** network-get (contract §2.12). */
import type { NetworkInfo, RelationIdString, ToolRunner } from '../types.ts';
import { NotFoundError } from '../errors.ts';
import { callJson, relationFlag } from './run.ts';

/**
 * `network-get <binding> [-r <id>] --format=json`: the full structure (bind-addresses,
 * egress-subnets, ingress-addresses; empty lists omitted). With `-r` ingress/egress reflect
 * that relation (e.g. the public address across a CMR). Unknown binding: exit 1
 * `no network config found for binding "<b>"`. We never pass the single-value flags
 * (`--ingress-address` …), whose output shape changes with the number of flags.
 */
export function networkGet(runner: ToolRunner, binding: string, options: { relationId?: RelationIdString | number } = {}): NetworkInfo {
  const rel = options.relationId === undefined ? [] : relationFlag(options.relationId);
  const value = callJson(runner, 'network-get', [binding, ...rel, '--format=json']);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('network-get: expected a JSON object');
  return value as NetworkInfo;
}

/**
 * `unit-get private-address|public-address --format=json` (contract §2.15): the unit's address
 * whatever relation asks. A missing public address is exit 1 `public address not found`
 * (a NotFoundError), returned here as undefined.
 */
export function unitGet(runner: ToolRunner, setting: 'private-address' | 'public-address'): string | undefined {
  try {
    const value = callJson(runner, 'unit-get', [setting, '--format=json']);
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}
