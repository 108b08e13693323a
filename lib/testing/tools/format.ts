/**
 * juju/cmd output formatters (contract §0.3): smart (default), yaml, json; `-o FILE`.
 */
import { dump } from 'js-yaml';
import { usageError } from '../engine/errors.ts';
import type { FlagSpec, ParsedArgs } from './flags.ts';

export type Format = 'smart' | 'yaml' | 'json';

/** A Go nil map: JSON `null`, YAML `{}` (contract §2.13, state-get). */
export const NIL_MAP: unique symbol = Symbol('nil-map');
/** A Go nil slice: JSON `null`, YAML `[]` (contract §0.3, secret-ids). */
export const NIL_LIST: unique symbol = Symbol('nil-list');
export type OutputValue = unknown;

const STRUCTS = new WeakSet<object>();
/**
 * Mark an object as a Go struct: its fields keep their declared order in JSON and YAML
 * (Go maps, the default here, come out with sorted keys).
 */
export function goStruct<T extends object>(o: T): T {
  STRUCTS.add(o);
  return o;
}

export function formatFlags(formats: readonly Format[] = ['smart', 'yaml', 'json'], def: Format = 'smart'): FlagSpec[] {
  return [
    { names: ['--format'], kind: 'string', placeholder: 'value', default: def, help: `Specify output format (${formats.join('|')})` },
    { names: ['-o', '--output'], kind: 'string', placeholder: 'value', help: 'Specify an output file' },
  ];
}

export function chosenFormat(parsed: ParsedArgs, formats: readonly Format[] = ['smart', 'yaml', 'json'], def: Format = 'smart'): Format {
  const v = parsed.flags['format'];
  if (v === undefined) return def;
  if (typeof v !== 'string' || !(formats as readonly string[]).includes(v)) {
    throw usageError(`invalid value "${String(v)}" for option ${parsed.spelled['format'] ?? '--format'}: unknown format "${String(v)}"`);
  }
  return v as Format;
}

/** Go's json.Marshal escapes <, >, & and U+2028/2029; keys of maps come out sorted. */
export function goJson(value: unknown): string {
  const text = JSON.stringify(sortDeep(value === undefined ? null : value)) ?? 'null';
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sortDeep(v: unknown): unknown {
  if (v === NIL_MAP || v === NIL_LIST) return null;
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object') {
    const keys = STRUCTS.has(v) ? Object.keys(v) : Object.keys(v).sort();
    return Object.fromEntries(keys.filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]));
  }
  return v;
}

export function goYaml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value === NIL_MAP) return '{}\n';
  if (value === NIL_LIST) return '[]\n';
  const text = dump(sortDeep(value), { lineWidth: -1, quoteStyle: 'double', seqNoIndent: true, noRefs: true });
  return text.replace(/\n+$/, '') + '\n';
}

export function render(value: unknown, format: Format): string {
  if (format === 'json') return `${goJson(value)}\n`;
  if (format === 'yaml') return goYaml(value);
  // smart
  if (value === undefined || value === null || value === NIL_LIST) return '';
  if (value === NIL_MAP) return '{}\n';
  if (typeof value === 'string') return value === '' ? '' : `${value}\n`;
  if (typeof value === 'boolean') return value ? 'True\n' : 'False\n';
  if (Array.isArray(value) && value.every((x) => typeof x === 'string')) return value.length ? `${value.join('\n')}\n` : '';
  return goYaml(value);
}
