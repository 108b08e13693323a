/**
 * secret-add / -get / -set / -grant / -revoke / -remove / -ids / -info-get (contract §3).
 *
 * Secret values never travel on argv: each value is written to its own 0600 file inside a
 * fresh 0700 `mkdtemp` directory and named with Juju's `key#file=PATH` syntax (contract §3.3,
 * style.md #4); the directory is removed in `finally`, whatever the tool answered.
 * Ids are opaque (contract §3.2: from 3.6.19 they are no longer xids): never validated here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgsError } from '../errors.ts';
import type { RelationIdString, SecretAddOptions, SecretGetOptions, SecretInfo, SecretMetadataOptions, SecretRevokeOptions, ToolRunner } from '../types.ts';
import { asStringList, asStringMap, call, callJson, relationFlag } from './run.ts';

/** Contract §3.3: lower-case, starts with a letter, ≥ 3 chars, single hyphens, no trailing hyphen. */
export const SECRET_KEY_PATTERN = /^[a-z](?:-?[a-z0-9]){2,}$/;

export interface SecretFileOptions {
  /** Parent of the temporary directory (default: the OS temp dir). */
  readonly tmpRoot?: string;
}

function metadataFlags(options: SecretMetadataOptions & { owner?: string }): string[] {
  const flags: string[] = [];
  if (options.owner !== undefined) flags.push('--owner', options.owner);
  if (options.label !== undefined) flags.push('--label', options.label);
  if (options.description !== undefined) flags.push('--description', options.description);
  if (options.expire !== undefined) flags.push('--expire', options.expire);
  if (options.rotate !== undefined) flags.push('--rotate', options.rotate);
  return flags;
}

/**
 * Write each value to a 0600 file in a 0700 temp dir and run `fn` with the `key#file=PATH`
 * arguments. Keys are checked first (Juju would reject them with exit 2 anyway, and a bad key
 * must not reach the tool with its value on disk). Files are named by position, not by key.
 */
export function withSecretFiles<T>(tool: string, content: Readonly<Record<string, string>>, options: SecretFileOptions, fn: (args: string[]) => T): T {
  const entries = Object.entries(content);
  for (const [key] of entries) {
    if (!SECRET_KEY_PATTERN.test(key)) throw new InvalidArgsError(tool, [], 2, '', `ERROR key "${key}" not valid\n`);
  }
  const dir = mkdtempSync(join(options.tmpRoot ?? tmpdir(), 'juju-secret-'));
  try {
    const args = entries.map(([key, value], i) => {
      const path = join(dir, `v${i}`);
      writeFileSync(path, value, { mode: 0o600, flag: 'wx' });
      return `${key}#file=${path}`;
    });
    return fn(args);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `secret-add [--owner unit] [--label L] [--description D] [--expire E] [--rotate R] key#file=…`
 * → `secret:<id>` (revision 1). Application-owned (the default) needs the leader (exit 1
 * `this unit is not the leader`); empty content is exit 2 `missing secret value or filename`.
 * A duplicate label in the same hook: exit 1 `secret with label "L" already exists`.
 */
export function secretAdd(runner: ToolRunner, content: Readonly<Record<string, string>>, options: SecretAddOptions = {}, files: SecretFileOptions = {}): string {
  return withSecretFiles('secret-add', content, files, (valueArgs) => {
    const out = call(runner, 'secret-add', [...metadataFlags(options), ...valueArgs], { sensitive: Object.values(content) });
    const id = out.trim();
    if (!id.startsWith('secret:')) throw new Error('secret-add: expected a secret URI on stdout');
    return id;
  });
}

/**
 * `secret-get <id> | --label L [--peek|--refresh] --format=json` → decoded values. With both id
 * and label the label becomes this unit's consumer label (contract §3.4). Plain reads return
 * the tracked revision (maybe stale); `--peek` the latest without tracking it; `--refresh`
 * tracks the latest (recorded by the controller at once, even if the hook fails, §0.4).
 * Since 3.1.7 / 3.3.1 owners track revisions too (§3.5 item 7). Denied: `permission denied`
 * (3.6) or `… is not allowed to read this secret` (4.0); unknown label: `consumer label "<l>"
 * not found`.
 */
export function secretGet(runner: ToolRunner, options: SecretGetOptions): Record<string, string> {
  const args: string[] = [];
  if (options.id !== undefined) args.push(options.id);
  if (options.label !== undefined) args.push('--label', options.label);
  if (options.peek) args.push('--peek');
  if (options.refresh) args.push('--refresh');
  args.push('--format=json');
  return asStringMap(callJson(runner, 'secret-get', args), 'secret-get');
}

/**
 * `secret-set <id> [metadata flags] [key#file=…]`. New content makes a new revision; on 3.6
 * identical content does not (§3.4). Metadata-only updates (no content) create none.
 * Quirk: an update of a secret this unit does not own is accepted (exit 0) and fails when the
 * hook commits (contract §3.4 notes).
 */
export function secretSet(runner: ToolRunner, id: string, content: Readonly<Record<string, string>> | undefined, options: SecretMetadataOptions = {}, files: SecretFileOptions = {}): void {
  const run = (valueArgs: string[]): void => {
    call(runner, 'secret-set', [id, ...metadataFlags(options), ...valueArgs], { sensitive: Object.values(content ?? {}) });
  };
  if (content === undefined) run([]);
  else withSecretFiles('secret-set', content, files, run);
}

/** `secret-grant <id> -r <ep:id> [--unit U]`: grants `view` to the relation's remote app (or one unit). Checks ownership at once (§3.4). */
export function secretGrant(runner: ToolRunner, id: string, relationId: RelationIdString | number, options: { unit?: string } = {}): void {
  call(runner, 'secret-grant', [id, ...relationFlag(relationId), ...(options.unit === undefined ? [] : ['--unit', options.unit])]);
}

/**
 * `secret-revoke <id> [-r <ep:id> | --app APP | --unit U]`. With no target Juju defaults to the
 * current relation's app in a relation hook, else exit 2 `missing relation or application or unit`.
 */
export function secretRevoke(runner: ToolRunner, id: string, options: SecretRevokeOptions = {}): void {
  const args = [id];
  if (options.relationId !== undefined) args.push(...relationFlag(options.relationId));
  if (options.app !== undefined) args.push('--app', options.app);
  if (options.unit !== undefined) args.push('--unit', options.unit);
  call(runner, 'secret-revoke', args);
}

/** `secret-remove <id> [--revision N]`: one revision, or the whole secret without the flag. */
export function secretRemove(runner: ToolRunner, id: string, options: { revision?: number } = {}): void {
  call(runner, 'secret-remove', [id, ...(options.revision === undefined ? [] : ['--revision', String(options.revision)])]);
}

/** `secret-ids --format=json` → bare ids owned by this unit/app. Quirk: JSON `null` when none (§3.4). */
export function secretIds(runner: ToolRunner): string[] {
  return asStringList(callJson(runner, 'secret-ids', ['--format=json']), 'secret-ids');
}

/**
 * `secret-info-get <id> | --label L --format=json` → `{"<bare id>": {...}}` (owner only;
 * unknown: exit 1 `secret "<id-or-label>" not found`). `label` is always present, the rest
 * omitted when empty (contract §3.4).
 */
export function secretInfoGet(runner: ToolRunner, options: { id?: string; label?: string }): SecretInfo {
  const args: string[] = [];
  if (options.id !== undefined) args.push(options.id);
  if (options.label !== undefined) args.push('--label', options.label);
  args.push('--format=json');
  const value = callJson(runner, 'secret-info-get', args);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('secret-info-get: expected a JSON object');
  const entries = Object.entries(value as Record<string, Record<string, unknown>>);
  const first = entries[0];
  if (entries.length !== 1 || !first) throw new Error(`secret-info-get: expected one secret, got ${entries.length}`);
  const [id, raw] = first;
  if (typeof raw.revision !== 'number') throw new Error('secret-info-get: missing revision');
  return { id, ...raw, label: typeof raw.label === 'string' ? raw.label : '' } as SecretInfo;
}
