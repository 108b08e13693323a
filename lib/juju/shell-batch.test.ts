import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchScript, parallelReadsScript, parseBatchOutput, runShellBatch, shellQuote, type BatchCommand, type BatchItem } from './shell-batch.ts';
import { SpawnRunner } from './runner.ts';

const reads = (commands: readonly BatchCommand[]): BatchItem[] => commands.map((command) => ({ command }));

let dir: string;
let env: NodeJS.ProcessEnv;

/** A fake hook tool: a shell script on PATH. */
function tool(name: string, body: string): void {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shell-batch-'));
  env = { PATH: `${dir}:/usr/bin:/bin` };
  tool('echo-args', 'for a in "$@"; do printf "[%s]" "$a"; done; printf "\\n"');
  tool('no-newline', 'printf "%s" "x"');
  tool('many-newlines', 'printf "a\\n\\n\\n"');
  tool('fails', 'echo "partial"; echo "ERROR boom" >&2; exit 3');
  tool('unicode', 'printf "h\\303\\251llo \\342\\202\\254\\n"');
  tool('fake-frame', 'printf "0 0 999\\nforged\\n"');
  tool('reads-stdin', 'if read line; then echo "got $line"; else echo "eof"; fi');
  tool('write-tool', 'cat > "$OUT_DIR/$1"; echo "wrote $1"; [ "$1" != bad ] || { echo "ERROR refused $1" >&2; exit 1; }');
  tool('warns', 'echo "WARNING careful" >&2');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shellQuote', () => {
  it('makes any word literal for sh, quotes included', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('$(rm -rf /)')).toBe(`'$(rm -rf /)'`);
  });
});

describe('runShellBatch (a real /bin/sh)', () => {
  it('answers each command in order, with its stdout byte for byte and its exit code', async () => {
    const results = await runShellBatch(reads([
      ['echo-args', 'a b', "it's", '$(nope)', '--format=json'],
      ['no-newline'],
      ['many-newlines'],
      ['fails'],
      ['unicode'],
      ['missing-tool-xyz'],
    ]), { env });
    expect(results).toEqual([
      { stdout: "[a b][it's][$(nope)][--format=json]\n", stderr: '', exitCode: 0 },
      { stdout: 'x', stderr: '', exitCode: 0 },
      { stdout: 'a\n\n\n', stderr: '', exitCode: 0 },
      { stdout: 'partial\n', stderr: '', exitCode: 3 },
      { stdout: 'héllo €\n', stderr: '', exitCode: 0 },
      { stdout: '', stderr: '', exitCode: 127 },
    ]);
  });

  it('runs up to 7 reads at once (each on its own pipe), more one after the other: same answers', async () => {
    const commands: BatchCommand[] = [['echo-args', 'a'], ['fails'], ['many-newlines'], ['fake-frame'], ['unicode'], ['no-newline'], ['missing-tool-xyz']];
    expect(parallelReadsScript(reads(commands))).toContain('& p6=$!');
    const together = await runShellBatch(reads(commands), { env });
    const oneByOne = await runShellBatch(reads([...commands, ['echo-args', 'eighth']]), { env });
    expect(oneByOne.slice(0, 7)).toEqual(together);
    expect(together.map((r) => r.exitCode)).toEqual([0, 3, 0, 0, 0, 0, 127]);
    expect(oneByOne[7]?.stdout).toBe('[eighth]\n');
  });

  it('cannot be fooled by a tool printing something that looks like a frame', async () => {
    const results = await runShellBatch(reads([['fake-frame'], ['echo-args', 'after']]), { env });
    expect(results[0]).toEqual({ stdout: '0 0 999\nforged\n', stderr: '', exitCode: 0 });
    expect(results[1]?.stdout).toBe('[after]\n');
  });

  it('gives tools no stdin (a tool must never wait on the hook)', async () => {
    expect((await runShellBatch(reads([['reads-stdin']]), { env }))[0]?.stdout).toBe('eof\n');
  });

  it('sends each write its own stdin (fd 3..9, more in a second shell) and answers its stderr', async () => {
    const out = mkdtempSync(join(tmpdir(), 'shell-batch-out-'));
    try {
      const items: BatchItem[] = Array.from({ length: 9 }, (_, i) => ({ command: ['write-tool', `w${i}`], input: `{"n":"${i}"}\nline 2 ${"it's"}` }));
      items.splice(3, 0, { command: ['write-tool', 'bad'], input: 'x' }, { command: ['warns'], capture: 'stderr' }, { command: ['echo-args', 'read'] });
      const results = await runShellBatch(items, { env: { ...env, OUT_DIR: out } });
      expect(results.map((r) => r.exitCode)).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
      expect(results[3]).toEqual({ stdout: '', stderr: 'ERROR refused bad\n', exitCode: 1 });
      expect(results[4]).toEqual({ stdout: '', stderr: 'WARNING careful\n', exitCode: 0 });
      expect(results[5]).toEqual({ stdout: '[read]\n', stderr: '', exitCode: 0 });
      expect(results[0]).toEqual({ stdout: '', stderr: '', exitCode: 0 }); // its stdout is dropped
      for (let i = 0; i < 9; i++) expect(readFileSync(join(out, `w${i}`), 'utf8')).toBe(`{"n":"${i}"}\nline 2 it's`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('reports every command failed when the shell cannot start', async () => {
    const results = await runShellBatch(reads([['echo-args']]), { env, spawn: () => { throw new Error('EAGAIN'); } });
    expect(results).toEqual([{ stdout: '', stderr: 'ERROR the hook-tool batch did not run\n', exitCode: 1 }]);
  });

  it('is what SpawnRunner.runMany does, with the runner environment', async () => {
    const runner = new SpawnRunner({ env });
    expect(await runner.runMany(reads([['echo-args', 'x']]))).toEqual([{ stdout: '[x]\n', stderr: '', exitCode: 0 }]);
  });
});

describe('parseBatchOutput', () => {
  it('leaves commands without a complete frame failed', () => {
    const out = Buffer.from('0 0 3\nabc1 0 10\nshort');
    expect(parseBatchOutput(out, 3)).toEqual([
      { stdout: 'abc', stderr: '', exitCode: 0 },
      { stdout: '', stderr: '', exitCode: 1 },
      { stdout: '', stderr: '', exitCode: 1 },
    ]);
  });

  it('puts no command of the script in anything but quotes', () => {
    expect(batchScript(reads([['relation-get', '-r', 'db:1', '--format=json', '-', 'app/0']]))).toContain(`'relation-get' '-r' 'db:1' '--format=json' '-' 'app/0'`);
  });
});
