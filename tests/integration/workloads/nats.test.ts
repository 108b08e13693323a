/**
 * Debian's real nats-server, started from the nats charm's rendered nats.cfg, and the `nats`
 * npm client configured only from the agent charm's rendered config.yaml.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, StringCodec, type NatsConnection } from 'nats';
import { NatsWorkload, type NatsControl, type NatsWorkloadState } from '../../../charms/nats/src/workload.ts';
import { AgentWorkload, type AgentWorkloadState } from '../../../charms/anbox-stream-agent/src/workload.ts';
import { issueLeaf, makeCa, type TestKeyPair } from '../../../charms/common/src/workload-test-certs.ts';
import { findBinary, freePort, ServerProcess } from './processes.ts';
import { natsOptionsFrom, readAgentConfig } from './agent-config.ts';

const NATS_SERVER = findBinary('/usr/sbin/nats-server', '/usr/bin/nats-server');
const suite = NATS_SERVER ? describe : describe.skip;
if (!NATS_SERVER) console.warn('SKIPPED real NATS workload tests: nats-server not found (apt-get install nats-server)');

/** NatsControl backed by a real process: restart respawns it, reload sends SIGHUP. */
class ProcessNatsControl implements NatsControl {
  server: ServerProcess | undefined;
  restarts = 0;
  reloads = 0;
  readonly #configPath: string;

  constructor(configPath: string) {
    this.#configPath = configPath;
  }

  async restart(): Promise<void> {
    await this.server?.stop();
    this.server = new ServerProcess(NATS_SERVER!, ['-c', this.#configPath]);
    await this.server.waitFor(/Server is ready/);
    this.restarts++;
  }

  async reload(): Promise<void> {
    const server = this.server!;
    const mark = server.mark();
    server.child.kill('SIGHUP');
    await server.waitFor(/Reloaded server configuration/, 10_000, mark);
    this.reloads++;
  }
}

const sc = StringCodec();

async function roundTrip(nc: NatsConnection, subject: string): Promise<string> {
  const sub = nc.subscribe(subject, { max: 1 });
  await nc.flush();
  nc.publish(subject, sc.encode(`hello ${subject}`));
  for await (const m of sub) return sc.decode(m.data);
  throw new Error('no message');
}

/** Fingerprint of the certificate the server presents now (NATS sends INFO in plaintext first). */
function servedFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const raw = netConnect(port, '127.0.0.1');
    raw.once('error', reject);
    raw.once('data', () => {
      const tls = tlsConnect({ socket: raw, ca, servername: undefined });
      tls.once('secureConnect', () => {
        resolve(tls.getPeerCertificate().fingerprint256);
        tls.destroy();
      });
      tls.once('error', reject);
    });
  });
}

suite('real nats-server from the rendered nats.cfg', () => {
  let root: string;
  let ca: TestKeyPair;
  let serverCert: TestKeyPair;
  let agentCert: TestKeyPair;
  let port: number;
  let nats: NatsWorkload;
  let control: ProcessNatsControl;
  let natsState: NatsWorkloadState;
  let agent: AgentWorkload;
  let agentState: AgentWorkloadState;
  const open: NatsConnection[] = [];
  const TOKEN = 'Tok3n-with-"quotes"\\-and-$dollar';

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'it-nats-'));
    ca = makeCa('test nats CA');
    serverCert = issueLeaf(ca, 'nats/0');
    agentCert = issueLeaf(ca, 'anbox-stream-agent/0');
    port = await freePort();
    control = new ProcessNatsControl(join(root, 'nats', 'nats.cfg'));
    nats = new NatsWorkload({ dir: join(root, 'nats'), control });
    natsState = {
      listenAddress: '127.0.0.1',
      clientPort: port,
      monitor: null,
      cluster: null,
      tls: { cert: serverCert.cert, key: serverCert.key, ca: ca.cert, verifyClients: false },
      auth: { kind: 'token', token: TOKEN },
    };
    agent = new AgentWorkload({ dir: join(root, 'agent'), control: { restart: async () => {} } });
    agentState = {
      region: 'test',
      location: '',
      useTlsPinning: false,
      clientCert: agentCert.cert,
      clientKey: agentCert.key,
      ams: null,
      nats: { urls: [`tls://127.0.0.1:${port}`], ca: ca.cert, credential: { kind: 'token', token: TOKEN } },
      api: null,
    };
    expect((await nats.apply(natsState)).action).toBe('restart');
    await agent.apply(agentState);
  });

  afterAll(async () => {
    await Promise.all(open.map((nc) => nc.close().catch(() => {})));
    await control?.server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('accepts a client configured only from the agent config.yaml (TLS verified against the CA, token)', async () => {
    const nc = await connect(natsOptionsFrom(readAgentConfig(agent.configPath)));
    open.push(nc);
    expect(await roundTrip(nc, 'agent.hello')).toBe('hello agent.hello');
  });

  it('refuses a wrong token', async () => {
    const options = natsOptionsFrom(readAgentConfig(agent.configPath));
    await expect(connect({ ...options, token: 'wrong' })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
  });

  it('refuses a server certificate the client does not trust', async () => {
    const other = makeCa('some other CA');
    const otherDir = mkdtempSync(join(tmpdir(), 'it-nats-ca-'));
    try {
      const foreign = new AgentWorkload({ dir: otherDir, control: { restart: async () => {} } });
      await foreign.apply({ ...agentState, nats: { ...agentState.nats!, ca: other.cert } });
      await expect(connect(natsOptionsFrom(readAgentConfig(foreign.configPath)))).rejects.toThrow(/unable to verify/);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('refuses a plaintext connection, even with the right token', async () => {
    const reply = await new Promise<string>((resolve) => {
      let received = '';
      const sock = netConnect(port, '127.0.0.1');
      sock.on('data', (d) => {
        received += d.toString();
        if (received.includes('\r\n') && !received.includes('CONNECT_SENT')) {
          sock.write(`CONNECT ${JSON.stringify({ auth_token: TOKEN, verbose: false, pedantic: false, tls_required: false })}\r\nPING\r\n`);
          received += 'CONNECT_SENT';
        }
      });
      sock.on('close', () => resolve(received));
      sock.on('error', () => {});
      setTimeout(() => {
        received += 'TIMED_OUT';
        sock.destroy();
      }, 5000).unref();
    });
    expect(reply).toMatch(/^INFO .*"tls_required":true/);
    // The server closed the connection instead of answering the plaintext CONNECT + PING.
    expect(reply).not.toMatch(/PONG|\+OK|TIMED_OUT/);
  });

  it('a renewed certificate is applied by reload: same process, new certificate served, clients kept', async () => {
    const before = open[0]!;
    const pid = control.server!.child.pid;
    const renewed = issueLeaf(ca, 'nats/0');
    natsState = { ...natsState, tls: { ...natsState.tls!, cert: renewed.cert, key: renewed.key } };
    const result = await nats.apply(natsState);
    expect(result.action).toBe('reload');
    expect(control.server!.child.pid).toBe(pid);
    expect(await servedFingerprint(port, ca.cert)).toBe(new X509Certificate(renewed.cert).fingerprint256);
    expect(await roundTrip(before, 'after.reload')).toBe('hello after.reload');
    const fresh = await connect(natsOptionsFrom(readAgentConfig(agent.configPath)));
    open.push(fresh);
    expect(await roundTrip(fresh, 'fresh')).toBe('hello fresh');
  });

  it('applying the same state again sends no signal', async () => {
    const counts = [control.restarts, control.reloads];
    expect(await nats.apply(natsState)).toEqual({ changes: [], action: 'none' });
    expect([control.restarts, control.reloads]).toEqual(counts);
  });

  it('per-relation users (reloaded): the relation credential works, with a hard-to-quote password; the old token does not', async () => {
    const password = 'p"w\\d $x {y} #z';
    natsState = { ...natsState, auth: { kind: 'users', users: [{ user: 'client-7', password }, { user: 'client-8', password: 'other' }] } };
    expect((await nats.apply(natsState)).action).toBe('reload');
    agentState = { ...agentState, nats: { ...agentState.nats!, credential: { kind: 'user', user: 'client-7', password } } };
    await agent.apply(agentState);
    const nc = await connect(natsOptionsFrom(readAgentConfig(agent.configPath)));
    open.push(nc);
    expect(await roundTrip(nc, 'per.relation')).toBe('hello per.relation');
    const options = natsOptionsFrom(readAgentConfig(agent.configPath));
    await expect(connect({ ...options, user: undefined, pass: undefined, token: TOKEN })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
    await expect(connect({ ...options, pass: 'other' })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
  });

  it('verify-tls-clients: a client with the agent certificate is accepted, one without a certificate is refused', async () => {
    natsState = { ...natsState, tls: { ...natsState.tls!, verifyClients: true } };
    expect((await nats.apply(natsState)).action).toBe('reload');
    const options = natsOptionsFrom(readAgentConfig(agent.configPath));
    const nc = await connect(options);
    open.push(nc);
    expect(await roundTrip(nc, 'verified')).toBe('hello verified');
    await expect(connect({ ...options, tls: { caFile: (options.tls as { caFile: string }).caFile } })).rejects.toThrow(
      // The alert usually arrives; under load the client may only see the reset that follows.
      /bad certificate|certificate required|ECONNRESET|socket disconnected|socket hang up/,
    );
  });

  it('clearing TLS restarts the server without TLS and removes the key file', async () => {
    natsState = { ...natsState, tls: null };
    const result = await nats.apply(natsState);
    expect(result.action).toBe('restart');
    expect(result.changes).toContainEqual({ path: 'key.pem', kind: 'removed' });
    const plain = await connect({ servers: [`127.0.0.1:${port}`], user: 'client-8', pass: 'other', reconnect: false, timeout: 5000 });
    open.push(plain);
    expect(plain.info?.tls_required ?? false).toBe(false);
    expect(await roundTrip(plain, 'plain')).toBe('hello plain');
  });
});
