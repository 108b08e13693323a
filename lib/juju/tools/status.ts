/** status-set / status-get / application-version-set (contract §2.9, §2.15). */
import type { ApplicationStatusInfo, ReadStatusName, StatusInfo, StatusName, ToolRunner } from '../types.ts';
import { call, callJson, freeText } from './run.ts';

/**
 * `status-set [--application] <status> [message]` — immediate (§0.4). `error`/`unknown` cannot
 * be set by charms (the type excludes them); `--application` from a non-leader: exit 1
 * `this unit is not the leader`. An empty message is sent as no argument.
 */
export function statusSet(runner: ToolRunner, status: StatusName, message = '', options: { application?: boolean } = {}): void {
  const flags = options.application ? ['--application'] : [];
  // A message starting with '-' needs `--` before the positionals (see freeText).
  const positionals = message === '' ? [status] : message.startsWith('-') ? ['--', status, message] : [status, message];
  call(runner, 'status-set', [...flags, ...positionals]);
}

interface RawStatus { status?: unknown; message?: unknown }

function toStatusInfo(raw: RawStatus | undefined, what: string): StatusInfo {
  if (!raw || typeof raw.status !== 'string') throw new Error(`${what}: expected {"status": string}`);
  return { status: raw.status as ReadStatusName, message: typeof raw.message === 'string' ? raw.message : '' };
}

/** `status-get --include-data --format=json` → `{"message","status","status-data"}` (contract §2.9). */
export function statusGet(runner: ToolRunner): StatusInfo {
  return toStatusInfo(callJson(runner, 'status-get', ['--include-data', '--format=json']) as RawStatus, 'status-get');
}

/**
 * `status-get --application --include-data --format=json` → `{"application-status":{…,"units":{…}}}`.
 * Leader only: else exit 1 `finding application status: this unit is not the leader`.
 */
export function applicationStatusGet(runner: ToolRunner): ApplicationStatusInfo {
  const value = callJson(runner, 'status-get', ['--application', '--include-data', '--format=json']) as { 'application-status'?: RawStatus & { units?: Record<string, RawStatus> } } | null;
  const app = value?.['application-status'];
  const base = toStatusInfo(app, 'status-get --application');
  const units: Record<string, StatusInfo> = {};
  for (const [name, raw] of Object.entries(app?.units ?? {})) units[name] = toStatusInfo(raw, `status-get --application (${name})`);
  return { ...base, units };
}

/** `application-version-set <version>` — exactly one argument; immediate (contract §2.15). */
export function applicationVersionSet(runner: ToolRunner, version: string): void {
  call(runner, 'application-version-set', freeText(version));
}
