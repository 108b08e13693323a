/**
 * Pure rendering of AMS's files from the charm's desired state.
 *
 * Paths and settings.yaml keys follow the published charm (canonical/ams-operator
 * `src/ams.py`: SNAP_COMMON_PATH=/var/snap/ams/common, server/settings.yaml,
 * etcd/client-{ca,cert,key}.pem; `templates/settings.yaml.j2`: listen-address, logger.level,
 * store.driver embedded-etcd|etcd with data.servers/key/cert/ca, artifacts, backend.port-range,
 * backend.force-tls12).
 *
 * Two files are the charm's own records rather than AMS inputs, so that each change has
 * exactly one consequence:
 * - `server/trusted-clients.yaml`: the client certificates (by SHA-256 fingerprint over DER)
 *   the charm has registered in AMS's trust store (`amc config trust add/remove`, as the
 *   published charm does). Adding or removing a client changes only this file. Written as
 *   JSON, one client per line (issue 8: js-yaml took ~75 ms per hook to parse and render it at
 *   1000 clients); JSON is YAML 1.2, so the `.yaml` name and YAML readers still work. The
 *   description is a `comment` key rather than a `#` line, so the file stays plain JSON.
 * - `server/config-items.yaml`: AMS runtime configuration items the charm owns
 *   (`load_balancer.url` from `location`, as the published `set_location`; `agent.api.*` from
 *   the agent relation). It holds the agent API token when one is set, so it is always 0600
 *   (a file that held a credential never becomes world-readable when the token goes).
 *
 * Not in the published template (our choice, unverified against AMS itself): the HTTPS API
 * certificate and key at server/server.crt and server/server.key.
 */
import { certificateFingerprint as tlsFingerprint } from '../../../lib/tls/fingerprint.ts';
import { dump, load } from 'js-yaml';
import { pemText, type DesiredFile } from '../../common/src/workload-files.ts';

export const AMS_COMMON_DIR = '/var/snap/ams/common';

export const AMS_FILES = {
  settings: 'server/settings.yaml',
  serverCert: 'server/server.crt',
  serverKey: 'server/server.key',
  trustStore: 'server/trusted-clients.yaml',
  configItems: 'server/config-items.yaml',
  etcdCa: 'etcd/client-ca.pem',
  etcdCert: 'etcd/client-cert.pem',
  etcdKey: 'etcd/client-key.pem',
} as const;

/** Files AMS itself reads at start: a change to any of them needs a restart. */
export const AMS_RESTART_FILES: readonly string[] = [
  AMS_FILES.settings,
  AMS_FILES.serverCert,
  AMS_FILES.serverKey,
  AMS_FILES.etcdCa,
  AMS_FILES.etcdCert,
  AMS_FILES.etcdKey,
];

/** Config items whose value is a credential (not put on argv; see workload.ts). */
export const AMS_SECRET_CONFIG_ITEMS: ReadonlySet<string> = new Set(['agent.api.token']);

export type AmsStore =
  | { readonly embedded: true }
  | {
      readonly embedded: false;
      /** etcd client URLs, e.g. `https://10.0.0.5:2379`. */
      readonly servers: readonly string[];
      readonly ca: string;
      readonly cert: string;
      readonly key: string;
    };

export interface AmsTrustedClient {
  /** Who the certificate belongs to, e.g. the remote unit `anbox-stream-agent/0`. */
  readonly name: string;
  readonly certificate: string;
}

export interface AmsWorkloadState {
  readonly listenAddress: string;
  readonly port: number;
  readonly logLevel: string;
  readonly portRange: string;
  readonly forceTls12: boolean;
  readonly store: AmsStore;
  /** AMS's own HTTPS certificate and key; null leaves AMS's self-generated one in place. */
  readonly tls: { readonly cert: string; readonly key: string } | null;
  readonly trustedClients: readonly AmsTrustedClient[];
  readonly configItems: Readonly<Record<string, string>>;
}

export interface TrustStoreEntry {
  readonly fingerprint: string;
  readonly name: string;
  readonly certificate: string;
}

/** SHA-256 over the DER encoding, lowercase hex without separators (AMS's format). */
export function certificateFingerprint(pem: string): string {
  return tlsFingerprint(pem, 'plain');
}

export function renderSettings(state: AmsWorkloadState, dir: string): string {
  const store = state.store.embedded
    ? { driver: 'embedded-etcd', data: `${dir}/etcd-data` }
    : {
        driver: 'etcd',
        data: {
          servers: [...state.store.servers].sort(),
          key: `${dir}/${AMS_FILES.etcdKey}`,
          cert: `${dir}/${AMS_FILES.etcdCert}`,
          ca: `${dir}/${AMS_FILES.etcdCa}`,
        },
      };
  if (!state.store.embedded && state.store.servers.length === 0) throw new Error('AMS external etcd needs at least one server');
  const settings = {
    'listen-address': `${state.listenAddress.includes(':') ? `[${state.listenAddress}]` : state.listenAddress}:${state.port}`,
    logger: { level: state.logLevel },
    store,
    artifacts: { provider: 'filesystem', path: `${dir}/data/artifacts` },
    backend: { 'port-range': state.portRange, 'force-tls12': state.forceTls12 },
  };
  return `# Rendered by the ams charm; local edits are overwritten.\n${yaml(settings)}`;
}

export function trustStoreEntries(clients: readonly AmsTrustedClient[]): TrustStoreEntry[] {
  if (clients.length === 0) return [];
  const byFingerprint = new Map<string, TrustStoreEntry>();
  // node:crypto at call time (~8 ms to load, issue 8): only a hook with a new client certificate pays.
  const { X509Certificate } = process.getBuiltinModule('node:crypto');
  for (const c of clients) {
    // Parsing validates the PEM and normalises it (one certificate, canonical line breaks).
    const certificate = new X509Certificate(c.certificate).toString();
    const fingerprint = certificateFingerprint(certificate);
    const existing = byFingerprint.get(fingerprint);
    // The same certificate from two units is one trust entry; keep a stable name.
    if (!existing || c.name < existing.name) byFingerprint.set(fingerprint, { fingerprint, name: c.name, certificate });
  }
  return [...byFingerprint.values()].sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
}

export const TRUST_STORE_COMMENT = 'Client certificates the ams charm registered in AMS (fingerprint: SHA-256 over DER).';

/**
 * JSON with one entry per line. Keys are followed by `": "` (not JSON.stringify's bare `:`),
 * the form every YAML 1.2 reader accepts inside a flow mapping.
 */
export function renderTrustStore(entries: readonly TrustStoreEntry[]): string {
  const s = JSON.stringify;
  const lines = entries.map((e) => `    {"fingerprint": ${s(e.fingerprint)}, "name": ${s(e.name)}, "certificate": ${s(e.certificate)}}`);
  const clients = lines.length === 0 ? '[]' : `[\n${lines.join(',\n')}\n  ]`;
  return `{\n  "comment": ${s(TRUST_STORE_COMMENT)},\n  "clients": ${clients}\n}\n`;
}

/**
 * The trust store a previous apply wrote; an absent or unreadable file means "nothing trusted
 * yet". JSON first (what this revision writes); YAML for a record an older revision wrote (a
 * `# ...` line, then block YAML) or one an operator edited.
 */
export function parseTrustStore(content: string | undefined): TrustStoreEntry[] {
  if (!content) return [];
  const doc = parseRecord(content) as { clients?: TrustStoreEntry[] } | null | undefined;
  return Array.isArray(doc?.clients) ? doc.clients.filter((c) => typeof c?.fingerprint === 'string') : [];
}

function parseRecord(content: string): unknown {
  if (content.startsWith('{')) {
    try {
      return JSON.parse(content);
    } catch {
      // not JSON after all (damaged or edited): YAML may still read it
    }
  }
  return loadYaml(content);
}

export function renderConfigItems(items: Readonly<Record<string, string>>): string {
  const sorted = Object.fromEntries(Object.entries(items).sort(([a], [b]) => a.localeCompare(b)));
  return `# AMS configuration items owned by the ams charm.\n${yaml({ items: sorted })}`;
}

export function parseConfigItems(content: string | undefined): Record<string, string> {
  if (!content) return {};
  const doc = loadYaml(content) as { items?: Record<string, string> } | undefined;
  return doc?.items && typeof doc.items === 'object' ? doc.items : {};
}

/** The files AMS itself reads (settings, API certificate, etcd client files). */
export function renderAmsServiceFiles(state: AmsWorkloadState, dir: string): DesiredFile[] {
  const files: DesiredFile[] = [{ path: AMS_FILES.settings, content: renderSettings(state, dir), mode: 0o644 }];
  if (state.tls) {
    files.push({ path: AMS_FILES.serverCert, content: pemText(state.tls.cert), mode: 0o644 });
    files.push({ path: AMS_FILES.serverKey, content: pemText(state.tls.key), mode: 0o600 });
  }
  if (!state.store.embedded) {
    files.push({ path: AMS_FILES.etcdCa, content: pemText(state.store.ca), mode: 0o644 });
    files.push({ path: AMS_FILES.etcdCert, content: pemText(state.store.cert), mode: 0o644 });
    files.push({ path: AMS_FILES.etcdKey, content: pemText(state.store.key), mode: 0o600 });
  }
  return files;
}

export function trustStoreFile(entries: readonly TrustStoreEntry[]): DesiredFile {
  return { path: AMS_FILES.trustStore, content: renderTrustStore(entries), mode: 0o644 };
}

/** Always 0600: it holds or may have held the agent API token. */
export function configItemsFile(items: Readonly<Record<string, string>>): DesiredFile {
  return { path: AMS_FILES.configItems, content: renderConfigItems(items), mode: 0o600 };
}

/** Every file of the desired state, as they are once an apply has fully succeeded. */
export function renderAmsFiles(state: AmsWorkloadState, dir: string): DesiredFile[] {
  return [...renderAmsServiceFiles(state, dir), trustStoreFile(trustStoreEntries(state.trustedClients)), configItemsFile(state.configItems)];
}

/** `load_balancer.url` as the published charm sets it from `location` and `port`. */
export function loadBalancerUrl(location: string, port: number): string {
  return `https://${location}:${port}`;
}

function yaml(value: unknown): string {
  return dump(value, { lineWidth: -1, noRefs: true });
}

function loadYaml(content: string): unknown {
  try {
    return load(content);
  } catch {
    return undefined; // a damaged record is rebuilt from the desired state
  }
}
