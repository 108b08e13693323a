/**
 * Runs several hook tools through ONE /bin/sh, in the background: the reads of the prefetch
 * (prefetch.ts) and the writes deferred to the end of the hook (write-queue.ts).
 *
 * Why a shell: forking this Node process costs ~2 ms of its main thread per child here (the
 * parent's address space is copied), and a hook's reads happen while that thread is busy
 * loading the charm. One small shell forks the tools instead, on another core.
 *
 * Output framing is by length, so nothing a tool prints can fake a frame: for command i the
 * shell prints `i <exit code> <byte length>\n` and then exactly that many bytes. The output
 * goes through a shell variable and a pipe, never a file (it may hold secret contents) or
 * argv; argv holds only the commands (tool names, ids, labels).
 * - A read (no input) answers its stdout; stdin is /dev/null, stderr is dropped: a failed read
 *   is not used, and the charm runs it again to see the real error.
 * - A write (`input`, sent on its stdin through its own pipe, fd 3-9: never a file or argv;
 *   or `capture: 'stderr'`) answers its stderr, for the error of a failed write; its stdout
 *   (empty for relation-set, state-set, status-set, juju-log) is dropped.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { ToolResult } from './types.ts';

export type BatchCommand = readonly [tool: string, ...args: string[]];

export interface BatchItem {
  readonly command: BatchCommand;
  /** Sent on the tool's stdin (`--file -`). */
  readonly input?: string;
  /** What the result's text is: stdout (reads, default) or stderr (writes). */
  readonly capture?: 'stdout' | 'stderr';
}

/** Inputs ride on fds 3..9 (POSIX sh redirects single-digit fds only). */
const MAX_INPUTS = 7;

/** POSIX single quoting: the word is taken literally by any sh. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The script: `$(...; echo .)` keeps trailing newlines that command substitution would strip;
 * LC_ALL=C makes `${#o}` count bytes in every sh (bash counts characters otherwise).
 */
export function batchScript(items: readonly BatchItem[]): string {
  const lines = ['LC_ALL=C'];
  let fd = 3;
  items.forEach((item, i) => {
    const cmd = item.command.map(shellQuote).join(' ');
    const stdin = item.input === undefined ? '</dev/null' : `<&${fd++}`;
    const streams = item.capture === 'stderr' || item.input !== undefined ? '2>&1 >/dev/null' : '2>/dev/null';
    lines.push(`o=$(${cmd} ${stdin} ${streams}; r=$?; echo .; exit $r); r=$?; o=\${o%.}; printf '%s %s %s\\n' ${i} "$r" "\${#o}"; printf '%s' "$o"`);
  });
  return lines.join('\n');
}

/**
 * Reads only (no input), at most 7: every tool runs at once, its stdout on its own pipe (fd
 * 3+i, read by Node; no framing needed), and the shell prints `i <exit code>` lines when all
 * are done. A read's latency is mostly waiting (process start, the agent's answer), so
 * running them together, on the cores the hook's main thread leaves free, hides most of it.
 */
export function parallelReadsScript(items: readonly BatchItem[]): string {
  const lines: string[] = [];
  items.forEach((item, i) => {
    lines.push(`${item.command.map(shellQuote).join(' ')} </dev/null 2>/dev/null >&${3 + i} & p${i}=$!; exec ${3 + i}>&-`);
  });
  items.forEach((_, i) => lines.push(`wait $p${i}; echo "${i} $?"`));
  return lines.join('\n');
}

/** Parses the framed output; commands with no complete frame get exit code 1. */
export function parseBatchOutput(out: Buffer, count: number, captures: ReadonlyArray<'stdout' | 'stderr'> = []): ToolResult[] {
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
    const text = out.subarray(nl + 1, end).toString('utf8');
    results[i] = captures[i] === 'stderr' ? { stdout: '', stderr: text, exitCode: code } : { stdout: text, stderr: '', exitCode: code };
    at = end;
  }
  return results;
}

type Spawn = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

/** Runs the batch; resolves with one result per item, in order (never rejects). */
export async function runShellBatch(items: readonly BatchItem[], options: ShellOptions = {}): Promise<ToolResult[]> {
  // More inputs than fds: one shell per group, one after the other (order kept).
  const results: ToolResult[] = [];
  let group: BatchItem[] = [];
  let inputs = 0;
  for (const item of items) {
    if (item.input !== undefined && inputs === MAX_INPUTS) {
      results.push(...(await runOneShell(group, options)));
      group = [];
      inputs = 0;
    }
    group.push(item);
    if (item.input !== undefined) inputs++;
  }
  results.push(...(await runOneShell(group, options)));
  return results;
}

type ShellOptions = { env?: NodeJS.ProcessEnv; cwd?: string; spawn?: Spawn };

const notRun = (items: readonly BatchItem[]): ToolResult[] => items.map(() => ({ stdout: '', stderr: 'ERROR the hook-tool batch did not run\n', exitCode: 1 }));

/**
 * Starts `/bin/sh -c script` with `pipes` extra pipes (fds 3..), collects its stdout, and
 * resolves with what `finish` makes of it (every item "not run" if the shell cannot start).
 */
function shell(items: readonly BatchItem[], script: string, pipes: number, options: ShellOptions, use: (child: ChildProcess) => void, finish: (stdout: Buffer) => ToolResult[]): Promise<ToolResult[]> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      const spawn = options.spawn ?? (process.getBuiltinModule('node:child_process').spawn as Spawn);
      child = spawn('/bin/sh', ['-c', script], {
        stdio: ['ignore', 'pipe', 'ignore', ...Array.from({ length: pipes }, () => 'pipe' as const)],
        ...(options.env ? { env: options.env } : {}),
        ...(options.cwd ? { cwd: options.cwd } : {}),
      });
    } catch {
      resolve(notRun(items));
      return;
    }
    use(child);
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', () => resolve(notRun(items)));
    child.on('close', () => resolve(finish(Buffer.concat(chunks))));
  });
}

function parallelReads(items: readonly BatchItem[], options: ShellOptions): Promise<ToolResult[]> {
  const outputs = items.map(() => [] as Buffer[]);
  const readOutputs = (child: ChildProcess): void => items.forEach((_, i) => {
    const pipe = child.stdio[3 + i] as (NodeJS.ReadableStream & { on(e: 'data', f: (c: Buffer) => void): void }) | null | undefined;
    pipe?.on('data', (c: Buffer) => outputs[i]?.push(c));
  });
  return shell(items, parallelReadsScript(items), items.length, options, readOutputs, (codes) => {
    const results = notRun(items);
    for (const line of codes.toString('latin1').split('\n')) {
      const m = /^(\d+) (\d+)$/.exec(line);
      const i = m ? Number(m[1]) : -1;
      if (m && i < items.length) results[i] = { stdout: Buffer.concat(outputs[i] ?? []).toString('utf8'), stderr: '', exitCode: Number(m[2]) };
    }
    return results;
  });
}

function runOneShell(items: readonly BatchItem[], options: ShellOptions): Promise<ToolResult[]> {
  if (items.length === 0) return Promise.resolve([]);
  if (items.length <= MAX_INPUTS && items.every((i) => i.input === undefined && i.capture !== 'stderr')) return parallelReads(items, options);
  const inputs = items.flatMap((item) => (item.input === undefined ? [] : [item.input]));
  const sendInputs = (child: ChildProcess): void => inputs.forEach((input, j) => {
    const pipe = child.stdio[3 + j] as NodeJS.WritableStream & { on(e: 'error', f: () => void): void } | null | undefined;
    if (!pipe) return;
    pipe.on('error', () => {}); // a tool that exits without reading its stdin: EPIPE is its failure, reported by its exit code
    pipe.end(input);
  });
  return shell(items, batchScript(items), inputs.length, options, sendInputs,
    (out) => parseBatchOutput(out, items.length, items.map((i) => (i.capture === 'stderr' || i.input !== undefined ? 'stderr' : 'stdout'))));
}
