/** juju-log (contract §2.10). Redaction is the Logger's job (../log.ts); this is the raw tool. */
import type { LogLevel, ToolRunner } from '../types.ts';
import { call, freeText } from './run.ts';

/**
 * `juju-log --log-level <LEVEL> <message>`; a message starting with '-' goes after `--`
 * (contract §2.10). An empty message is an exit-2 error in Juju (`no message specified`), so it
 * is not sent at all. Immediate: not rolled back on hook failure (§0.4).
 */
export function jujuLog(runner: ToolRunner, message: string, level: LogLevel = 'INFO'): void {
  if (message === '') return;
  call(runner, 'juju-log', ['--log-level', level, ...freeText(message)]);
}
