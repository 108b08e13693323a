/**
 * Real TLS endpoints built only from what the charms rendered on their emulated machines:
 * - an AMS stand-in: Node HTTPS with AMS's server certificate and key, which (like AMS) asks for
 *   a client certificate and admits it only if its SHA-256 fingerprint is in the trust store file
 *   the charm rendered (re-read per request, so trust changes apply at once);
 * - the agent side: its client certificate and key from config.yaml, AMS pinned by fingerprint;
 * - Debian's etcd started from AMS's embedded-etcd files with client-certificate auth.
 */
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { parseTrustStore } from '../../../charms/ams/src/workload-render.ts';
import { freePort, ServerProcess } from '../workloads/processes.ts';
import type { AgentConfig } from '../../../tox-free-scripts/demo-nats.ts';

const fp = (s: TLSSocket): string => s.getPeerCertificate()?.fingerprint256?.replace(/:/g, '').toLowerCase() ?? '';

/** Serves on `host:port` with AMS's rendered server files; 200 for trusted client certs, else 403. */
export async function startAmsStandIn(serverDir: string, host: string, port: number): Promise<Server> {
  const server = createServer(
    { cert: readFileSync(join(serverDir, 'server.crt')), key: readFileSync(join(serverDir, 'server.key')), requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const peer = fp(req.socket as TLSSocket);
      const trusted = peer !== '' && parseTrustStore(readFileSync(join(serverDir, 'trusted-clients.yaml'), 'utf8')).some((e) => e.fingerprint === peer);
      res.writeHead(trusted ? 200 : 403).end();
    },
  );
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, host, resolve); });
  return server;
}

export function closeServer(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

/**
 * The agent calling AMS as its config.yaml says: URL, its client certificate (or `override`),
 * AMS pinned by the fingerprint in the config. Resolves the HTTP status. `target` replaces the
 * URL's host and port (an in-process unit's address is not on this machine).
 */
export function agentCallsAms(config: AgentConfig, override?: { cert: string; key: string }, target?: { host: string; port: number }): Promise<number> {
  if (!config.ams) throw new Error('agent config has no ams section');
  const url = new URL(config.ams.url);
  const creds = override ?? { cert: readFileSync(config.tls.cert, 'utf8'), key: readFileSync(config.tls.key, 'utf8') };
  return new Promise((resolve, reject) => {
    const sock = tlsConnect({ host: target?.host ?? url.hostname, port: target?.port ?? Number(url.port), ...creds, rejectUnauthorized: false });
    sock.once('secureConnect', () => {
      if (fp(sock) !== config.ams!.fingerprint) {
        sock.destroy();
        reject(new Error('AMS does not match the pinned fingerprint'));
        return;
      }
      sock.write('GET /1.0 HTTP/1.1\r\nHost: ams\r\nConnection: close\r\n\r\n');
    });
    let text = '';
    sock.on('data', (c) => { text += c.toString(); });
    sock.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0)));
    sock.on('error', reject);
  });
}

export interface EtcdFiles { cert: string; key: string; ca: string }

/**
 * Debian's etcd with client-cert auth, its server certificate/key and trusted CA taken from AMS's
 * rendered etcd.conf.yml. Only the listen URLs are replaced (free loopback ports: the rendered
 * 127.0.0.1:2379 would clash between parallel runs); `--config-file` would ignore these flags.
 */
export async function startEtcdFromAms(binary: string, etcdDir: string): Promise<{ etcd: ServerProcess; url: string }> {
  const conf = load(readFileSync(join(etcdDir, 'etcd.conf.yml'), 'utf8')) as { 'data-dir': string; 'client-transport-security': Record<string, string | boolean> };
  const sec = conf['client-transport-security'];
  if (sec['client-cert-auth'] !== true) throw new Error('rendered etcd.conf.yml does not turn client-cert-auth on');
  const [client, peer] = [await freePort(), await freePort()];
  const url = `https://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const etcd = new ServerProcess(binary, [
    '--name', 'ams-embedded', '--data-dir', conf['data-dir'],
    '--listen-client-urls', url, '--advertise-client-urls', url,
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `ams-embedded=${peerUrl}`,
    '--client-cert-auth', '--trusted-ca-file', String(sec['trusted-ca-file']),
    '--cert-file', String(sec['cert-file']), '--key-file', String(sec['key-file']),
    '--heartbeat-interval', '10', '--election-timeout', '100',
  ], 120_000);
  await etcd.waitFor(/ready to serve client requests/, 15_000);
  return { etcd, url };
}

/** POST to etcd's v3 JSON gateway with the given TLS material; resolves the HTTP status. */
export function etcdCall(url: string, path: string, body: unknown, tls: { ca: string | Buffer; cert?: string | Buffer; key?: string | Buffer }): Promise<number> {
  const u = new URL(path, url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', ...tls, headers: { 'content-type': 'application/json' }, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(JSON.stringify(body));
  });
}
