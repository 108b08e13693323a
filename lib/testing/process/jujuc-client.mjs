// Node fallback of jujuc.c (same protocol, see protocol.ts) for machines without a C compiler.
// Invoked by a sh wrapper as: node jujuc-client.mjs <argv0> [args...]; argv0's basename is the tool.
// Stdin is read and sent only when the agent asks for it (NEED_STDIN), as jujuc does.
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const NEED_STDIN = 0xffffffff;
const [argv0 = '', ...args] = process.argv.slice(2);
const ctx = process.env.JUJU_CONTEXT_ID;
if (!ctx) {
  process.stderr.write('error: JUJU_CONTEXT_ID not set\n');
  process.exit(1);
}
const addr = process.env.JUJU_AGENT_SOCKET_ADDRESS;
if (!addr) {
  process.stderr.write('error: JUJU_AGENT_SOCKET_ADDRESS not set\n');
  process.exit(1);
}
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };

function request(stdin) {
  const fields = [Buffer.from(ctx), Buffer.from(process.cwd()), Buffer.from(basename(argv0)), Buffer.from(stdin ? '1' : '0'), stdin ?? Buffer.alloc(0), ...args.map((a) => Buffer.from(a))];
  const parts = [Buffer.from('JSC1'), u32(fields.length)];
  for (const f of fields) parts.push(u32(f.length), f);
  return Buffer.concat(parts);
}

function call(stdin) {
  const chunks = [];
  const sock = connect(addr);
  sock.on('error', (e) => { process.stderr.write(`error: dial unix ${addr}: ${e.message}\n`); process.exit(1); });
  sock.on('data', (c) => chunks.push(c));
  sock.on('end', () => {
    const buf = Buffer.concat(chunks);
    if (buf.length < 12) { process.stderr.write('error: connection closed by agent\n'); process.exit(1); }
    const code = buf.readUInt32BE(0);
    if (code === NEED_STDIN && !stdin) {
      let input = Buffer.alloc(0);
      try { input = readFileSync(0); } catch { /* closed or absent stdin */ }
      call(input);
      return;
    }
    const outLen = buf.readUInt32BE(4);
    const errLen = buf.readUInt32BE(8 + outLen);
    let pending = 2;
    const done = () => { if (--pending === 0) process.exit(code); };
    process.stdout.write(buf.subarray(8, 8 + outLen), done);
    process.stderr.write(buf.subarray(12 + outLen, 12 + outLen + errLen), done);
  });
  sock.end(request(stdin));
}
call(undefined);
