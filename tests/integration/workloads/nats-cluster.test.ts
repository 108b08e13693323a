/**
 * Two real nats-servers (one per loopback address, same ports, as two units would have)
 * clustered from their rendered nats.cfg `cluster { routes }`, with routes secured by mutual
 * TLS; a rogue server that routes without the cluster's TLS gets no messages.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, StringCodec, type NatsConnection } from 'nats';
import { NatsWorkload, type NatsWorkloadState } from '../../../charms/nats/src/workload.ts';
import { issueLeaf, makeCa } from '../../../charms/common/src/workload-test-certs.ts';
import { findBinary, freePort, ServerProcess } from './processes.ts';

const NATS_SERVER = findBinary('/usr/sbin/nats-server', '/usr/bin/nats-server');
const suite = NATS_SERVER ? describe : describe.skip;
if (!NATS_SERVER) console.warn('SKIPPED real NATS cluster tests: nats-server not found (apt-get install nats-server)');

const sc = StringCodec();

suite('real nats-server cluster from rendered routes', () => {
  let root: string;
  let clientPort: number;
  let ca: ReturnType<typeof makeCa>;
  const servers: ServerProcess[] = [];
  const conns: NatsConnection[] = [];
  const auth = { kind: 'users', users: [{ user: 'client-1', password: 'pw-1' }] } as const;

  async function startUnit(name: string, address: string, peers: string[], clusterPort: number, secure: boolean): Promise<ServerProcess> {
    // nats.js 2.29 upgrades the socket to TLS without a host or servername for IP servers, so
    // Node checks the certificate against "localhost" (node_transport.js): hence the DNS SAN.
    const leaf = issueLeaf(ca, name, [`IP:${address}`, "DNS:localhost"]);
    const dir = join(root, name);
    let proc: ServerProcess | undefined;
    const wl = new NatsWorkload({
      dir,
      control: {
        restart: async () => {
          proc = new ServerProcess(NATS_SERVER!, ['-c', join(dir, 'nats.cfg')]);
          servers.push(proc);
          await proc.waitFor(/Server is ready/);
        },
        reload: async () => {},
      },
    });
    const state: NatsWorkloadState = {
      listenAddress: address,
      clientPort,
      monitor: null,
      cluster: { listenAddress: address, port: clusterPort, peers, secure },
      tls: { cert: leaf.cert, key: leaf.key, ca: ca.cert, verifyClients: false },
      auth,
    };
    await wl.apply(state);
    return proc!;
  }

  async function client(address: string): Promise<NatsConnection> {
    const nc = await connect({ servers: [`tls://${address}:${clientPort}`], tls: { ca: ca.cert }, user: 'client-1', pass: 'pw-1', reconnect: false, timeout: 5000 });
    conns.push(nc);
    return nc;
  }

  let clusterPort: number;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'it-nats-cluster-'));
    ca = makeCa('cluster CA');
    clientPort = await freePort();
    clusterPort = await freePort();
    const a = await startUnit('nats-0', '127.0.0.1', ['127.0.0.2'], clusterPort, true);
    const b = await startUnit('nats-1', '127.0.0.2', ['127.0.0.1'], clusterPort, true);
    await Promise.all([a.waitFor(/Route connection created/), b.waitFor(/Route connection created/)]);
  });

  afterAll(async () => {
    await Promise.all(conns.map((nc) => nc.close().catch(() => {})));
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(root, { recursive: true, force: true });
  });

  it('a message published on one unit reaches a subscriber on the other', async () => {
    const [onA, onB] = [await client('127.0.0.1'), await client('127.0.0.2')];
    const sub = onB.subscribe('across', { max: 1 });
    await onB.flush();
    // Interest propagates over the route asynchronously: publish until it arrives.
    const timer = setInterval(() => onA.publish('across', sc.encode('from A')), 50);
    try {
      for await (const m of sub) expect(sc.decode(m.data)).toBe('from A');
    } finally {
      clearInterval(timer);
    }
  });

  it('a rogue server routing without the cluster TLS receives nothing', async () => {
    const rogue = await startUnit('rogue', '127.0.0.3', ['127.0.0.1'], clusterPort, false);
    // The rogue does reach unit 0's route port, and unit 0 cuts the plaintext route.
    await rogue.waitFor(/Route connection created[\s\S]*Router connection closed/, 10_000);
    const onRogue = await client('127.0.0.3');
    const onA = await client('127.0.0.1');
    let got = 0;
    const sub = onRogue.subscribe('leak');
    (async () => {
      for await (const _ of sub) got++;
    })().catch(() => {});
    await onRogue.flush();
    for (let i = 0; i < 20; i++) {
      onA.publish('leak', sc.encode('secret'));
      await new Promise((r) => setTimeout(r, 50));
    }
    await onA.flush();
    expect(got).toBe(0);
  });
});
