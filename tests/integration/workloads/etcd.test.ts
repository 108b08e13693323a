/**
 * Debian's real etcd 3.4 with client-certificate auth accepts the client certificate files
 * that the ams charm's rendered settings.yaml points to, and refuses other clients.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { AmsWorkload, type AmsWorkloadState } from '../../../charms/ams/src/workload.ts';
import { issueLeaf, makeCa, type TestKeyPair } from '../../../charms/common/src/workload-test-certs.ts';
import { findBinary, freePort, ServerProcess } from './processes.ts';

const ETCD = findBinary('/usr/bin/etcd', '/usr/local/bin/etcd');
const suite = ETCD ? describe : describe.skip;
if (!ETCD) console.warn('SKIPPED real etcd workload tests: etcd not found (apt-get install etcd-server)');

interface TlsFiles {
  ca: string;
  cert?: string;
  key?: string;
}

/** One etcd v3 JSON-gateway call over mutual TLS; resolves with the HTTP status and body. */
function etcdCall(url: string, path: string, body: unknown, tls: TlsFiles): Promise<{ status: number; body: string }> {
  const u = new URL(path, url);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        ca: readFileSync(tls.ca),
        ...(tls.cert ? { cert: readFileSync(tls.cert) } : {}),
        ...(tls.key ? { key: readFileSync(tls.key) } : {}),
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
        timeout: 5000,
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(data);
  });
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

suite('real etcd with client-cert auth and the AMS-rendered client files', () => {
  let root: string;
  let ca: TestKeyPair;
  let etcd: ServerProcess;
  let clientUrl: string;
  let settings: { store: { driver: string; data: { servers: string[]; key: string; cert: string; ca: string } } };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'it-etcd-'));
    ca = makeCa('test etcd CA');
    const server = issueLeaf(ca, 'etcd/0');
    const amsClient = issueLeaf(ca, 'ams/0');
    writeFileSync(join(root, 'ca.crt'), ca.cert);
    writeFileSync(join(root, 'server.crt'), server.cert);
    writeFileSync(join(root, 'server.key'), server.key, { mode: 0o600 });
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    clientUrl = `https://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    etcd = new ServerProcess(ETCD!, [
      '--name', 'it', '--data-dir', join(root, 'data'),
      '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `it=${peerUrl}`,
      '--client-cert-auth', '--trusted-ca-file', join(root, 'ca.crt'),
      '--cert-file', join(root, 'server.crt'), '--key-file', join(root, 'server.key'),
      '--heartbeat-interval', '10', '--election-timeout', '100',
    ]);
    await etcd.waitFor(/ready to serve client requests/, 15_000);

    const state: AmsWorkloadState = {
      listenAddress: '127.0.0.1',
      port: 8444,
      logLevel: 'info',
      portRange: '10000-11000',
      forceTls12: false,
      store: { embedded: false, servers: [clientUrl], ca: ca.cert, cert: amsClient.cert, key: amsClient.key },
      tls: null,
      trustedClients: [],
      configItems: {},
    };
    const ams = new AmsWorkload({ dir: join(root, 'ams'), control: { restart: async () => {}, trustClient: async () => {}, untrustClient: async () => {}, setConfigItem: async () => {} } });
    await ams.apply(state);
    settings = load(readFileSync(ams.path('server/settings.yaml'), 'utf8')) as typeof settings;
  });

  afterAll(async () => {
    await etcd?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('settings.yaml points AMS at the etcd server with its client certificate files', () => {
    expect(settings.store.driver).toBe('etcd');
    expect(settings.store.data.servers).toEqual([clientUrl]);
  });

  it('etcd accepts the rendered client certificate: put then range returns the value', async () => {
    const d = settings.store.data;
    const tls = { ca: d.ca, cert: d.cert, key: d.key };
    const url = d.servers[0]!;
    expect((await etcdCall(url, '/v3/kv/put', { key: b64('ams/hello'), value: b64('world') }, tls)).status).toBe(200);
    const range = await etcdCall(url, '/v3/kv/range', { key: b64('ams/hello') }, tls);
    expect(range.status).toBe(200);
    const kvs = (JSON.parse(range.body) as { kvs: Array<{ value: string }> }).kvs;
    expect(Buffer.from(kvs[0]!.value, 'base64').toString()).toBe('world');
  });

  it('etcd refuses a client without a certificate, and one from another CA', async () => {
    const d = settings.store.data;
    await expect(etcdCall(d.servers[0]!, '/v3/kv/range', { key: b64('ams/hello') }, { ca: d.ca })).rejects.toThrow(/bad certificate|certificate required/);
    const other = issueLeaf(makeCa('other CA'), 'intruder');
    writeFileSync(join(root, 'other.crt'), other.cert);
    writeFileSync(join(root, 'other.key'), other.key, { mode: 0o600 });
    await expect(
      etcdCall(d.servers[0]!, '/v3/kv/range', { key: b64('ams/hello') }, { ca: d.ca, cert: join(root, 'other.crt'), key: join(root, 'other.key') }),
    ).rejects.toThrow(/bad certificate|unknown ca|certificate required/);
  });
});
