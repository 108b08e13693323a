import { describe, expect, it } from '@jest/globals';
import { HookToolError } from './errors.ts';
import { Logger } from './log.ts';
import type { LogLevel } from './types.ts';

function recorder() {
  const lines: Array<[LogLevel, string]> = [];
  return { lines, tools: { jujuLog: (m: string, l: LogLevel = 'INFO') => void lines.push([l, m]) } };
}

describe('Logger', () => {
  it('writes through juju-log with the level', () => {
    const { lines, tools } = recorder();
    const log = new Logger(tools);
    log.info('hello');
    log.warning('careful');
    log.error('bad');
    log.critical('worse');
    expect(lines).toEqual([['INFO', 'hello'], ['WARNING', 'careful'], ['ERROR', 'bad'], ['CRITICAL', 'worse']]);
  });

  it('drops messages below its level without a tool call', () => {
    const { lines, tools } = recorder();
    const log = new Logger(tools, { level: 'INFO' });
    log.debug('noise');
    log.trace('more noise');
    expect(lines).toEqual([]);
  });

  it('redacts registered secrets and patterns before juju-log', () => {
    const { lines, tools } = recorder();
    const log = new Logger(tools);
    log.registerSecret('s3cr3t-t0ken');
    log.info('using s3cr3t-t0ken via nats://s3cr3t-t0ken@h:4222, password=pw123');
    expect(lines).toEqual([['INFO', 'using <redacted> via nats://<redacted>@h:4222, password=<redacted>']]);
  });

  it('never throws: a failing juju-log falls back (redacted) to the fallback writer', () => {
    const fallback: string[] = [];
    const log = new Logger({ jujuLog: () => { throw new HookToolError('juju-log', [], 1, '', 'ERROR boom'); } }, { fallback: (l) => void fallback.push(l) });
    log.registerSecret('abcdef');
    expect(() => log.error('x abcdef')).not.toThrow();
    expect(fallback).toEqual(['ERROR x <redacted>']);
  });
});
