/**
 * Real mutual TLS between the two rendered sides: an HTTPS server configured only from the
 * AMS unit's rendered files (settings.yaml listener and force-tls12, API certificate and
 * key, trust store fingerprints, re-read per request as AMS's trust store is live), and a
 * client configured only from the agent's rendered config.yaml (AMS URL, pinned
 * fingerprint, client certificate and key).
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { AMS_FILES, AmsWorkload, parseTrustStore, type AmsWorkloadState } from '../../../charms/ams/src/workload.ts';
import { AgentWorkload, type AgentWorkloadState } from '../../../charms/anbox-stream-agent/src/workload.ts';
import { certificateFingerprint } from '../../../charms/ams/src/workload-render.ts';
import { issueLeaf, makeCa, type TestKeyPair } from '../../../charms/common/src/workload-test-certs.ts';
import { freePort } from './processes.ts';
import { readAgentConfig } from './agent-config.ts';

/** An AMS stand-in built from AMS's rendered files only. */
function serveFromAmsFiles(ams: AmsWorkload): Promise<Server> {
  const settings = load(readFileSync(ams.path(AMS_FILES.settings), 'utf8')) as { 'listen-address': string; backend: { 'force-tls12': boolean } };
  const [host, port] = settings['listen-address'].split(/:(?=\d+$)/) as [string, string];
  const server = createServer(
    {
      cert: readFileSync(ams.path(AMS_FILES.serverCert)),
      key: readFileSync(ams.path(AMS_FILES.serverKey)),
      minVersion: settings.backend['force-tls12'] ? 'TLSv1.2' : 'TLSv1.3',
      requestCert: true,
      rejectUnauthorized: false, // trust is by fingerprint, below
    },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      const fp = peer?.fingerprint256?.replace(/:/g, '').toLowerCase();
      const trusted = parseTrustStore(readFileSync(ams.path(AMS_FILES.trustStore), 'utf8')).some((e) => e.fingerprint === fp);
      res.writeHead(trusted ? 200 : 403).end(trusted ? 'ok' : 'not trusted');
    },
  );
  return new Promise((resolve) => server.listen(Number(port), host, () => resolve(server)));
}

/** The agent side: TLS client from config.yaml, AMS pinned by fingerprint; returns the HTTP status line. */
function agentRequest(configPath: string): Promise<string> {
  const config = readAgentConfig(configPath);
  const url = new URL(config.ams!.url);
  return new Promise((resolve, reject) => {
    const sock = tlsConnect({
      host: url.hostname,
      port: Number(url.port),
      cert: readFileSync(config.tls.cert),
      key: readFileSync(config.tls.key),
      rejectUnauthorized: false, // pinning replaces chain verification (tls_use_pinning)
    });
    sock.once('secureConnect', () => {
      const served = sock.getPeerCertificate().fingerprint256.replace(/:/g, '').toLowerCase();
      if (served !== config.ams!.fingerprint) {
        sock.destroy();
        reject(new Error('AMS certificate does not match the pinned fingerprint'));
        return;
      }
      sock.write(`GET /1.0 HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`);
    });
    let text = '';
    sock.on('data', (d) => (text += d.toString()));
    sock.on('end', () => resolve(text.split('\r\n')[0] ?? ''));
    sock.on('error', reject);
  });
}

describe('AMS mTLS from the rendered AMS and agent files', () => {
  let root: string;
  let amsCert: TestKeyPair;
  let agent0: TestKeyPair;
  let stranger: TestKeyPair;
  let ams: AmsWorkload;
  let amsState: AmsWorkloadState;
  let server: Server;
  let agentState: AgentWorkloadState;
  const noop = async () => {};

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'it-ams-'));
    amsCert = issueLeaf(makeCa('ams CA'), 'ams/0');
    agent0 = makeCa('anbox-stream-agent/0'); // the agent's self-signed client certificate
    stranger = makeCa('never given to AMS');
    const port = await freePort();
    ams = new AmsWorkload({ dir: join(root, 'ams'), control: { restart: noop, trustClient: noop, untrustClient: noop, setConfigItem: noop } });
    amsState = {
      listenAddress: '127.0.0.1',
      port,
      logLevel: 'info',
      portRange: '10000-11000',
      forceTls12: false,
      store: { embedded: true },
      tls: amsCert,
      trustedClients: [{ name: 'anbox-stream-agent/0', certificate: agent0.cert }],
      configItems: {},
    };
    await ams.apply(amsState);
    server = await serveFromAmsFiles(ams);
    agentState = {
      region: 'r',
      location: '',
      useTlsPinning: true,
      clientCert: agent0.cert,
      clientKey: agent0.key,
      ams: { url: `https://127.0.0.1:${port}`, fingerprint: certificateFingerprint(amsCert.cert) },
      nats: null,
      api: null,
    };
  });

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    rmSync(root, { recursive: true, force: true });
  });

  async function agentWith(name: string, state: AgentWorkloadState): Promise<string> {
    const agent = new AgentWorkload({ dir: join(root, name), control: { restart: noop } });
    await agent.apply(state);
    return agent.configPath;
  }

  it('accepts the agent whose certificate AMS was given', async () => {
    expect(await agentRequest(await agentWith('agent0', agentState))).toBe('HTTP/1.1 200 OK');
  });

  it('rejects a certificate AMS was never given', async () => {
    const path = await agentWith('stranger', { ...agentState, clientCert: stranger.cert, clientKey: stranger.key });
    expect(await agentRequest(path)).toBe('HTTP/1.1 403 Forbidden');
  });

  it('the agent refuses to talk to a server that does not match its pinned fingerprint', async () => {
    const path = await agentWith('mispinned', { ...agentState, ams: { ...agentState.ams!, fingerprint: certificateFingerprint(stranger.cert) } });
    await expect(agentRequest(path)).rejects.toThrow(/pinned fingerprint/);
  });

  it('after the agent unit is removed from the trust store its certificate is rejected', async () => {
    const result = await ams.apply({ ...amsState, trustedClients: [] });
    expect(result.untrusted).toEqual([certificateFingerprint(agent0.cert)]);
    expect(result.restarted).toBe(false);
    expect(await agentRequest(await agentWith('agent0-after', agentState))).toBe('HTTP/1.1 403 Forbidden');
  });
});
