/**
 * Test harness for real-binary TLS tests: run `openssl` on files in a temp dir (keys go to
 * 0600 files, never argv), and a Node `tls` echo server + client for mTLS handshakes.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';

export interface RunResult { code: number; stdout: string; stderr: string }

export function run(cmd: string, args: readonly string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', env: { ...process.env, OPENSSL_CONF: '/dev/null' } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export class TempDir {
  readonly path: string;
  private constructor(path: string) { this.path = path; }
  static async create(): Promise<TempDir> { return new TempDir(await mkdtemp(join(tmpdir(), 'tls-it-'))); }
  /** Write `content` to `name` (0600) and return its path. */
  async file(name: string, content: string): Promise<string> {
    const p = join(this.path, name);
    await writeFile(p, content, { mode: 0o600 });
    return p;
  }
  remove(): Promise<void> { return rm(this.path, { recursive: true, force: true }); }
}

export interface Material { key: string; cert: string; ca: string }

export interface EchoServer {
  port: number;
  /** Reasons the server gave for rejected clients (from 'tlsClientError'). */
  clientErrors: string[];
  accepted: number;
  setMaterial(m: Material): void;
  close(): Promise<void>;
}

/**
 * mTLS echo server: requires a client certificate signed by `ca`, TLS >= 1.2 (issue 5).
 *
 * Node's server with `rejectUnauthorized: true` destroys a socket whose client certificate
 * fails verification without reporting why. `diagnostic: true` runs the same check by hand
 * (`rejectUnauthorized: false`, then destroy when `!socket.authorized`, which is what Node
 * does internally) so tests can also assert the reason. Rejections OpenSSL itself makes (no
 * certificate, protocol version) arrive as 'tlsClientError' in both modes.
 */
export async function startEchoServer(m: Material, opts: { minVersion?: tls.SecureVersion; diagnostic?: boolean } = {}): Promise<EchoServer> {
  const clientErrors: string[] = [];
  let accepted = 0;
  const server = tls.createServer({
    key: m.key, cert: m.cert, ca: m.ca, requestCert: true, rejectUnauthorized: !opts.diagnostic, minVersion: opts.minVersion ?? 'TLSv1.2',
  }, (socket) => {
    if (!socket.authorized) {
      clientErrors.push(`${String(socket.authorizationError)}`);
      socket.destroy();
      return;
    }
    accepted += 1;
    socket.on('data', (d) => socket.end(`pong:${d.toString()}`));
    socket.on('error', () => undefined);
  });
  server.on('tlsClientError', (err) => clientErrors.push(`${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    clientErrors,
    get accepted() { return accepted; },
    setMaterial: (n) => server.setSecureContext({ key: n.key, cert: n.cert, ca: n.ca }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface HandshakeResult { ok: boolean; protocol?: string | null; error?: string; peerFingerprint256?: string }

/**
 * Connect, send "ping", expect "pong:ping". Success means both sides accepted each other:
 * with TLS 1.3 the client's handshake completes before the server has checked the client
 * certificate, so only the echo proves the server accepted it.
 */
export function handshake(port: number, m: Partial<Material>, opts: { minVersion?: tls.SecureVersion; maxVersion?: tls.SecureVersion; ciphers?: string } = {}): Promise<HandshakeResult> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: HandshakeResult): void => { if (!done) { done = true; socket.destroy(); resolve(r); } };
    const socket = tls.connect({
      host: '127.0.0.1', port, ...(m.key ? { key: m.key } : {}), ...(m.cert ? { cert: m.cert } : {}), ca: m.ca,
      minVersion: opts.minVersion, maxVersion: opts.maxVersion, ...(opts.ciphers ? { ciphers: opts.ciphers } : {}),
    }, () => {
      const protocol = socket.getProtocol();
      const peerFingerprint256 = socket.getPeerCertificate().fingerprint256;
      let data = '';
      socket.on('data', (d) => { data += d.toString(); });
      socket.on('end', () => finish(data === 'pong:ping' ? { ok: true, protocol, peerFingerprint256 } : { ok: false, protocol, error: `no echo (got ${JSON.stringify(data)})` }));
      socket.write('ping');
    });
    socket.on('error', (e) => finish({ ok: false, error: `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}` }));
    socket.on('close', () => finish({ ok: false, error: 'closed before echo' }));
    socket.setTimeout(5000, () => finish({ ok: false, error: 'timeout' }));
  });
}
