/**
 * AMS's datastore: etcd reached over mutual TLS, in one of two modes.
 *
 * Embedded (`use_embedded_etcd`, the default): an etcd on this machine, started from files
 * the charm renders under `<AMS_COMMON>/etcd/` — the etcd server certificate and key, the CA,
 * and `etcd.conf.yml` (etcd's own `--config-file` format: client-cert auth on
 * https://127.0.0.1:2379). AMS's client certificate is signed by the same CA as the server's,
 * so `etcd --config-file <dir>/etcd/etcd.conf.yml` (Debian's etcd 3.4) accepts exactly AMS.
 *
 * External (`use_embedded_etcd=false`): the `etcd` relation (interface `etcd`; no schema in
 * lib/relations yet, so validated here). Keys, chosen to stay compatible with the published
 * etcd charm's `db` relation where it is safe:
 *  - provider (etcd), unit or app bag: `connection_string` — comma-separated
 *    `https://host:port` client URLs; `ca_cert` (or the published charm's `client_ca`) — the
 *    CA that signed etcd's server certificate. A `client_key` the published charm may send is
 *    ignored: we never take a private key from a databag.
 *  - requirer (ams), own unit bag: `client_certificate` (our etcd client certificate) and
 *    `client_ca` (the CA bundle that signs it), so etcd can trust AMS's client certificates.
 */
import { dump } from 'js-yaml';
import type { HookTools } from '../../../lib/juju/types.ts';
import type { Relation } from '../../../lib/relations/relation.ts';
import { applyFiles, pemText, type DesiredFile, type FileChange } from '../../common/src/workload-files.ts';
import type { StatusBook } from '../../common/src/status-book.ts';
import type { AmsStore } from './workload.ts';

export const ETCD_ENDPOINT = 'etcd';
export const EMBEDDED_CLIENT_URL = 'https://127.0.0.1:2379';
export const EMBEDDED_PEER_URL = 'http://127.0.0.1:2380';

export const EMBEDDED_FILES = {
  config: 'etcd/etcd.conf.yml',
  serverCert: 'etcd/server-cert.pem',
  serverKey: 'etcd/server-key.pem',
  ca: 'etcd/server-ca.pem',
} as const;
const EMBEDDED_MANAGED: readonly string[] = Object.values(EMBEDDED_FILES);

export interface EtcdMaterial {
  /** AMS's etcd client certificate + key and the CA bundle that signs our leaves. */
  readonly client: { readonly certPem: string; readonly keyPem: string };
  readonly server?: { readonly certPem: string; readonly keyPem: string } | undefined;
  readonly caPem: string;
}

/** etcd's config file for the embedded mode (keys of etcd 3.4 `--config-file`). */
export function renderEmbeddedEtcdConfig(dir: string): string {
  const config = {
    name: 'ams-embedded',
    'data-dir': `${dir}/etcd/data`,
    'listen-client-urls': EMBEDDED_CLIENT_URL,
    'advertise-client-urls': EMBEDDED_CLIENT_URL,
    'listen-peer-urls': EMBEDDED_PEER_URL,
    'initial-advertise-peer-urls': EMBEDDED_PEER_URL,
    'initial-cluster': `ams-embedded=${EMBEDDED_PEER_URL}`,
    'client-transport-security': {
      'cert-file': `${dir}/${EMBEDDED_FILES.serverCert}`,
      'key-file': `${dir}/${EMBEDDED_FILES.serverKey}`,
      'client-cert-auth': true,
      'trusted-ca-file': `${dir}/${EMBEDDED_FILES.ca}`,
    },
  };
  return `# Rendered by the ams charm: etcd --config-file ${dir}/${EMBEDDED_FILES.config}\n${dump(config, { lineWidth: -1 })}`;
}

/** Write (or, with null, remove) the embedded etcd's server files. Returns what changed. */
export function applyEmbeddedEtcdFiles(dir: string, material: EtcdMaterial | null): FileChange[] {
  const files: DesiredFile[] = material?.server
    ? [
      { path: EMBEDDED_FILES.config, content: renderEmbeddedEtcdConfig(dir), mode: 0o644 },
      { path: EMBEDDED_FILES.serverCert, content: pemText(material.server.certPem), mode: 0o644 },
      { path: EMBEDDED_FILES.serverKey, content: pemText(material.server.keyPem), mode: 0o600 },
      { path: EMBEDDED_FILES.ca, content: pemText(material.caPem), mode: 0o644 },
    ]
    : [];
  return applyFiles(dir, files, EMBEDDED_MANAGED);
}

export function embeddedStore(material: EtcdMaterial): AmsStore {
  return { embedded: false, servers: [EMBEDDED_CLIENT_URL], ca: material.caPem, cert: material.client.certPem, key: material.client.keyPem };
}

const URL_PATTERN = /^https:\/\/[A-Za-z0-9.:_\-[\]%]+:\d{1,5}$/;
const PEM_CERT = /^\s*(-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/;

/**
 * External mode: publish our client certificate + CA on the relation and read etcd's
 * servers and CA. Returns the store, or undefined with the reason recorded in `book`.
 */
export function externalStore(relation: Relation | undefined, material: EtcdMaterial | undefined, book: StatusBook): AmsStore | undefined {
  if (!relation) {
    book.blocked(`missing relation "${ETCD_ENDPOINT}": relate ams:etcd to etcd, or set use_embedded_etcd=true`);
    return undefined;
  }
  if (!material) return undefined; // the certificate status already says why
  relation.local.update({ client_certificate: material.client.certPem, client_ca: material.caPem });
  const bags = [relation.remoteAppBag.all(), ...relation.remoteUnitBags().map((b) => b.all())];
  const connection = bags.map((b) => b['connection_string']).find(Boolean);
  const ca = bags.map((b) => b['ca_cert'] ?? b['client_ca']).find(Boolean);
  if (!connection || !ca) {
    book.waiting(`waiting for etcd on ${relation.name} to publish ${!connection ? 'connection_string' : 'ca_cert'}`);
    return undefined;
  }
  const servers = connection.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = servers.find((s) => !URL_PATTERN.test(s));
  if (servers.length === 0 || bad !== undefined) {
    book.blocked(`${relation.name} field "connection_string": every entry must be an https://host:port URL (AMS uses TLS client certificates)`);
    return undefined;
  }
  if (!PEM_CERT.test(ca) || /PRIVATE KEY/.test(ca)) {
    book.blocked(`${relation.name} field "ca_cert": must be a PEM certificate`);
    return undefined;
  }
  return { embedded: false, servers, ca, cert: material.client.certPem, key: material.client.keyPem };
}

/** Unit state: the last external etcd the workload was rendered with (public: URLs and CA). */
const LAST_ETCD_KEY = 'ams.etcd';

export interface DatastoreInput {
  readonly embedded: boolean;
  /** The `etcd` relation, if any (external mode). */
  readonly relation: Relation | undefined;
  readonly client: { readonly certPem: string; readonly keyPem: string } | undefined;
  readonly server: { readonly certPem: string; readonly keyPem: string } | undefined;
  /** CA bundle that signs our leaves. */
  readonly caPem: string | undefined;
}

/** The datastore AMS uses; no store (reason in `book`, or in the certificate status) when it cannot be rendered yet. */
export function resolveDatastore(tools: Pick<HookTools, 'stateGet' | 'stateSet'>, input: DatastoreInput, book: StatusBook): { store?: AmsStore; material?: EtcdMaterial } {
  const { client, server, caPem } = input;
  const material: EtcdMaterial | undefined = client && caPem ? { client, caPem, ...(server ? { server } : {}) } : undefined;
  if (input.embedded) return material?.server ? { store: embeddedStore(material), material } : {};
  const store = externalStore(input.relation, material, book);
  if (store && !store.embedded) {
    const last = JSON.stringify({ servers: store.servers, ca: store.ca });
    if (tools.stateGet()[LAST_ETCD_KEY] !== last) tools.stateSet({ [LAST_ETCD_KEY]: last });
    return { store };
  }
  // No usable relation now: keep rendering the last datastore we had, so trust changes still
  // reach AMS (a departed client must never stay trusted), and the status says what is missing.
  const previous = tools.stateGet()[LAST_ETCD_KEY];
  if (previous && material) {
    const p = JSON.parse(previous) as { servers: string[]; ca: string };
    return { store: { embedded: false, servers: p.servers, ca: p.ca, cert: material.client.certPem, key: material.client.keyPem } };
  }
  return {};
}
