/**
 * `key=value` arguments and `--file PATH|-` YAML maps, as relation-set / state-set /
 * leader-set parse them (contract §2.4, §2.8, §2.13).
 */
import { load } from 'js-yaml';
import { runtimeError, usageError } from '../engine/errors.ts';
import type { Bag } from '../engine/state.ts';
import { readInput, type ToolIO } from './io.ts';

export function parseKeyValues(args: readonly string[]): Bag {
  const out: Bag = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw usageError(`expected "key=value", got "${a}"`);
    const k = a.slice(0, eq);
    if (k in out) throw usageError(`key "${k}" specified more than once`);
    out[k] = a.slice(eq + 1);
  }
  return out;
}

/** Only the first YAML document counts; values become strings; non-maps are an error (exit 1). */
export function parseYamlMap(text: string): Bag {
  let doc: unknown;
  try {
    const first = text.split(/^---\s*$/m).find((d) => d.trim() !== '') ?? '';
    doc = load(first);
  } catch (e) {
    throw runtimeError(`yaml: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === undefined || doc === null) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    const kind = Array.isArray(doc) ? '!!seq' : '!!str';
    throw runtimeError(`yaml: unmarshal errors:\n  line 1: cannot unmarshal ${kind} \`${Array.isArray(doc) ? '' : String(doc)}\` into map[string]string`);
  }
  const out: Bag = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) out[k] = v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return out;
}

/** Settings from `--file` (if given) overridden by the command-line pairs. */
export function settingsFrom(file: string | undefined, args: readonly string[], io: ToolIO): Bag {
  const pairs = parseKeyValues(args);
  if (file === undefined) return pairs;
  return { ...parseYamlMap(readInput(file, io)), ...pairs };
}
