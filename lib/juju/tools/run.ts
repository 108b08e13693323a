/**
 * The one place a hook tool is run and its failure turned into a typed error (style.md #2, #3).
 * Every wrapper in this folder goes through `call` / `callJson`.
 */
import { toolError } from '../errors.ts';
import type { RelationIdString, ToolRunner } from '../types.ts';

export interface CallOptions {
  /** Sent on stdin (`--file -`). Never part of an error message. */
  readonly input?: string;
  /** Strings that must not leak into an error (e.g. the values sent on stdin). */
  readonly sensitive?: readonly string[];
}

/** Run a tool; exit 0 → stdout, anything else → the most specific HookToolError. */
export function call(runner: ToolRunner, tool: string, args: readonly string[], options: CallOptions = {}): string {
  const result = runner.run(tool, args, options.input === undefined ? undefined : { input: options.input });
  if (result.exitCode === 0) return result.stdout;
  // Juju echoes parts of bad YAML input in its error text (`yaml: unmarshal errors: ...`,
  // contract §2.4); scrub whatever we sent so stdin can never reach a log or exception.
  const secrets = [...(options.sensitive ?? []), ...(options.input === undefined ? [] : [options.input])];
  throw toolError(tool, args, result.exitCode, scrub(result.stdout, secrets), scrub(result.stderr, secrets));
}

/** Run a read tool with `--format=json` already in `args` and parse its single JSON line (contract §0.3). */
export function callJson(runner: ToolRunner, tool: string, args: readonly string[]): unknown {
  const out = call(runner, tool, args).trim();
  // Contract §0.3: JSON is one line; a missing value prints `null`. An empty stdout is not
  // JSON Juju prints, but treat it as null rather than crash on a tool that printed nothing.
  if (out === '') return null;
  try {
    return JSON.parse(out) as unknown;
  } catch (cause) {
    throw new Error(`${tool} ${args.join(' ')}: output is not JSON (${out.length} bytes)`, { cause });
  }
}

/** Replace each sensitive string (and each of its lines) in `text` with `<redacted>`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  const pieces = secrets.flatMap((s) => [s, ...s.split('\n')]).map((s) => s.trim()).filter((s) => s.length >= 3);
  pieces.sort((a, b) => b.length - a.length);
  for (const piece of pieces) out = out.split(piece).join('<redacted>');
  return out;
}

/**
 * The `-r/--relation` value. Contract §2: Juju accepts `N` or `<anything>:N`; we always send
 * what we were given, so a `RelationIdString` goes as `<endpoint>:<id>`.
 */
export function relationFlag(relationId: RelationIdString | number): string[] {
  return ['-r', String(relationId)];
}

/**
 * Free text as the last positional argument. juju/gnuflag would read a leading `-` as a flag,
 * so such text goes after `--` (contract §2.10 documents `--` for juju-log; gnuflag honours it
 * for every tool). Plain text is sent without it, keeping argv minimal.
 */
export function freeText(text: string): string[] {
  return text.startsWith('-') ? ['--', text] : [text];
}

/** `{a:1}` → typed record guard: a JSON object, or `null` read as empty (contract §0.3 nil map). */
export function asStringMap(value: unknown, what: string): Record<string, string> {
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what}: expected a JSON object`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

export function asStringList(value: unknown, what: string): string[] {
  if (value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new Error(`${what}: expected a JSON list of strings`);
  return value as string[];
}
