import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUNNERS } from './testing/runners.ts';

describe.each(RUNNERS)('%s', (_name, makeRunner) => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'runner-test-'));
    const tool = (name: string, body: string) => {
      writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(dir, name), 0o755);
    };
    tool('echo-args', 'printf "%s|" "$@"; printf "no newline stripped\\n\\n"');
    tool('echo-stdin', 'cat');
    tool('fail-two', 'printf "ERROR flag provided but not defined: --x\\n" >&2; exit 2');
    tool('kill-self', 'kill -TERM $$');
    tool('no-exec', 'exit 0');
    chmodSync(join(dir, 'no-exec'), 0o644);
    env = { PATH: `${dir}:/usr/bin:/bin` };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes argv verbatim (no shell) and keeps stdout exactly', async () => {
    const r = (await makeRunner(env)).run('echo-args', ['a b', '$HOME', "it's", '']);
    expect(r).toEqual({ stdout: "a b|$HOME|it's||no newline stripped\n\n", stderr: '', exitCode: 0 });
  });

  it('sends input on stdin; no input means an empty stdin, never the parent\'s', async () => {
    const runner = await makeRunner(env);
    expect(runner.run('echo-stdin', [], { input: '{"a":"b"}' }).stdout).toBe('{"a":"b"}');
    expect(runner.run('echo-stdin', []).stdout).toBe('');
  });

  it('reports exit codes and stderr', async () => {
    expect((await makeRunner(env)).run('fail-two', [])).toEqual({ stdout: '', stderr: 'ERROR flag provided but not defined: --x\n', exitCode: 2 });
  });

  it('a tool not on PATH is exit 127 (ENOENT)', async () => {
    expect((await makeRunner(env)).run('secret-add', ['x'])).toEqual({ stdout: '', stderr: 'ERROR secret-add: command not found\n', exitCode: 127 });
  });

  it('a tool killed by a signal is 128+n', async () => {
    expect((await makeRunner(env)).run('kill-self', []).exitCode).toBe(128 + 15);
  });

  it('a tool that cannot be executed is a runtime failure, not a crash', async () => {
    const r = (await makeRunner(env)).run('no-exec', []);
    expect(r.exitCode).not.toBe(0);
  });
});
