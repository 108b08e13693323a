/**
 * Logger: writes through `juju-log` (contract §2.10) and redacts first (see redact.ts). A log
 * call never throws: logging must not turn a working hook into a failed one, so a failing
 * juju-log falls back to stderr (which Juju logs at WARNING, contract §1.1).
 */
import { Redactor } from './redact.ts';
import type { HookTools, LogLevel } from './types.ts';

const ORDER: Readonly<Record<LogLevel, number>> = { TRACE: 0, DEBUG: 1, INFO: 2, WARNING: 3, ERROR: 4, CRITICAL: 5 };

export interface LoggerOptions {
  /** Messages below this level are dropped without a tool call (default DEBUG). */
  readonly level?: LogLevel;
  /** Shared with Tools and dispatch; default a fresh one. */
  readonly redactor?: Redactor;
  /** Where to write when juju-log itself fails (default process.stderr). */
  readonly fallback?: (line: string) => void;
}

export class Logger {
  readonly #tools: Pick<HookTools, 'jujuLog'>;
  readonly #level: number;
  readonly redactor: Redactor;
  readonly #fallback: (line: string) => void;

  constructor(tools: Pick<HookTools, 'jujuLog'>, options: LoggerOptions = {}) {
    this.#tools = tools;
    this.#level = ORDER[options.level ?? 'DEBUG'];
    this.redactor = options.redactor ?? new Redactor();
    this.#fallback = options.fallback ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** Never log `value` (tokens, passwords, keys read from anywhere but Tools). */
  registerSecret(value: string): void {
    this.redactor.register(value);
  }

  redact(text: string): string {
    return this.redactor.redact(text);
  }

  log(level: LogLevel, message: string): void {
    if (ORDER[level] < this.#level) return;
    const safe = this.redactor.redact(message);
    try {
      this.#tools.jujuLog(safe, level);
    } catch {
      this.#fallback(`${level} ${safe}`);
    }
  }

  trace(message: string): void { this.log('TRACE', message); }
  debug(message: string): void { this.log('DEBUG', message); }
  info(message: string): void { this.log('INFO', message); }
  warning(message: string): void { this.log('WARNING', message); }
  error(message: string): void { this.log('ERROR', message); }
  critical(message: string): void { this.log('CRITICAL', message); }
}
