import { describe, it, expect, beforeAll, beforeEach, afterEach } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingRunner } from '../../common/src/workload-commands.ts';
import { makeCa, type TestKeyPair } from '../../common/src/workload-test-certs.ts';
import { AmsApiUnavailableError, AmsWorkload, certificateFingerprint, parseTrustStore, snapAmsControl, type AmsControl, type AmsWorkloadState } from './workload.ts';

let dir: string;
let calls: string[];
let failOn: string | undefined;
let control: AmsControl;
let a0: TestKeyPair;
let a1: TestKeyPair;

beforeAll(() => {
  a0 = makeCa('agent-0');
  a1 = makeCa('agent-1');
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wl-ams-'));
  calls = [];
  failOn = undefined;
  const record = (call: string) => {
    if (failOn && call.startsWith(failOn)) {
      failOn = undefined;
      throw new Error(`${call} failed`);
    }
    calls.push(call);
  };
  control = {
    restart: async () => record('restart'),
    trustClient: async (e) => record(`trust ${e.name}`),
    untrustClient: async (fp) => record(`untrust ${fp.slice(0, 8)}`),
    setConfigItem: async (name, value) => record(`set ${name}=${value}`),
  };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const state: AmsWorkloadState = {
  listenAddress: '0.0.0.0',
  port: 8444,
  logLevel: 'info',
  portRange: '10000-11000',
  forceTls12: false,
  store: { embedded: true },
  tls: { cert: 'SRV', key: 'SRVKEY' },
  trustedClients: [],
  configItems: {},
};

describe('AmsWorkload.apply', () => {
  it('first apply writes settings and restarts; second apply does nothing', async () => {
    const wl = new AmsWorkload({ dir, control });
    const first = await wl.apply(state);
    expect(first.restarted).toBe(true);
    expect(calls).toEqual(['restart']);
    expect(readFileSync(wl.path('server/settings.yaml'), 'utf8')).toContain('driver: embedded-etcd');
    expect(statSync(wl.path('server/server.key')).mode & 0o777).toBe(0o600);
    const second = await wl.apply(state);
    expect(second).toEqual({ changes: [], restarted: false, trusted: [], untrusted: [], configItemsSet: [], configItemsPending: [] });
    expect(calls).toEqual(['restart']);
  });

  it('adding and removing a trusted client touches only the trust store, without restart', async () => {
    const wl = new AmsWorkload({ dir, control });
    await wl.apply(state);
    calls = [];
    const added = await wl.apply({ ...state, trustedClients: [{ name: 'agent/0', certificate: a0.cert }, { name: 'agent/1', certificate: a1.cert }] });
    expect(added.restarted).toBe(false);
    expect(added.changes).toEqual([{ path: 'server/trusted-clients.yaml', kind: 'updated' }]);
    expect([...added.trusted].sort()).toEqual([certificateFingerprint(a0.cert), certificateFingerprint(a1.cert)].sort());
    expect(calls.sort()).toEqual(['trust agent/0', 'trust agent/1']);

    calls = [];
    const removed = await wl.apply({ ...state, trustedClients: [{ name: 'agent/1', certificate: a1.cert }] });
    expect(removed.changes).toEqual([{ path: 'server/trusted-clients.yaml', kind: 'updated' }]);
    expect(removed.untrusted).toEqual([certificateFingerprint(a0.cert)]);
    expect(calls).toEqual([`untrust ${certificateFingerprint(a0.cert).slice(0, 8)}`]);
    expect(parseTrustStore(readFileSync(wl.path('server/trusted-clients.yaml'), 'utf8')).map((e) => e.name)).toEqual(['agent/1']);
  });

  it('a failed trust call keeps the record true and is redone by the next apply', async () => {
    const wl = new AmsWorkload({ dir, control });
    await wl.apply(state);
    const both = { ...state, trustedClients: [{ name: 'agent/0', certificate: a0.cert }, { name: 'agent/1', certificate: a1.cert }] };
    failOn = 'trust agent/1';
    calls = [];
    await expect(wl.apply(both)).rejects.toThrow('trust agent/1 failed');
    const recorded = parseTrustStore(readFileSync(wl.path('server/trusted-clients.yaml'), 'utf8')).map((e) => e.name);
    expect(recorded.length).toBeLessThan(2);
    calls = [];
    await wl.apply(both);
    // Only what the record does not show as done is redone.
    expect(calls.sort()).toEqual(['agent/0', 'agent/1'].filter((n) => !recorded.includes(n)).map((n) => `trust ${n}`));
    expect(parseTrustStore(readFileSync(wl.path('server/trusted-clients.yaml'), 'utf8')).map((e) => e.name).sort()).toEqual(['agent/0', 'agent/1']);
  });

  it('switching to an external etcd writes the client files and restarts; back removes them', async () => {
    const wl = new AmsWorkload({ dir, control });
    await wl.apply(state);
    calls = [];
    const ext = await wl.apply({ ...state, store: { embedded: false, servers: ['https://10.0.0.5:2379'], ca: 'CA', cert: 'C', key: 'K' } });
    expect(ext.restarted).toBe(true);
    expect(statSync(wl.path('etcd/client-key.pem')).mode & 0o777).toBe(0o600);
    await wl.apply(state);
    expect(existsSync(wl.path('etcd/client-key.pem'))).toBe(false);
    expect(calls).toEqual(['restart', 'restart']);
  });

  it('sets only changed config items, resets dropped ones, and keeps the items file 0600', async () => {
    const wl = new AmsWorkload({ dir, control });
    await wl.apply({ ...state, configItems: { 'load_balancer.url': 'https://a:8444', 'agent.api.token': 't1' } });
    expect(calls).toEqual(['restart', 'set agent.api.token=t1', 'set load_balancer.url=https://a:8444']);
    expect(statSync(wl.path('server/config-items.yaml')).mode & 0o777).toBe(0o600);
    calls = [];
    const r = await wl.apply({ ...state, configItems: { 'load_balancer.url': 'https://b:8444' } });
    expect(r.restarted).toBe(false);
    expect(calls).toEqual(['set agent.api.token=', 'set load_balancer.url=https://b:8444']);
    // Still 0600 once the token is gone: the file held a credential (issue 4/6 finding).
    expect(statSync(wl.path('server/config-items.yaml')).mode & 0o777).toBe(0o600);
  });

  it('a failed restart is retried by the next apply', async () => {
    const wl = new AmsWorkload({ dir, control });
    failOn = 'restart';
    await expect(wl.apply(state)).rejects.toThrow('restart failed');
    expect((await wl.apply(state)).restarted).toBe(true);
    expect((await wl.apply(state)).restarted).toBe(false);
  });
});

describe('snapAmsControl', () => {
  it('drives amc for trust and non-secret items, and never puts the certificate file in place for long', async () => {
    const run = recordingRunner();
    const c = snapAmsControl(dir, run);
    await c.restart();
    await c.trustClient({ fingerprint: certificateFingerprint(a0.cert), name: 'agent/0', certificate: a0.cert });
    await c.untrustClient('ab'.repeat(32));
    await c.setConfigItem('load_balancer.url', 'https://a:8444');
    expect(run.calls[0]).toEqual(['snap', 'restart', 'ams']);
    expect(run.calls[1]!.slice(0, 4)).toEqual(['amc', 'config', 'trust', 'add']);
    expect(existsSync(run.calls[1]![4]!)).toBe(false);
    expect(run.calls.slice(2)).toEqual([
      ['amc', 'config', 'trust', 'remove', 'ab'.repeat(32)],
      ['amc', 'config', 'set', 'load_balancer.url', 'https://a:8444'],
    ]);
  });

  it('sends a secret item to the AMS API over the unix socket, never on argv', async () => {
    const received: string[] = [];
    mkdirSync(join(dir, 'server'), { recursive: true });
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(`${req.method} ${req.url} ${body}`);
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(join(dir, 'server/unix.socket'), r));
    try {
      const run = recordingRunner();
      await snapAmsControl(dir, run).setConfigItem('agent.api.token', 'hush');
      expect(run.calls).toEqual([]);
      expect(received).toEqual(['PATCH /1.0/config {"name":"agent.api.token","value":"hush"}']);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('with no AMS API socket (AMS not up) a secret item is AmsApiUnavailableError, nothing on argv', async () => {
    const run = recordingRunner();
    await expect(snapAmsControl(dir, run).setConfigItem('agent.api.token', 'hush')).rejects.toBeInstanceOf(AmsApiUnavailableError);
    expect(run.calls).toEqual([]);
  });
});
