/**
 * How a hook tool is declared: flags, usage, and a `run` that returns the value to print
 * (formatted per `--format`) or nothing. `runTool` turns ToolErrors into juju/cmd results
 * (contract §0.2): exit 2 for flag/argument errors, 1 for runtime errors, `ERROR <msg>` on stderr.
 */
import type { ToolResult } from '../../juju/types.ts';
import type { HookContext } from '../engine/context.ts';
import { ToolError } from '../engine/errors.ts';
import { helpText, parseArgs, type FlagSpec, type ParsedArgs } from './flags.ts';
import { chosenFormat, formatFlags, render, type Format } from './format.ts';
import { writeOutput, type ToolIO } from './io.ts';

export interface ToolOutput {
  /** Value to format; `undefined` prints nothing (but `null` in json). */
  value?: unknown;
  /** Raw text for stderr (e.g. deprecation notes). */
  stderr?: string;
  /** Raw stdout bypassing formatting. */
  raw?: string;
}

export interface ToolDef {
  readonly name: string;
  readonly args: string;
  readonly summary: string;
  readonly flags: readonly FlagSpec[];
  /** Output formats offered (none = the tool prints nothing formatted). */
  readonly formats?: readonly Format[];
  readonly defaultFormat?: Format;
  /** Deprecated `--format` tolerated with a note on stderr (relation-set, juju-log, ports). */
  readonly deprecatedFormat?: boolean;
  run(ctx: HookContext, parsed: ParsedArgs, io: ToolIO): ToolOutput | void;
}

export function defineTool(def: ToolDef): ToolDef {
  const flags = [...def.flags];
  if (def.formats) flags.push(...formatFlags(def.formats, def.defaultFormat));
  if (def.deprecatedFormat) flags.push({ names: ['--format'], kind: 'string', help: 'deprecated format flag' });
  return { ...def, flags };
}

export function execute(def: ToolDef, ctx: HookContext, argv: readonly string[], io: ToolIO): ToolResult {
  try {
    const parsed = parseArgs(def.flags, argv);
    if (parsed.help) return { stdout: helpText(def.name, def.args, def.summary, def.flags), stderr: '', exitCode: 0 };
    const format = def.formats ? chosenFormat(parsed, def.formats, def.defaultFormat) : undefined;
    const out = def.run(ctx, parsed, io) ?? {};
    let stderr = out.stderr ?? '';
    if (def.deprecatedFormat && parsed.flags['format'] !== undefined) stderr += `--format flag deprecated for command "${def.name}"`;
    if (out.raw !== undefined) return { stdout: out.raw, stderr, exitCode: 0 };
    if (!format) return { stdout: '', stderr, exitCode: 0 };
    const text = render(out.value, format);
    const file = parsed.flags['output'];
    if (typeof file === 'string') {
      writeOutput(file, text, io);
      return { stdout: '', stderr, exitCode: 0 };
    }
    return { stdout: text, stderr, exitCode: 0 };
  } catch (e) {
    if (e instanceof ToolError) return { stdout: '', stderr: `ERROR ${e.message}\n`, exitCode: e.exitCode };
    throw e;
  }
}

/** The relation flag `-r/--relation` (contract §2): parsed during flag parsing → exit 2. */
export const RELATION_FLAG: FlagSpec = { names: ['-r', '--relation'], kind: 'string', placeholder: 'value', help: 'Specify a relation by id' };

/** Resolve `-r` or fall back to the hook's relation; `undefined` when neither. */
export function relationFlag(ctx: HookContext, parsed: ParsedArgs): number | undefined {
  const v = parsed.flags['relation'];
  if (typeof v === 'string') {
    try {
      return ctx.parseRelationId(v);
    } catch (e) {
      if (e instanceof ToolError) throw new ToolError(2, `invalid value "${v}" for option ${parsed.spelled['relation'] ?? '-r'}: ${e.message}`);
      throw e;
    }
  }
  return ctx.currentRelationId();
}
