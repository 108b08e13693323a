/**
 * Exit codes and `ERROR` texts → typed errors (contract §0.2: exit 2 flag/argument errors,
 * exit 1 runtime errors), through real processes for both runners.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  HookToolError, InvalidArgsError, NotFoundError, NotLeaderError, PermissionDeniedError, RelationNotFoundError,
  SecretNotFoundError, ToolMissingError,
} from '../errors.ts';
import { FakeTools } from '../testing/fake-tools.ts';
import { RUNNERS } from '../testing/runners.ts';
import type { ToolRunner } from '../types.ts';
import { relationGet, relationSet } from './relation.ts';
import { call, scrub } from './run.ts';
import { secretAdd, secretGet } from './secret.ts';

describe.each(RUNNERS)('error mapping via %s', (_name, makeRunner) => {
  let fake: FakeTools;
  let runner: ToolRunner;
  beforeEach(async () => {
    fake = FakeTools.create({ without: ['secret-add'] });
    runner = await makeRunner(fake.env());
  });
  afterEach(() => fake.cleanup());

  const cases: Array<[string, string, number, string, new (...a: never[]) => HookToolError]> = [
    ['relation-get', '§2.3 non-leader reads own app bag', 1, 'ERROR permission denied', PermissionDeniedError],
    ['relation-get', '§2 unknown relation on -r (exit 2)', 2, 'ERROR invalid value "db:9" for option -r: relation not found', RelationNotFoundError],
    ['relation-get', '§2 bad relation id (exit 2)', 2, 'ERROR invalid value "db:x" for option -r: invalid relation id', InvalidArgsError],
    ['relation-get', '§0.2 unknown flag (exit 2)', 2, 'ERROR flag provided but not defined: --bogus', InvalidArgsError],
    ['relation-set', '§2.4 --app by a non-leader', 1, 'ERROR cannot write relation settings', NotLeaderError],
    ['status-set', '§2.9 --application by a non-leader', 1, 'ERROR this unit is not the leader', NotLeaderError],
    ['status-get', '§2.9 application status by a non-leader', 1, 'ERROR finding application status: this unit is not the leader', NotLeaderError],
    ['leader-set', '§2.8 non-leader', 1, 'ERROR cannot write leadership settings: cannot write settings: not the leader', NotLeaderError],
    ['secret-get', '§3.5 removed secret', 1, 'ERROR secret "9m4e2mr0ui3e8a215n4g" not found', SecretNotFoundError],
    ['secret-get', '§3.5 unknown consumer label', 1, 'ERROR consumer label "ca" not found', SecretNotFoundError],
    ['state-get', '§2.13 --strict missing key', 1, 'ERROR "k" not found', NotFoundError],
    ['status-set', '§2.9 missing status (exit 2)', 2, 'ERROR invalid args, require <status> [message]', InvalidArgsError],
    ['action-get', '§2.11 outside an action', 1, 'ERROR not running an action', HookToolError],
    ['is-leader', '§0.1 outside a hook', 1, 'error: JUJU_CONTEXT_ID not set', HookToolError],
    ['secret-get', '2.9 shell: tool not found (exit 127)', 127, 'sh: 1: secret-get: not found', ToolMissingError],
  ];

  it.each(cases)('%s: %s → %p', (tool, _why, exitCode, stderr, expected) => {
    fake.on(tool, ['x'], { exitCode, stderr: `${stderr}\n` });
    let error: unknown;
    try {
      call(runner, tool, ['x']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(expected);
    const e = error as HookToolError;
    expect(e.constructor).toBe(expected);
    expect(e.exitCode).toBe(exitCode);
    expect(e.tool).toBe(tool);
    expect(e.args).toEqual(['x']);
    expect(e.shortMessage).toBe(stderr.replace(/^ERROR |^error: /, ''));
  });

  it('a secret tool missing from PATH (Juju 2.9, contract §3.1) → ToolMissingError, exit 127', () => {
    let error: unknown;
    try {
      secretAdd(runner, { token: 'value-never-sent' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ToolMissingError);
    expect((error as ToolMissingError).exitCode).toBe(127);
    expect(String(error)).toContain('secret-add');
  });

  it('a tool that is present but not answering this argv fails loudly (fake exit 99)', () => {
    expect(() => secretGet(runner, { id: 'secret:zzz' })).toThrow('unexpected argv');
  });

  it('stdin never reaches an error, even when Juju echoes it (relation-set YAML error, contract §2.4)', () => {
    fake.on('relation-set', ['-r', 'db:1', '--file', '-'], {
      exitCode: 1,
      stderr: 'ERROR yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `hunter2-password` into map[string]string\n',
    });
    let error: unknown;
    try {
      relationSet(runner, 'db:1', { password: 'hunter2-password' });
    } catch (e) {
      error = e;
    }
    const e = error as HookToolError;
    expect(e).toBeInstanceOf(HookToolError);
    for (const text of [e.message, e.stderr, e.stdout, e.shortMessage, JSON.stringify(e.args)]) expect(text).not.toContain('hunter2-password');
  });

  it('a successful read with non-JSON output is an error that does not echo the output', () => {
    fake.on('relation-get', ['-r', 'db:1', '--format=json', '-', 'a/0'], { stdout: 'not json token-xyz\n' });
    expect(() => relationGet(runner, 'db:1', 'a/0')).toThrow(/not JSON \(\d+ bytes\)/);
  });
});

describe('scrub', () => {
  it('masks whole values and their lines, longest first', () => {
    expect(scrub('a line1 b line2 c', ['line1\nline2'])).toBe('a <redacted> b <redacted> c');
    expect(scrub('ab', ['ab'])).toBe('ab'); // too short to mask meaningfully
  });
});
