/** Validity periods: a small duration type so config can say days and tests can say minutes. */
import { invalidOption } from './errors.ts';

export interface Duration {
  readonly days?: number;
  readonly hours?: number;
  readonly minutes?: number;
  readonly seconds?: number;
}

const MS = { days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1000 } as const;

/** Milliseconds in `d`; throws an option error naming `option` unless the total is >= 1 s. */
export function durationMs(d: Duration, option: string): number {
  if (d === null || typeof d !== 'object') throw invalidOption(option, d, 'a duration object like { days: 90 }');
  let total = 0;
  for (const unit of Object.keys(MS) as (keyof typeof MS)[]) {
    const v = d[unit];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw invalidOption(`${option}.${unit}`, v, 'a finite number >= 0');
    total += v * MS[unit];
  }
  if (total < 1000) throw invalidOption(option, JSON.stringify(d), 'at least one second long');
  return Math.round(total);
}

/** Certificates carry whole seconds; truncate so a view reads back exactly what was asked. */
export function truncateToSecond(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}
