/**
 * AMS's external etcd mode (`use_embedded_etcd=false`) in-process: the `etcd` relation's
 * `connection_string` + `ca_cert` become settings.yaml's store; we publish our client
 * certificate and CA; bad data blocks naming the field; losing the relation keeps the last
 * datastore rendered (so trust changes still reach AMS) and says what is missing.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { defineCharm } from '../../../lib/juju/dispatch.ts';
import { active } from '../../../lib/juju/status.ts';
import type { CharmSpec } from '../../../lib/testing/engine/api.ts';
import { CertificateAuthority } from '../../../lib/tls/ca.ts';
import { CharmHarness } from '../../common/src/testing/charm-harness.ts';
import { renderEmbeddedEtcdConfig } from './etcd.ts';

const ETCD: CharmSpec = {
  name: 'fake-etcd', provides: { db: { interface: 'etcd' } }, requires: {}, peers: {},
  config: { servers: { type: 'string', default: '' }, ca: { type: 'string', default: '' } }, actions: {},
};
/** The provider side: publishes its config as `connection_string` / `ca_cert` (leader app bag). */
const fakeEtcd = defineCharm({
  reconcile: ({ tools }) => {
    const c = tools.configGet();
    if (tools.isLeader()) for (const id of tools.relationIds('db')) tools.relationSet(id, { connection_string: String(c['servers'] ?? ''), ca_cert: String(c['ca'] ?? '') }, { app: true });
    return active();
  },
});

interface Settings { store: { driver: string; data: { servers: string[]; ca: string } } }

describe('ams with an external etcd', () => {
  let h: CharmHarness;
  afterEach(() => h?.cleanup());

  it('blocks without the relation, renders the relation\'s servers and CA, publishes our client certificate', async () => {
    h = new CharmHarness();
    h.charms.set('fake-etcd', fakeEtcd);
    h.engine.addModel('m');
    h.deploy('m', 'ams', { config: { key_algorithm: 'ec-p384', use_embedded_etcd: false } });
    await h.settle();
    expect(h.failures).toEqual([]);
    expect(h.statuses('m')['ams/0']).toBe('blocked: missing relation "etcd": relate ams:etcd to etcd, or set use_embedded_etcd=true');

    const etcdCa = (await CertificateAuthority.create({ commonName: 'etcd CA', key: { type: 'ec', curve: 'P-256' } })).certPem;
    h.engine.deploy('m', ETCD, 'etcd', { config: { servers: 'https://10.5.0.1:2379,https://10.5.0.2:2379', ca: etcdCa } });
    const rid = h.engine.integrate('m', 'ams:etcd', 'etcd:db');
    await h.settle();
    expect(h.failures).toEqual([]);
    expect(h.statuses('m')['ams/0']).toBe('active');
    const dir = h.unitDir('m', 'ams/0', 'ams');
    const settings = load(readFileSync(join(dir, 'server/settings.yaml'), 'utf8')) as Settings;
    expect(settings.store.driver).toBe('etcd');
    expect(settings.store.data.servers).toEqual(['https://10.5.0.1:2379', 'https://10.5.0.2:2379']);
    expect(readFileSync(settings.store.data.ca, 'utf8').trim()).toBe(etcdCa.trim());
    const show = h.engine.showUnit('m', 'ams/0') as Record<string, { 'relation-info': Array<{ endpoint: string; 'local-unit': { data: Record<string, string> } }> }>;
    const ours = show['ams/0']!['relation-info'].find((r) => r.endpoint === 'etcd')!['local-unit'].data;
    expect(ours['client_certificate']).toBe(readFileSync(join(dir, 'etcd/client-cert.pem'), 'utf8'));
    expect(ours['client_ca']).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(JSON.stringify(ours)).not.toMatch(/PRIVATE KEY/);

    // Bad data: blocked naming the field; the datastore stays as it was.
    h.engine.setConfig('m', 'etcd', { servers: 'http://10.5.0.1:2379' });
    await h.settle();
    expect(h.statuses('m')['ams/0']).toBe(`blocked: etcd:${rid} field "connection_string": every entry must be an https://host:port URL (AMS uses TLS client certificates)`);
    expect((load(readFileSync(join(dir, 'server/settings.yaml'), 'utf8')) as Settings).store.data.servers).toEqual(['https://10.5.0.1:2379', 'https://10.5.0.2:2379']);

    // The relation goes: still rendered from the last datastore, and blocked on the missing relation.
    h.engine.removeRelation('m', 'ams:etcd', 'etcd:db');
    await h.settle();
    expect(h.failures).toEqual([]);
    expect(h.statuses('m')['ams/0']).toMatch(/^blocked: missing relation "etcd"/);
    expect((load(readFileSync(join(dir, 'server/settings.yaml'), 'utf8')) as Settings).store.data.servers).toEqual(['https://10.5.0.1:2379', 'https://10.5.0.2:2379']);
  }, 60_000);

  it('the embedded etcd config points etcd at the rendered server files with client-cert auth', () => {
    const conf = load(renderEmbeddedEtcdConfig('/x')) as { 'listen-client-urls': string; 'client-transport-security': Record<string, unknown> };
    expect(conf['listen-client-urls']).toBe('https://127.0.0.1:2379');
    expect(conf['client-transport-security']).toEqual({
      'cert-file': '/x/etcd/server-cert.pem', 'key-file': '/x/etcd/server-key.pem', 'client-cert-auth': true, 'trusted-ca-file': '/x/etcd/server-ca.pem',
    });
  });
});
