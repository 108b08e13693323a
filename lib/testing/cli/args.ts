/**
 * The juju CLI's argument conventions (gnuflag): flags may be interspersed with positional
 * arguments, `--flag=value` or `--flag value`, single-dash short flags, `--` ends flags.
 * Errors read like juju's and exit 2 (contract §0.2 applies to the juju CLI as to hook tools).
 */
import { UsageError } from './output.ts';

export interface FlagSpec {
  readonly long: string;
  readonly short?: string;
  readonly kind: 'bool' | 'string' | 'strings';
}

export interface ParsedArgs {
  readonly flags: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positional: readonly string[];
  /** Everything after `--`. */
  readonly rest: readonly string[];
}

const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const flags: Record<string, string | boolean | string[] | undefined> = {};
  const positional: string[] = [];
  let rest: string[] = [];
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) {
    byName.set(`--${s.long}`, s);
    if (s.short) byName.set(`-${s.short}`, s);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') { rest = argv.slice(i + 1); break; }
    if (!arg.startsWith('-') || arg === '-') { positional.push(arg); continue; }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = byName.get(name) ?? (name.startsWith('--') ? undefined : byName.get(`-${name}`));
    if (!spec) throw new UsageError(`option provided but not defined: ${name.replace(/^-+/, name.startsWith('--') ? '--' : '-')}`);
    if (spec.kind === 'bool') {
      if (eq > 0) {
        const v = arg.slice(eq + 1);
        if (!TRUE.has(v) && !FALSE.has(v)) throw new UsageError(`invalid value "${v}" for flag ${name}: parse error`);
        flags[spec.long] = TRUE.has(v);
      } else {
        flags[spec.long] = true;
      }
      continue;
    }
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i]!;
    else throw new UsageError(`option needs an argument: ${name}`);
    if (spec.kind === 'strings') flags[spec.long] = [...((flags[spec.long] as string[] | undefined) ?? []), value];
    else flags[spec.long] = value;
  }
  return { flags, positional, rest };
}

/** `k=v` pairs (config, action params); values stay strings, the engine types them. */
export function parseKeyValues(items: readonly string[], what = 'argument'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`expected "key=value", got "${item}" for ${what}`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

export function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`invalid value "${value}" for option ${flag}: must be a positive integer`);
  return n;
}
