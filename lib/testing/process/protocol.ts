/**
 * Wire format between a hook-tool client (jujuc.c or jujuc-client.mjs) and the simulator's
 * unit-socket server. Real jujuc speaks net/rpc over the agent socket (contract §0.1); the
 * simulator only needs the same information, so it uses the simplest length-prefixed framing:
 *
 *   request  = "JSC1" u32 fieldCount  { u32 len, bytes }*fieldCount
 *              fields: contextId, cwd, tool (argv[0] basename), stdinSet ("0"|"1"), stdin, arg1 ... argN
 *   response = u32 exitCode  u32 len stdout  u32 len stderr
 *
 * Stdin is sent lazily, as real jujuc does (cmd/jujud/main.go: the agent answers ErrNoStdin, the
 * client then reads stdin and repeats the call with StdinSet): the first request has stdinSet "0";
 * if the tool reads stdin the server answers exitCode NEED_STDIN and the client retries with it.
 * So `printf x | (relation-ids; cat)` leaves `x` for `cat`, as on a real unit.
 *
 * All integers are unsigned 32-bit big-endian. Strings are UTF-8 (stdin/stdout may be any bytes).
 */
export const MAGIC = 'JSC1';
/** Response code asking the client to resend the request with its stdin. */
export const NEED_STDIN = 0xffffffff;

export interface ToolRequest {
  readonly contextId: string;
  readonly cwd: string;
  readonly tool: string;
  /** False on the first attempt: stdin not read yet. */
  readonly stdinSet: boolean;
  readonly stdin: Buffer;
  readonly args: readonly string[];
}

export interface ToolResponse {
  readonly exitCode: number;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export function encodeRequest(req: ToolRequest): Buffer {
  const fields = [Buffer.from(req.contextId), Buffer.from(req.cwd), Buffer.from(req.tool), Buffer.from(req.stdinSet ? '1' : '0'), req.stdin, ...req.args.map((a) => Buffer.from(a))];
  const parts: Buffer[] = [Buffer.from(MAGIC), u32(fields.length)];
  for (const f of fields) parts.push(u32(f.length), f);
  return Buffer.concat(parts);
}

/** Parses a complete request, `undefined` when more bytes are needed; throws on garbage. */
export function decodeRequest(buf: Buffer): ToolRequest | undefined {
  if (buf.length < 8) return undefined;
  if (buf.toString('latin1', 0, 4) !== MAGIC) throw new Error('bad request: wrong magic');
  const count = buf.readUInt32BE(4);
  if (count < 5 || count > 100_000) throw new Error(`bad request: ${count} fields`);
  const fields: Buffer[] = [];
  let off = 8;
  for (let i = 0; i < count; i++) {
    if (buf.length < off + 4) return undefined;
    const len = buf.readUInt32BE(off);
    off += 4;
    if (buf.length < off + len) return undefined;
    fields.push(buf.subarray(off, off + len));
    off += len;
  }
  const [ctx, cwd, tool, stdinSet, stdin, ...args] = fields as [Buffer, Buffer, Buffer, Buffer, Buffer, ...Buffer[]];
  return { contextId: ctx.toString(), cwd: cwd.toString(), tool: tool.toString(), stdinSet: stdinSet.toString() === '1', stdin: Buffer.from(stdin), args: args.map((a) => a.toString()) };
}

export function encodeResponse(res: ToolResponse): Buffer {
  return Buffer.concat([u32(res.exitCode), u32(res.stdout.length), res.stdout, u32(res.stderr.length), res.stderr]);
}

/** Parses a complete response, `undefined` when more bytes are needed. */
export function decodeResponse(buf: Buffer): ToolResponse | undefined {
  if (buf.length < 8) return undefined;
  const exitCode = buf.readUInt32BE(0);
  const outLen = buf.readUInt32BE(4);
  if (buf.length < 8 + outLen + 4) return undefined;
  const errLen = buf.readUInt32BE(8 + outLen);
  if (buf.length < 12 + outLen + errLen) return undefined;
  return { exitCode, stdout: buf.subarray(8, 8 + outLen), stderr: buf.subarray(12 + outLen, 12 + outLen + errLen) };
}
