import { describe, expect, it } from '@jest/globals';
import { parseArgs, parseKeyValues, positiveInt } from './args.ts';
import { main, parseDurationSeconds } from './main.ts';
import { UsageError } from './output.ts';

const specs = [
  { long: 'model', short: 'm', kind: 'string' as const },
  { long: 'config', kind: 'strings' as const },
  { long: 'reveal', kind: 'bool' as const },
];

describe('parseArgs (juju gnuflag conventions)', () => {
  it('accepts flags interspersed with positionals, --x=v, -m v, repeated strings and `--`', () => {
    const p = parseArgs(['app', '-m', 'infra', '--config=a=1', 'x', '--config', 'b=2', '--reveal', '--', '-not-a-flag'], specs);
    expect(p).toEqual({ flags: { model: 'infra', config: ['a=1', 'b=2'], reveal: true }, positional: ['app', 'x'], rest: ['-not-a-flag'] });
  });

  it('takes Go ParseBool values and rejects others', () => {
    expect(parseArgs(['--reveal=false'], specs).flags.reveal).toBe(false);
    expect(() => parseArgs(['--reveal=maybe'], specs)).toThrow(UsageError);
  });

  it('rejects unknown flags and missing values with exit-2 usage errors', () => {
    expect(() => parseArgs(['--nope'], specs)).toThrow('option provided but not defined: --nope');
    expect(() => parseArgs(['-m'], specs)).toThrow('option needs an argument: -m');
  });
});

describe('small parsers', () => {
  it('k=v pairs keep everything after the first =', () => {
    expect(parseKeyValues(['a=b=c', 'e='])).toEqual({ a: 'b=c', e: '' });
    expect(() => parseKeyValues(['novalue'])).toThrow('expected "key=value"');
  });
  it('positive integers and durations', () => {
    expect(positiveInt('3', '-n', 1)).toBe(3);
    expect(() => positiveInt('0', '-n', 1)).toThrow('must be a positive integer');
    expect([parseDurationSeconds('30'), parseDurationSeconds('2m'), parseDurationSeconds('500ms')]).toEqual([30, 120, 0.5]);
    expect(() => parseDurationSeconds('soon')).toThrow('invalid duration');
  });
});

describe('main without a simulator', () => {
  function capture() {
    const out = { stdout: '', stderr: '' };
    return { out, io: { stdout: (s: string) => { out.stdout += s; }, stderr: (s: string) => { out.stderr += s; } } };
  }

  it('prints help, documenting that mutating verbs settle unless --no-wait', async () => {
    const { out, io } = capture();
    expect(await main(['--help'], io)).toBe(0);
    expect(out.stdout).toContain('RUNS THEM UNTIL SETTLED');
  });

  it('an unknown verb is ERROR + exit 1 like juju', async () => {
    const { out, io } = capture();
    expect(await main(['frobnicate'], io)).toBe(1);
    expect(out.stderr).toBe('ERROR juju: "frobnicate" is not a juju command. See "jujusim --help".\n');
  });

  it('argument errors exit 2 before touching any state', async () => {
    const { out, io } = capture();
    expect(await main(['deploy'], io, { home: '/nonexistent/never-created' })).toBe(2);
    expect(out.stderr).toMatch(/^ERROR missing arguments for deploy/);
    expect(await main(['status', '--bogus'], io, { home: '/nonexistent/never-created' })).toBe(2);
    expect(out.stderr).toContain('ERROR option provided but not defined: --bogus\n');
  });
});
