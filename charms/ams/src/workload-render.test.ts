import { describe, it, expect, beforeAll } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { dump, load } from 'js-yaml';
import { makeCa, type TestKeyPair } from '../../common/src/workload-test-certs.ts';
import {
  certificateFingerprint,
  loadBalancerUrl,
  parseConfigItems,
  parseTrustStore,
  renderAmsFiles,
  renderConfigItems,
  renderSettings,
  renderTrustStore,
  TRUST_STORE_COMMENT,
  trustStoreEntries,
  type AmsWorkloadState,
} from './workload-render.ts';

const DIR = '/var/snap/ams/common';
const state: AmsWorkloadState = {
  listenAddress: '0.0.0.0',
  port: 8444,
  logLevel: 'info',
  portRange: '10000-11000',
  forceTls12: false,
  store: { embedded: false, servers: ['https://10.0.0.6:2379', 'https://10.0.0.5:2379'], ca: 'CA', cert: 'CERT', key: 'KEY' },
  tls: { cert: 'SRV', key: 'SRVKEY' },
  trustedClients: [],
  configItems: { 'load_balancer.url': 'https://ams.example:8444' },
};

let agent0: TestKeyPair;
let agent1: TestKeyPair;
beforeAll(() => {
  agent0 = makeCa('anbox-stream-agent-0');
  agent1 = makeCa('anbox-stream-agent-1');
});

describe('renderSettings', () => {
  it('renders the published settings.yaml keys for an external etcd, servers sorted', () => {
    expect(renderSettings(state, DIR)).toBe(
      [
        '# Rendered by the ams charm; local edits are overwritten.',
        'listen-address: 0.0.0.0:8444',
        'logger:',
        '  level: info',
        'store:',
        '  driver: etcd',
        '  data:',
        '    servers:',
        '      - https://10.0.0.5:2379',
        '      - https://10.0.0.6:2379',
        '    key: /var/snap/ams/common/etcd/client-key.pem',
        '    cert: /var/snap/ams/common/etcd/client-cert.pem',
        '    ca: /var/snap/ams/common/etcd/client-ca.pem',
        'artifacts:',
        '  provider: filesystem',
        '  path: /var/snap/ams/common/data/artifacts',
        'backend:',
        '  port-range: 10000-11000',
        '  force-tls12: false',
        '',
      ].join('\n'),
    );
  });

  it('renders the embedded etcd store and force-tls12', () => {
    const s = renderSettings({ ...state, store: { embedded: true }, forceTls12: true }, DIR);
    expect(s).toContain('store:\n  driver: embedded-etcd\n  data: /var/snap/ams/common/etcd-data\n');
    expect(s).toContain('  force-tls12: true\n');
  });

  it('refuses an external etcd without servers', () => {
    expect(() => renderSettings({ ...state, store: { embedded: false, servers: [], ca: 'a', cert: 'b', key: 'c' } }, DIR)).toThrow(/at least one server/);
  });
});

describe('trust store', () => {
  it('keys clients by SHA-256 fingerprint over DER, sorted, one entry per certificate', () => {
    const entries = trustStoreEntries([
      { name: 'anbox-stream-agent/1', certificate: agent1.cert },
      { name: 'anbox-stream-agent/0', certificate: agent0.cert },
      { name: 'anbox-stream-agent/2', certificate: agent0.cert },
    ]);
    const fp0 = new X509Certificate(agent0.cert).fingerprint256.replace(/:/g, '').toLowerCase();
    expect(entries).toHaveLength(2);
    expect(entries.map((e) => e.fingerprint)).toEqual([...entries.map((e) => e.fingerprint)].sort());
    expect(entries.find((e) => e.fingerprint === fp0)!.name).toBe('anbox-stream-agent/0');
    expect(certificateFingerprint(agent0.cert)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('round-trips through its file', () => {
    const entries = trustStoreEntries([{ name: 'a/0', certificate: agent0.cert }]);
    const text = renderTrustStore(entries);
    expect(parseTrustStore(text)).toEqual(entries);
    expect(parseTrustStore(renderTrustStore([]))).toEqual([]);
    expect(parseTrustStore(undefined)).toEqual([]);
    expect(parseTrustStore('::: not yaml')).toEqual([]);
    expect(parseTrustStore('{"clients": [')).toEqual([]);
  });

  it('is JSON, one client per line, and reads the same as YAML', () => {
    const entries = trustStoreEntries([
      { name: 'a/0', certificate: agent0.cert },
      { name: 'a/1', certificate: agent1.cert },
    ]);
    const text = renderTrustStore(entries);
    const doc = JSON.parse(text) as { comment: string; clients: unknown[] };
    expect(doc).toEqual({ comment: TRUST_STORE_COMMENT, clients: entries });
    expect(load(text)).toEqual(doc); // JSON is YAML 1.2: the .yaml name still holds
    const lines = text.split('\n');
    for (const e of entries) expect(lines.filter((l) => l.includes(e.fingerprint))).toEqual([expect.stringContaining(JSON.stringify(e.certificate))]);
    expect(load(renderTrustStore([]))).toEqual({ comment: TRUST_STORE_COMMENT, clients: [] });
  });

  it('reads the YAML record an older charm revision wrote', () => {
    const entries = trustStoreEntries([
      { name: 'a/0', certificate: agent0.cert },
      { name: 'a/1', certificate: agent1.cert },
    ]);
    // What the revision before the JSON record rendered (js-yaml dump after a comment line).
    const older = `# Client certificates the ams charm registered in AMS (fingerprint: SHA-256 over DER).\n${dump({ clients: entries }, { lineWidth: -1, noRefs: true })}`;
    expect(older).toContain('- fingerprint: ');
    expect(parseTrustStore(older)).toEqual(entries);
    // A JSON record an operator annotated with a YAML comment is still read (as YAML).
    expect(parseTrustStore(`# note\n${renderTrustStore(entries)}`)).toEqual(entries);
  });
});

describe('config items', () => {
  it('renders sorted items and parses them back', () => {
    const text = renderConfigItems({ 'b.x': '2', 'a.y': 'https://h:1' });
    expect(text).toBe("# AMS configuration items owned by the ams charm.\nitems:\n  a.y: https://h:1\n  b.x: '2'\n");
    expect(parseConfigItems(text)).toEqual({ 'a.y': 'https://h:1', 'b.x': '2' });
  });
  it('builds load_balancer.url as the published charm does', () => {
    expect(loadBalancerUrl('ams.example', 8444)).toBe('https://ams.example:8444');
  });
});

describe('renderAmsFiles', () => {
  it('gives keys and config items 0600, certificates and settings 0644', () => {
    expect(renderAmsFiles(state, DIR).map((f) => [f.path, f.mode])).toEqual([
      ['server/settings.yaml', 0o644],
      ['server/server.crt', 0o644],
      ['server/server.key', 0o600],
      ['etcd/client-ca.pem', 0o644],
      ['etcd/client-cert.pem', 0o644],
      ['etcd/client-key.pem', 0o600],
      ['server/trusted-clients.yaml', 0o644],
      ['server/config-items.yaml', 0o600], // always: it holds, or may have held, the agent API token
    ]);
  });
  it('makes config-items.yaml 0600 once it holds the agent API token', () => {
    const files = renderAmsFiles({ ...state, configItems: { 'agent.api.token': 's3cret' } }, DIR);
    expect(files.find((f) => f.path === 'server/config-items.yaml')!.mode).toBe(0o600);
    expect(files.filter((f) => f.content.includes('s3cret')).map((f) => f.path)).toEqual(['server/config-items.yaml']);
  });
  it('writes no etcd client files with the embedded store', () => {
    expect(renderAmsFiles({ ...state, store: { embedded: true } }, DIR).map((f) => f.path)).not.toContain('etcd/client-key.pem');
  });
});
