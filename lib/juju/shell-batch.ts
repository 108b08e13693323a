/**
 * Runs several hook-tool reads through ONE /bin/sh, in the background (prefetch.ts).
 *
 * Why a shell: forking this Node process costs ~2 ms of its main thread per child here (the
 * parent's address space is copied), and a hook's reads happen while that thread is busy
 * loading the charm. One small shell forks the tools instead, on another core.
 *
 * Output framing is by length, so nothing a tool prints can fake a frame: for command i the
 * shell prints `i <exit code> <byte length>\n` and then exactly that many bytes. The output
 * goes through a shell variable and a pipe, never a file (it may hold secret contents) or
 * argv; argv holds only the commands (tool names, ids, labels). stdin is /dev/null, stderr is
 * dropped: a failed read is not used, and the charm runs it again to see the real error.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { ToolResult } from './types.ts';

export type BatchCommand = readonly [tool: string, ...args: string[]];

/** POSIX single quoting: the word is taken literally by any sh. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The script: `$(...; echo .)` keeps trailing newlines that command substitution would strip;
 * LC_ALL=C makes `${#o}` count bytes in every sh (bash counts characters otherwise).
 */
export function batchScript(commands: readonly BatchCommand[]): string {
  const lines = ['LC_ALL=C'];
  commands.forEach((command, i) => {
    const cmd = command.map(shellQuote).join(' ');
    lines.push(`o=$(${cmd} </dev/null 2>/dev/null; r=$?; echo .; exit $r); r=$?; o=\${o%.}; printf '%s %s %s\\n' ${i} "$r" "\${#o}"; printf '%s' "$o"`);
  });
  return lines.join('\n');
}

/** Parses the framed output; commands with no complete frame get exit code 1. */
export function parseBatchOutput(out: Buffer, count: number): ToolResult[] {
  const results: ToolResult[] = Array.from({ length: count }, () => ({ stdout: '', stderr: '', exitCode: 1 }));
  let at = 0;
  while (at < out.length) {
    const nl = out.indexOf(0x0a, at);
    if (nl < 0) break;
    const m = /^(\d+) (\d+) (\d+)$/.exec(out.subarray(at, nl).toString('latin1'));
    if (!m) break;
    const [i, code, length] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const end = nl + 1 + length;
    if (end > out.length || i >= count) break;
    results[i] = { stdout: out.subarray(nl + 1, end).toString('utf8'), stderr: '', exitCode: code };
    at = end;
  }
  return results;
}

type Spawn = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

/** Runs the batch; resolves with one result per command, in order (never rejects). */
export function runShellBatch(commands: readonly BatchCommand[], options: { env?: NodeJS.ProcessEnv; cwd?: string; spawn?: Spawn } = {}): Promise<ToolResult[]> {
  const failed = (): ToolResult[] => commands.map(() => ({ stdout: '', stderr: '', exitCode: 1 }));
  if (commands.length === 0) return Promise.resolve([]);
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      const spawn = options.spawn ?? (process.getBuiltinModule('node:child_process').spawn as Spawn);
      child = spawn('/bin/sh', ['-c', batchScript(commands)], {
        stdio: ['ignore', 'pipe', 'ignore'],
        ...(options.env ? { env: options.env } : {}),
        ...(options.cwd ? { cwd: options.cwd } : {}),
      });
    } catch {
      resolve(failed());
      return;
    }
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', () => resolve(failed()));
    child.on('close', () => resolve(parseBatchOutput(Buffer.concat(chunks), commands.length)));
  });
}
