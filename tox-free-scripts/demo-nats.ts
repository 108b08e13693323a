/**
 * The real NATS part of the demo and of the e2e tests: Debian's nats-server started from the
 * nats.cfg the charm rendered on a unit's emulated machine, and a `nats` npm client configured
 * ONLY from what the agent charm rendered into its config.yaml (URLs, CA file, token).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { connect, StringCodec, type ConnectionOptions } from 'nats';

export const NATS_SERVER_CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'];
export const NATS_CFG = 'var/snap/nats/common/server/nats.cfg';
export const AGENT_CONFIG = 'var/snap/anbox-stream-agent/common/config.yaml';

export function findNatsServer(): string | undefined {
  return NATS_SERVER_CANDIDATES.find((c) => existsSync(c));
}

/** What the agent process reads from its rendered config.yaml (the subset used here). */
export interface AgentConfig {
  tls: { cert: string; key: string };
  ams?: { url: string; fingerprint?: string };
  nats?: { urls: string[]; ca?: string; token?: string; user?: string; password?: string };
}

export function readAgentConfig(machineRoot: string): AgentConfig {
  return load(readFileSync(join(machineRoot, AGENT_CONFIG), 'utf8')) as AgentConfig;
}

/**
 * nats client options from the agent's config only, for one of its URLs (default the first).
 * `token` replaces the configured one.
 *
 * TLS name check: nats.js upgrades an already-connected socket to TLS without passing `host`, so
 * Node would check the certificate against "localhost"; the real agent (Go client) checks the
 * URL's host. `tls.host` restores that: the certificate must name the host we dialled.
 */
export function natsClientOptions(config: AgentConfig, override: { token?: string; url?: string } = {}): ConnectionOptions {
  const n = config.nats;
  if (!n || n.urls.length === 0) throw new Error('the agent config has no nats section yet');
  // A legacy URL carries the token as user-info (tls://TOKEN@host:port); Go's client reads it
  // from there, nats.js does not, so it is moved to `token` here.
  const parsed = new URL((override.url ?? n.urls[0]!).replace(/^(tls|nats):/, 'https:'));
  const urlToken = parsed.username && !parsed.password ? decodeURIComponent(parsed.username) : undefined;
  const scheme = /^nats:/.test(override.url ?? n.urls[0]!) ? 'nats' : 'tls';
  const url = `${scheme}://${parsed.host}`;
  const token = override.token ?? n.token ?? urlToken;
  return {
    servers: [url],
    tls: { ...(n.ca ? { caFile: n.ca } : {}), host: parsed.hostname } as ConnectionOptions['tls'],
    ...(token ? { token } : {}),
    ...(n.user ? { user: n.user, pass: n.password ?? '' } : {}),
    reconnect: false,
    timeout: 5000,
  };
}

/** Host and port of the server, from the rendered `listen:` line. */
export function natsListen(cfgText: string): { host: string; port: number } {
  const m = /^listen:\s*"?([^":\s]+):(\d+)"?/m.exec(cfgText);
  if (!m) throw new Error('nats.cfg has no listen line');
  return { host: m[1]!, port: Number(m[2]) };
}

/** The file paths a nats.cfg `tls {}` block names (cert, key, CA). */
export function natsTlsFiles(cfgText: string): string[] {
  return [...cfgText.matchAll(/^\s*(?:cert_file|key_file|ca_file):\s*"([^"]+)"/gm)].map((m) => m[1]!);
}

export class NatsServer {
  readonly child: ChildProcess;
  output = '';
  readonly listen: { host: string; port: number };

  private constructor(child: ChildProcess, listen: { host: string; port: number }) {
    this.child = child;
    this.listen = listen;
  }

  /**
   * Starts `nats-server -c <rendered nats.cfg>`. `-m 0` turns the monitoring listener off: the
   * charm renders the published `http: localhost:8222`, a fixed port that parallel runs would
   * fight over; nothing else is overridden.
   */
  static async start(binary: string, cfgPath: string, timeoutMs = 10_000): Promise<NatsServer> {
    const listen = natsListen(readFileSync(cfgPath, 'utf8'));
    const child = spawn(binary, ['-c', cfgPath, '-m', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new NatsServer(child, listen);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`nats-server not ready in ${timeoutMs} ms:\n${server.output}`)); }, timeoutMs);
      const onData = (c: Buffer) => {
        server.output += c.toString();
        if (/Server is ready/.test(server.output)) { clearTimeout(timer); resolve(); }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`nats-server exited (${code}):\n${server.output}`)); });
    });
    return server;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
}

/** Connects, subscribes, publishes one message and reads it back. Returns what came back and the TLS state. */
export async function natsRoundTrip(options: ConnectionOptions, subject = 'demo.hello', text = 'hello from the agent'): Promise<{ received: string; tlsRequired: boolean; server: string }> {
  const nc = await connect(options);
  try {
    const sc = StringCodec();
    const sub = nc.subscribe(subject, { max: 1 });
    const got = (async () => { for await (const m of sub) return sc.decode(m.data); return ''; })();
    nc.publish(subject, sc.encode(text));
    await nc.flush();
    const received = await Promise.race([got, new Promise<string>((_, rej) => setTimeout(() => rej(new Error('no message back in 5 s')), 5000).unref())]);
    return { received, tlsRequired: nc.info?.tls_required ?? false, server: nc.getServer() };
  } finally {
    await nc.close();
  }
}

/** The error a connection attempt ends with, or undefined when it connected (and was closed). */
export async function natsConnectError(options: ConnectionOptions): Promise<string | undefined> {
  try {
    const nc = await connect(options);
    await nc.close();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).message;
  }
}

/**
 * A plaintext client (no TLS at all) sending CONNECT with `token` + PING: returns what the server
 * answered before closing. A TLS-only server sends INFO (tls_required) and never a PONG.
 */
export function plaintextProbe(host: string, port: number, token: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    let sent = false;
    const sock = netConnect(port, host);
    sock.on('data', (d) => {
      received += d.toString();
      if (!sent && received.includes('\r\n')) {
        sent = true;
        sock.write(`CONNECT ${JSON.stringify({ auth_token: token, verbose: false, pedantic: false, tls_required: false })}\r\nPING\r\n`);
      }
    });
    sock.on('close', () => resolve(received));
    sock.on('error', () => {});
    setTimeout(() => { received += 'TIMED_OUT'; sock.destroy(); }, timeoutMs).unref();
  });
}
