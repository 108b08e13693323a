/**
 * The unit agent's side of the hook-tool socket (contract §0.1): accepts one framed request per
 * connection (protocol.ts), answers it with `engine.runTool` and closes. Every Juju rule (argv
 * parsing, formats, exit codes, ERROR text) lives in the engine; this file only moves bytes and
 * gives the engine file access relative to the hook's cwd (`key#file=`, `--file PATH`, `-o FILE`).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import type { ToolResult } from '../../juju/types.ts';
import { decodeRequest, encodeResponse, NEED_STDIN, type ToolRequest } from './protocol.ts';

/** Thrown by the `stdin` getter when the client has not sent stdin yet (jujuc's ErrNoStdin). */
class NeedStdin extends Error {}

/** Options handed to runTool: the facade's `stdin`/`cwd` plus file capabilities (an addition to api.ts). */
export interface ServerToolOptions {
  readonly stdin?: string;
  readonly cwd?: string;
  /** Reads a file named by the tool's args, relative paths against the hook's cwd. */
  readonly readFile: (path: string) => string;
  /** Writes a file named by `-o/--output`, relative paths against the hook's cwd. */
  readonly writeFile: (path: string, content: string) => void;
}

/** What the server needs of the engine; a getter so a reloaded engine is picked up. */
export interface ToolBackend {
  runTool(contextId: string, tool: string, args: readonly string[], options?: ServerToolOptions): ToolResult;
}

/** An optional shape an engine may return instead of writing `-o FILE` itself. */
interface ResultWithFiles extends ToolResult {
  readonly files?: ReadonlyArray<{ readonly path: string; readonly content: string }>;
}

/** The engine's answer, or NEED_STDIN when the tool read stdin the client has not sent yet. */
export function answer(backend: ToolBackend, req: ToolRequest): ToolResult {
  const cwd = req.cwd;
  const options: ServerToolOptions = {
    get stdin(): string {
      if (!req.stdinSet) throw new NeedStdin();
      return req.stdin.toString('utf8');
    },
    cwd,
    readFile: (path) => readFileSync(resolve(cwd, path), 'utf8'),
    writeFile: (path, content) => writeFileSync(resolve(cwd, path), content),
  };
  try {
    const result = backend.runTool(req.contextId, req.tool, req.args, options) as ResultWithFiles;
    for (const f of result.files ?? []) options.writeFile(f.path, f.content);
    return result;
  } catch (e) {
    if (e instanceof NeedStdin) return { exitCode: NEED_STDIN, stdout: '', stderr: '' };
    // An engine bug must not hang the hook: report it as jujuc reports an agent failure.
    return { exitCode: 1, stdout: '', stderr: `error: ${(e as Error).message}\n` };
  }
}

export class ToolServer {
  readonly socketPath: string;
  readonly #backend: () => ToolBackend;
  #server: Server | undefined;
  /** Number of tool calls answered (handy for benchmarks and tests). */
  calls = 0;

  constructor(socketPath: string, backend: () => ToolBackend) {
    this.socketPath = socketPath;
    this.#backend = backend;
  }

  async start(): Promise<void> {
    mkdirSync(dirname(this.socketPath), { recursive: true });
    rmSync(this.socketPath, { force: true });
    const server = createServer((sock) => this.#serve(sock));
    this.#server = server;
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(this.socketPath, () => { server.off('error', fail); ok(); });
    });
  }

  #serve(sock: Socket): void {
    let buf: Buffer = Buffer.alloc(0);
    let done = false;
    sock.on('data', (chunk: Buffer) => {
      if (done) return;
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      let req: ToolRequest | undefined;
      try {
        req = decodeRequest(buf);
      } catch (e) {
        done = true;
        sock.end(encodeResponse({ exitCode: 1, stdout: Buffer.alloc(0), stderr: Buffer.from(`error: ${(e as Error).message}\n`) }));
        return;
      }
      if (!req) return;
      done = true;
      const r = answer(this.#backend(), req);
      if (r.exitCode !== NEED_STDIN) this.calls++;
      sock.end(encodeResponse({ exitCode: r.exitCode, stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr) }));
    });
    sock.on('error', () => sock.destroy());
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((ok) => server.close(() => ok()));
    rmSync(this.socketPath, { force: true });
  }
}
