/**
 * relation-ids / relation-list / relation-get / relation-set / relation-model-get
 * (contract §2.1–2.6). Pure functions over a ToolRunner; caching lives in hook-tools.ts.
 */
import type { RelationIdString, ToolRunner } from '../types.ts';
import { asStringList, asStringMap, call, callJson, relationFlag } from './run.ts';

/**
 * `relation-ids --format=json <endpoint>` (contract §2.1): live relations of the endpoint,
 * sorted; an unknown endpoint is `[]`, not an error. Broken relations are not listed.
 */
export function relationIds(runner: ToolRunner, endpoint: string): RelationIdString[] {
  return asStringList(callJson(runner, 'relation-ids', ['--format=json', endpoint]), 'relation-ids') as RelationIdString[];
}

/**
 * `relation-list -r <id> --format=json` (contract §2.2): remote units in scope. During
 * `-departed` the departing unit is already gone; during `-broken` the list is empty.
 */
export function relationList(runner: ToolRunner, relationId: RelationIdString | number): string[] {
  return asStringList(callJson(runner, 'relation-list', [...relationFlag(relationId), '--format=json']), 'relation-list');
}

/**
 * `relation-list -r <id> --app --format=json` (contract §2.2): the remote application name,
 * even with no units; for a peer relation the local application; across a CMR the SAAS alias
 * or `remote-<hex>` token (§4.2).
 */
export function relationRemoteApp(runner: ToolRunner, relationId: RelationIdString | number): string {
  const value = callJson(runner, 'relation-list', [...relationFlag(relationId), '--app', '--format=json']);
  if (typeof value !== 'string') throw new Error('relation-list --app: expected a JSON string');
  return value;
}

/**
 * `relation-get -r <id> [--app] --format=json - <target>` (contract §2.3): the whole bag.
 * Always names the target explicitly: without it Juju picks JUJU_REMOTE_UNIT, which is not
 * what a reconcile loop means. Without `--app` the target must be a unit name. A non-leader
 * reading its own app bag of a non-peer relation gets exit 1 `permission denied`.
 */
export function relationGet(runner: ToolRunner, relationId: RelationIdString | number, target: string, options: { app?: boolean } = {}): Record<string, string> {
  const args = [...relationFlag(relationId), ...(options.app ? ['--app'] : []), '--format=json', '-', target];
  return asStringMap(callJson(runner, 'relation-get', args), 'relation-get');
}

/**
 * `relation-set -r <id> [--app] --file -` with a JSON map on stdin (contract §2.4: `--file`
 * takes YAML and JSON is YAML). Keeps data off argv (style.md #4) and makes one call per
 * databag write. '' deletes a key. `--app` needs leadership (exit 1 `cannot write relation
 * settings`). Buffered: committed only if the hook exits 0 (§0.4).
 */
export function relationSet(runner: ToolRunner, relationId: RelationIdString | number, data: Readonly<Record<string, string>>, options: { app?: boolean } = {}): void {
  const args = [...relationFlag(relationId), ...(options.app ? ['--app'] : []), '--file', '-'];
  call(runner, 'relation-set', args, { input: JSON.stringify(data), sensitive: Object.values(data) });
}

/** `relation-model-get -r <id> --format=json` (contract §2.5; Juju >= 3.6.2, see JujuVersion). */
export function relationModelGet(runner: ToolRunner, relationId: RelationIdString | number): { uuid: string } {
  const value = callJson(runner, 'relation-model-get', [...relationFlag(relationId), '--format=json']);
  const uuid = (value as { uuid?: unknown } | null)?.uuid;
  if (typeof uuid !== 'string') throw new Error('relation-model-get: expected {"uuid": string}');
  return { uuid };
}
