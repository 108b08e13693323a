/**
 * The warm worker's wire format (README.md), one line per message, read by the dispatch
 * script's bash client with `read -r` and nothing else (no process started).
 *
 * Request (client → `req`): `<client pid> <nonce> <JUJU_DISPATCH_PATH>`. The hook's environment
 * is not sent: the worker reads it from /proc/<client pid>/environ, exactly as Juju set it.
 *
 * Replies (worker → `rep`), each `<nonce> <kind>[ <text>]`:
 * - `s`: started; from now on the hook is the worker's, and if the worker dies the hook fails;
 * - `r`: refused (another unit, another charm revision, a worker shutting down): run directly;
 * - `b`: busy with another hook: run directly;
 * - `o <line>` / `e <line>`: one line of the hook's stdout / stderr;
 * - `x <code>`: the hook's exit code, the last line.
 * Lines of earlier, dead clients may still sit in `rep`: a client skips every other nonce.
 */
export interface WorkerRequest {
  readonly pid: number;
  readonly nonce: string;
  readonly dispatchPath: string;
}

const REQUEST = /^([1-9][0-9]{0,9}) ([0-9A-Za-z.]{1,64}) ((?:hooks|actions)\/[^\s/]{1,200})$/;

/** A request line, or undefined when it is not one (ignored: only root can write `req`). */
export function parseRequest(line: string): WorkerRequest | undefined {
  const m = REQUEST.exec(line);
  return m ? { pid: Number(m[1]), nonce: m[2]!, dispatchPath: m[3]! } : undefined;
}

export type ReplyKind = 's' | 'r' | 'b' | 'x';

export function reply(nonce: string, kind: ReplyKind, text?: string): string {
  return text === undefined ? `${nonce} ${kind}\n` : `${nonce} ${kind} ${text}\n`;
}

/** Output text as reply lines, one per line of text; a last line without newline still gets one. */
export function outputLines(nonce: string, stream: 'o' | 'e', text: string): string {
  if (text === '') return '';
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return lines.map((l) => `${nonce} ${stream} ${l.replace(/\0/g, '')}\n`).join('');
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), after the `(comm)` field. */
export function startTimeOf(stat: string): string | undefined {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).trim().split(' ');
  return rest[19];
}

/** Calls `onLine` with each complete line the stream delivers (the `req` FIFO), without its newline. */
export function onLines(stream: { setEncoding(e: 'utf8'): unknown; on(event: 'data', fn: (chunk: string) => void): unknown }, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let i: number;
    while ((i = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, i);
      pending = pending.slice(i + 1);
      onLine(line);
    }
  });
}
