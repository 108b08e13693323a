/**
 * Typed reads of `config-get` values (contract §2.7: typed scalars; unset options absent).
 * Each returns the value or the default; a wrong type is an operator error worth a blocked
 * status, so it throws BlockedStatus naming the option (never its value: it may be a key).
 */
import { BlockedStatus } from '../juju/status.ts';

type Config = Readonly<Record<string, string | number | boolean | null>>;

export function configString(config: Config, key: string, fallback = ''): string {
  const v = config[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string') throw new BlockedStatus(`config "${key}" must be a string`);
  return v;
}

export function configInt(config: Config, key: string, fallback: number, range: { min?: number; max?: number } = {}): number {
  const v = config[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new BlockedStatus(`config "${key}" must be an integer`);
  if ((range.min !== undefined && v < range.min) || (range.max !== undefined && v > range.max)) {
    throw new BlockedStatus(`config "${key}" is ${v}: must be between ${range.min ?? '-inf'} and ${range.max ?? 'inf'}`);
  }
  return v;
}

export function configBool(config: Config, key: string, fallback: boolean): boolean {
  const v = config[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new BlockedStatus(`config "${key}" must be a boolean`);
  return v;
}
