/**
 * Secret argument syntax (contract §3.3, §3.4): `key=value`, `key#base64=…`, `key#file=PATH`,
 * `--file F` (YAML/JSON map), `--expire` (Go duration or timestamp), `--rotate`, `--owner`.
 * Values come back base64-encoded, as Juju stores them.
 */
import { load, YAML11_SCHEMA } from 'js-yaml';
import { runtimeError, usageError } from '../engine/errors.ts';
import type { Bag } from '../engine/state.ts';
import { readInput, type ToolIO } from './io.ts';

const b64 = (s: string | Uint8Array): string => Buffer.from(s).toString('base64');

export function parseSecretArgs(args: readonly string[], io: ToolIO): Bag {
  const data: Bag = {};
  for (const arg of args) {
    const stripped = arg.replace(/=+$/, '');
    const idx = stripped.indexOf('=');
    if (idx < 1) throw usageError(`key value "${arg}" not valid`);
    let key = arg.slice(0, idx);
    let value = arg.slice(idx + 1);
    if (key.endsWith('#base64')) key = key.slice(0, -'#base64'.length);
    else if (key.endsWith('#file')) {
      key = key.slice(0, -'#file'.length);
      value = b64(readInput(value, io));
    } else value = b64(value);
    data[key] = value;
  }
  return data;
}

/** `--file F`: YAML or JSON map, keys may carry `#base64`; `!!binary` values are bytes. */
export function parseSecretFile(path: string, io: ToolIO): Bag {
  const text = readInput(path, io);
  let doc: unknown;
  try {
    doc = load(text, { schema: YAML11_SCHEMA });
  } catch (e) {
    throw runtimeError(`yaml: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw runtimeError(`yaml: unmarshal errors:\n  line 1: cannot unmarshal into map[string]interface {}`);
  const out: Bag = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (v instanceof Uint8Array) out[k.replace(/#base64$/, '')] = b64(v);
    else if (k.endsWith('#base64')) out[k.slice(0, -7)] = String(v);
    else out[k] = b64(String(v));
  }
  return out;
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };

/** Go time.ParseDuration, in ms; undefined when not a duration. */
export function parseGoDuration(s: string): number | undefined {
  const m = /^([-+]?)((?:\d+(?:\.\d*)?(?:ns|us|µs|ms|s|m|h))+)$/.exec(s);
  if (!m) return s === '0' ? 0 : undefined;
  let total = 0;
  for (const part of m[2]!.matchAll(/(\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * UNITS[part[2]!]!;
  return m[1] === '-' ? -total : total;
}

/** `--expire`: duration from now, RFC 3339, or `YYYY-MM-DDTHH:MM:SS` taken as UTC. */
export function parseExpire(s: string, now: number): number {
  const d = parseGoDuration(s);
  if (d !== undefined) {
    if (d < 0) throw usageError(`negative expire duration "${s}" not valid`);
    return now + d;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(s)) return Date.parse(`${s}Z`);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s))) return Date.parse(s);
  throw usageError(`expire time or duration "${s}" not valid`);
}

export const ROTATE_POLICIES = ['never', 'hourly', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly'];
