/** juju/cmd output rules (contract §0.3) and Go flag parsing (contract §0.2). */
import { describe, expect, it } from '@jest/globals';
import type { ToolError } from '../engine/errors.ts';
import { parseArgs, unrecognized, type FlagSpec } from './flags.ts';
import { goStruct, NIL_LIST, NIL_MAP, render } from './format.ts';
import { words } from './testkit.ts';

describe('§0.3 smart / yaml / json rendering', () => {
  it('strings: smart raw + \\n (empty prints nothing, a trailing \\n gets another); yaml quotes when needed; json string', () => {
    expect(render('abc', 'smart')).toBe('abc\n');
    expect(render('', 'smart')).toBe('');
    expect(render('pew\npew\n', 'smart')).toBe('pew\npew\n\n');
    expect(render('12345', 'yaml')).toBe('"12345"\n');
    expect(render({ k: '12345', e: '' }, 'yaml')).toBe('e: ""\nk: "12345"\n');
    expect(render({ pew: 'pew\npew\n' }, 'yaml')).toBe('pew: |\n  pew\n  pew\n');
    expect(render('abc', 'json')).toBe('"abc"\n');
  });

  it('bools, lists, nil and numbers', () => {
    expect(render(true, 'smart')).toBe('True\n');
    expect(render(false, 'yaml')).toBe('false\n');
    expect(render(['a', 'b'], 'smart')).toBe('a\nb\n');
    expect(render([], 'smart')).toBe('');
    expect(render([], 'yaml')).toBe('[]\n');
    expect(render([], 'json')).toBe('[]\n');
    expect(render(['a', 'b'], 'yaml')).toBe('- a\n- b\n');
    expect(render(undefined, 'smart')).toBe('');
    expect(render(undefined, 'yaml')).toBe('');
    expect(render(undefined, 'json')).toBe('null\n');
    expect(render(NIL_MAP, 'json')).toBe('null\n');
    expect(render(NIL_LIST, 'json')).toBe('null\n');
    expect(render(0.5, 'smart')).toBe('0.5\n');
    expect(render(5432, 'json')).toBe('5432\n');
  });

  it('json is compact, one line, map keys sorted, struct fields in declared order, HTML chars escaped like Go', () => {
    expect(render({ b: 1, a: { d: 2, c: 3 } }, 'json')).toBe('{"a":{"c":3,"d":2},"b":1}\n');
    expect(render(goStruct({ z: 1, a: 2 }), 'json')).toBe('{"z":1,"a":2}\n');
    expect(render(goStruct({ z: 1, a: 2 }), 'yaml')).toBe('z: 1\na: 2\n');
    expect(render({ html: '<a&b>' }, 'json')).toBe('{"html":"\\u003ca\\u0026b\\u003e"}\n');
  });

  it('maps in smart mode are YAML; sequences inside maps are not indented (Go yaml.v2)', () => {
    expect(render({ list: ['x'], m: { k: 'v' } }, 'smart')).toBe('list:\n- x\nm:\n  k: v\n');
  });
});

describe('§0.2 Go-style flags', () => {
  const specs: FlagSpec[] = [
    { names: ['-r', '--relation'], kind: 'string', help: '' },
    { names: ['--app'], kind: 'bool', help: '' },
  ];
  const fail = (argv: string[]): string => {
    try { parseArgs(specs, argv); } catch (e) { return `${(e as ToolError).exitCode} ${(e as ToolError).message}`; }
    return 'ok';
  };

  it('long/short, = or separate values, interspersed positionals, -- ends flags, - is positional', () => {
    const p = parseArgs(specs, ['key', '-r', '3', '--app', 'unit/0', '--relation=db:4', '--', '--app', '-']);
    expect(p.flags).toEqual({ relation: 'db:4', app: true });
    expect(p.positional).toEqual(['key', 'unit/0', '--app', '-']);
    expect(parseArgs(specs, ['-', '--app=false']).flags['app']).toBe(false);
    expect(parseArgs(specs, ['--app', 'true']).positional).toEqual(['true']);
    expect(parseArgs(specs, ['-h']).help).toBe(true);
  });

  it('errors: unknown flag, missing value, bad bool — all exit 2', () => {
    expect(fail(['--nope'])).toBe('2 flag provided but not defined: --nope');
    expect(fail(['-format', 'json'])).toBe('2 flag provided but not defined: -f');
    expect(fail(['-r'])).toBe('2 flag needs an argument: -r');
    expect(fail(['--app=yes'])).toBe('2 invalid value "yes" for option --app: strconv.ParseBool: parsing "yes": invalid syntax');
    expect(unrecognized(['x', 'y z']).message).toBe('unrecognized args: ["x" "y z"]');
  });

  it('the test shell splitter honours quotes', () => {
    expect(words(`a 'b c' "d \\"e\\"" f\\ g ''`)).toEqual(['a', 'b c', 'd "e"', 'f g', '']);
  });
});
