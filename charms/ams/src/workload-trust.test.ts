/**
 * The trust store record at scale (issue 8): a certificate the record already holds is not
 * parsed again, the result is what trustStoreEntries gives, and an unchanged set of clients
 * does not re-render the record.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dump } from 'js-yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCa, type TestKeyPair } from '../../common/src/workload-test-certs.ts';
import { AmsWorkload, certificateFingerprint, parseTrustStore, renderTrustStore, TRUST_SYNC_KEY, trustStoreEntries, trustSyncValue, wantedTrustEntries, type AmsControl, type AmsWorkloadState } from './workload.ts';

let a0: TestKeyPair;
let a1: TestKeyPair;
let dir: string;
let calls: string[];
const control: AmsControl = {
  restart: async () => void calls.push('restart'),
  trustClient: async (e) => void calls.push(`trust ${e.name}`),
  untrustClient: async (fp) => void calls.push(`untrust ${fp.slice(0, 8)}`),
  setConfigItem: async (name) => void calls.push(`set ${name}`),
};
const state: AmsWorkloadState = {
  listenAddress: '0.0.0.0', port: 8444, logLevel: 'info', portRange: '10000-11000', forceTls12: false,
  store: { embedded: true }, tls: null, trustedClients: [], configItems: {},
};

beforeAll(() => {
  a0 = makeCa('agent-0');
  a1 = makeCa('agent-1');
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wl-ams-trust-'));
  calls = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('wantedTrustEntries', () => {
  it('gives what trustStoreEntries gives (one entry per certificate, smallest name, sorted)', () => {
    const clients = [
      { name: 'agent/3', certificate: a1.cert },
      { name: 'agent/0', certificate: a0.cert },
      { name: 'agent/2', certificate: a1.cert.replace(/\n/g, '\r\n') },
      { name: 'agent/1', certificate: a0.cert },
    ];
    const expected = trustStoreEntries(clients);
    expect(wantedTrustEntries(clients, [])).toEqual(expected);
    expect(wantedTrustEntries(clients, expected)).toEqual(expected);
    expect(wantedTrustEntries(clients, expected.slice(0, 1))).toEqual(expected);
  });

  it('takes the fingerprint of a certificate the record holds in the same text, without parsing it', () => {
    const recorded = [{ name: 'agent/9', fingerprint: 'recorded', certificate: a0.cert }];
    expect(wantedTrustEntries([{ name: 'agent/0', certificate: a0.cert }], recorded)).toEqual([{ name: 'agent/0', fingerprint: 'recorded', certificate: a0.cert }]);
    // Another text of the same certificate is parsed (and normalised).
    expect(wantedTrustEntries([{ name: 'agent/0', certificate: a0.cert.replace(/\n/g, '\r\n') }], recorded)).toEqual([
      { name: 'agent/0', fingerprint: certificateFingerprint(a0.cert), certificate: a0.cert },
    ]);
  });
});

describe('AmsWorkload trust store record', () => {
  it('an unchanged set of clients does not rewrite the record; a change does', async () => {
    const wl = new AmsWorkload({ dir, control });
    const clients = [{ name: 'agent/0', certificate: a0.cert }];
    await wl.apply({ ...state, trustedClients: clients });
    const file = wl.path('server/trusted-clients.yaml');
    const edited = `# an operator's note\n${readFileSync(file, 'utf8')}`;
    writeFileSync(file, edited);
    calls = [];
    expect((await wl.apply({ ...state, trustedClients: clients })).changes).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(edited);
    expect(calls).toEqual([]);

    const more = await wl.apply({ ...state, trustedClients: [...clients, { name: 'agent/1', certificate: a1.cert }] });
    expect(more.changes).toEqual([{ path: 'server/trusted-clients.yaml', kind: 'updated' }]);
    expect(calls).toEqual(['trust agent/1']);
    expect(wl.recorded().trusted.map((e) => e.name)).toEqual(trustStoreEntries([...clients, { name: 'agent/1', certificate: a1.cert }]).map((e) => e.name));
  });

  it('takes over the YAML record an older charm revision wrote, and writes JSON at the next change', async () => {
    const clients = [{ name: 'agent/0', certificate: a0.cert }];
    const wl = new AmsWorkload({ dir, control });
    await wl.apply({ ...state, trustedClients: clients });
    // The record as the revision before the JSON record rendered it (js-yaml dump after a comment).
    const file = wl.path('server/trusted-clients.yaml');
    const older = `# Client certificates the ams charm registered in AMS (fingerprint: SHA-256 over DER).\n${dump({ clients: trustStoreEntries(clients) }, { lineWidth: -1, noRefs: true })}`;
    expect(older).toContain('- fingerprint: ');
    writeFileSync(file, older);
    calls = [];
    expect(wl.recorded().trusted.map((e) => e.name)).toEqual(['agent/0']);
    // Same clients: AMS is told nothing again and the record is left as it is.
    expect((await wl.apply({ ...state, trustedClients: clients })).changes).toEqual([]);
    expect(calls).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(older);

    const both = [...clients, { name: 'agent/1', certificate: a1.cert }];
    expect((await wl.apply({ ...state, trustedClients: both })).changes).toEqual([{ path: 'server/trusted-clients.yaml', kind: 'updated' }]);
    expect(calls).toEqual(['trust agent/1']);
    const text = readFileSync(file, 'utf8');
    expect((JSON.parse(text) as { clients: unknown }).clients).toEqual(trustStoreEntries(both));
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });

  it('rewrites a record that does not parse', async () => {
    const wl = new AmsWorkload({ dir, control });
    await wl.apply(state);
    const file = wl.path('server/trusted-clients.yaml');
    const clean = readFileSync(file, 'utf8');
    writeFileSync(file, '::: not yaml');
    expect((await wl.apply(state)).changes).toEqual([{ path: 'server/trusted-clients.yaml', kind: 'updated' }]);
    expect(readFileSync(file, 'utf8')).toBe(clean);
  });

});

describe('AmsWorkload trust sync memo', () => {
  const mapMemo = () => {
    const values = new Map<string, string>();
    return { values, get: (k: string) => values.get(k), set: (k: string, v: string) => void values.set(k, v) };
  };
  const c0 = () => ({ name: 'agent/0', certificate: a0.cert });
  const c1 = () => ({ name: 'agent/1', certificate: a1.cert });

  it('remembers a full sync, and relies on it only while the record and the clients are the same', async () => {
    const memo = mapMemo();
    const wl = new AmsWorkload({ dir, control });
    await wl.apply({ ...state, trustedClients: [c0(), c1()] }, { memo });
    const file = wl.path('server/trusted-clients.yaml');
    expect(memo.values.get(TRUST_SYNC_KEY)).toBe(trustSyncValue(readFileSync(file, 'utf8'), [c0(), c1()]));

    calls = [];
    expect(await wl.apply({ ...state, trustedClients: [c0(), c1()] }, { memo })).toMatchObject({ changes: [], trusted: [], untrusted: [] });
    expect(calls).toEqual([]);

    // The record changed behind the memo's back (an entry lost): the full sync runs again.
    writeFileSync(file, renderTrustStore(parseTrustStore(readFileSync(file, 'utf8')).slice(1)));
    await wl.apply({ ...state, trustedClients: [c0(), c1()] }, { memo });
    expect(calls).toHaveLength(1);

    // Other clients: the full sync runs.
    calls = [];
    await wl.apply({ ...state, trustedClients: [c1()] }, { memo });
    expect(calls).toEqual([`untrust ${certificateFingerprint(a0.cert).slice(0, 8)}`]);
    expect(memo.values.get(TRUST_SYNC_KEY)).toBe(trustSyncValue(readFileSync(file, 'utf8'), [c1()]));
  });

  it('a memo hit does not parse the record (so a forged memo would be believed: the memo is the charm\'s own)', async () => {
    const memo = mapMemo();
    const wl = new AmsWorkload({ dir, control });
    await wl.apply({ ...state, trustedClients: [c0()] }, { memo });
    const file = wl.path('server/trusted-clients.yaml');
    memo.set(TRUST_SYNC_KEY, trustSyncValue(readFileSync(file, 'utf8'), [c0(), c1()]));
    calls = [];
    await wl.apply({ ...state, trustedClients: [c0(), c1()] }, { memo });
    expect(calls).toEqual([]);
    // Without the memo the record is read and agent/1 added.
    await wl.apply({ ...state, trustedClients: [c0(), c1()] });
    expect(calls).toEqual(['trust agent/1']);
  });

  it('is not remembered when AMS refused a call', async () => {
    const memo = mapMemo();
    const failing: AmsControl = { ...control, trustClient: async () => { throw new Error('amc failed'); } };
    await expect(new AmsWorkload({ dir, control: failing }).apply({ ...state, trustedClients: [c0()] }, { memo })).rejects.toThrow('amc failed');
    expect(memo.values.has(TRUST_SYNC_KEY)).toBe(false);
  });
});
