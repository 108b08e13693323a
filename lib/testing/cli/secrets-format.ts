/**
 * `juju secrets` tabular output (contract §5.1; juju cmd/juju/secrets/list.go):
 * `ID  Name  Owner  Rotation  Revision  Last updated`, Revision right-aligned, rows sorted by
 * owner then revision descending, Name `-` for charm secrets, Rotation `never` when unset,
 * Last updated as a friendly duration (juju's UserFriendlyDuration) or a date beyond a day.
 */
import { tabulate } from './table.ts';

export interface SecretListEntry {
  readonly revision?: number;
  readonly rotation?: string;
  readonly owner?: string;
  readonly name?: string;
  readonly label?: string;
  readonly created?: string;
  readonly updated?: string;
}

export function friendlyDuration(when: Date, now: Date): string {
  const secs = Math.floor((now.getTime() - when.getTime()) / 1000);
  if (secs >= 24 * 3600) return when.toISOString().slice(0, 10);
  const unit = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'} ago`;
  if (secs >= 3600) return unit(Math.floor(secs / 3600), 'hour');
  if (secs >= 60) return unit(Math.floor(secs / 60), 'minute');
  if (secs >= 1) return unit(secs, 'second');
  return 'just now';
}

export function formatSecretsTabular(secrets: Readonly<Record<string, SecretListEntry>>, now: Date = new Date()): string {
  const rows = Object.entries(secrets)
    .sort(([, a], [, b]) => (a.owner ?? '').localeCompare(b.owner ?? '') || (b.revision ?? 0) - (a.revision ?? 0))
    .map(([id, s]) => {
      const when = s.updated ?? s.created;
      return [id, s.name ?? '-', s.owner ?? '', s.rotation ?? 'never', String(s.revision ?? 0), when ? friendlyDuration(new Date(when), now) : ''];
    });
  return tabulate([['ID', 'Name', 'Owner', 'Rotation', 'Revision', 'Last updated'], ...rows], new Set([4]));
}
