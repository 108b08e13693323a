/** YAML/JSON renderings of the CLI's read views (juju/cmd output formatters). */
import { dump } from 'js-yaml';

export type OutputFormat = 'tabular' | 'yaml' | 'json';

/** Block-style YAML, keys in the engine's order (Go structs print fields in declaration order). */
export function formatYaml(value: unknown): string {
  if (value === undefined || value === null) return '{}\n';
  return dump(value, { lineWidth: -1, noRefs: true, quoteStyle: 'double' }).replace(/\n+$/, '\n');
}

/** One line of JSON terminated by a newline. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value ?? null)}\n`;
}

export function checkFormat(format: string, allowed: readonly OutputFormat[]): OutputFormat {
  if (!(allowed as readonly string[]).includes(format)) {
    throw new UsageError(`invalid value "${format}" for option --format: unknown format "${format}"`);
  }
  return format as OutputFormat;
}

/** A command-line error: juju prints `ERROR <message>` and exits 2 (flag/arg errors) or 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}
