/**
 * Go/gnuflag-style argv parsing as juju/cmd does it (contract §0.2): `--long value`,
 * `--long=value`, `-s value`, `-svalue`, bool flags with optional `=<ParseBool>`, flags
 * interspersed with positionals, `--` ends flags. Errors are exit-2 ToolErrors with Juju's text.
 */
import { usageError, type ToolError } from '../engine/errors.ts';

export interface FlagSpec {
  /** e.g. ['-r', '--relation'] */
  readonly names: readonly string[];
  readonly kind: 'bool' | 'string';
  readonly help: string;
  readonly placeholder?: string;
  readonly default?: string;
}

export interface ParsedArgs {
  /** Values keyed by the first long name without dashes (or the short name). */
  readonly flags: Record<string, string | boolean | undefined>;
  /** Which spelling the user typed, for error messages. */
  readonly spelled: Record<string, string>;
  readonly positional: string[];
  readonly help: boolean;
}

export function flagKey(spec: FlagSpec): string {
  const long = spec.names.find((n) => n.startsWith('--')) ?? spec.names[0]!;
  return long.replace(/^-+/, '');
}

/** Go strconv.ParseBool. */
export function parseBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

export function parseArgs(specs: readonly FlagSpec[], argv: readonly string[]): ParsedArgs {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) for (const n of s.names) byName.set(n, s);
  const flags: Record<string, string | boolean | undefined> = {};
  const spelled: Record<string, string> = {};
  const positional: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('-') || a === '-') { positional.push(a); continue; }
    const long = a.startsWith('--');
    const body = a.slice(long ? 2 : 1);
    const eq = body.indexOf('=');
    let name = eq >= 0 ? body.slice(0, eq) : body;
    let inline: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (!long && name.length > 1) {
      // Short flag with its value attached (`-r0`), else an undefined flag cluster.
      inline = inline === undefined ? name.slice(1) : `${name.slice(1)}=${inline}`;
      name = name[0]!;
    }
    const dashed = `${long ? '--' : '-'}${name}`;
    if (dashed === '-h' || dashed === '--help') { help = true; continue; }
    const spec = byName.get(dashed);
    if (!spec) throw usageError(`flag provided but not defined: ${dashed}`);
    const key = flagKey(spec);
    spelled[key] = dashed;
    if (spec.kind === 'bool') {
      if (inline === undefined) { flags[key] = true; continue; }
      const b = parseBool(inline);
      if (b === undefined) throw usageError(`invalid value "${inline}" for option ${dashed}: strconv.ParseBool: parsing "${inline}": invalid syntax`);
      flags[key] = b;
      continue;
    }
    if (inline === undefined) {
      if (i + 1 >= argv.length) throw usageError(`flag needs an argument: ${dashed}`);
      inline = argv[++i]!;
    }
    flags[key] = inline;
  }
  return { flags, spelled, positional, help };
}

/** Wrap a flag value validation failure the way Go's flag package reports it. */
export function invalidValue(parsed: ParsedArgs, key: string, value: string, e: unknown): ToolError {
  const reason = e instanceof Error ? e.message : String(e);
  return usageError(`invalid value "${value}" for option ${parsed.spelled[key] ?? `--${key}`}: ${reason}`);
}

/** `unrecognized args: ["x" "y"]` (Go %q of a string slice, contract §0.2). */
export function unrecognized(args: readonly string[]): ToolError {
  return usageError(`unrecognized args: [${args.map((a) => JSON.stringify(a)).join(' ')}]`);
}

/** Usage text for `--help` (contract §0.2). */
export function helpText(name: string, args: string, summary: string, specs: readonly FlagSpec[]): string {
  const lines = [`Usage: ${name} [options]${args ? ` ${args}` : ''}`, '', 'Summary:', summary, ''];
  if (specs.length) {
    lines.push('Options:');
    for (const s of specs) {
      const names = s.names.join(', ');
      const def = s.kind === 'bool' ? ' (= false)' : s.default !== undefined ? ` (= ${JSON.stringify(s.default)})` : '';
      lines.push(`${names}${s.placeholder && s.kind === 'string' ? ` ${s.placeholder}` : ''}${def}`, `    ${s.help}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
