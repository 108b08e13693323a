/**
 * Pure rendering of the NATS server's files from the charm's desired state.
 *
 * Layout and file names follow the published charm (canonical/nats-operator `src/nats.py`:
 * SERVER_PATH=/var/snap/nats/common/server, nats.cfg, cert.pem, key.pem, ca.pem;
 * `templates/nats.cfg.j2`: listen, http: localhost:8222, authorization token, cluster
 * listen + nats-route:// routes, tls block with timeout 2 and verify).
 *
 * Differences from the published template, on purpose:
 * - every string is quoted and escaped (the template wrote paths and addresses bare);
 * - the tls block disappears when TLS material is cleared (a known defect of the original);
 * - `authorization` is either one shared token or a `users` list, never both: nats-server
 *   refuses the mix ("Can not have a token and a users array", measured on 2.9.10), so the
 *   charm picks the mode (design.md "Credentials per relation").
 */
import { pemText, type DesiredFile } from '../../common/src/workload-files.ts';

export const NATS_SERVER_DIR = '/var/snap/nats/common/server';

export const NATS_FILES = {
  config: 'nats.cfg',
  cert: 'cert.pem',
  key: 'key.pem',
  ca: 'ca.pem',
} as const;

export const NATS_MANAGED_FILES: readonly string[] = Object.values(NATS_FILES);

/** The published template's monitoring listener (local only, for a telegraf subordinate). */
export const NATS_DEFAULT_MONITOR = 'localhost:8222';

export interface NatsUser {
  readonly user: string;
  readonly password: string;
}

export type NatsAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'users'; readonly users: readonly NatsUser[] };

export interface NatsTls {
  readonly cert: string;
  readonly key: string;
  /** CA for verifying clients and cluster peers; optional like the published `tls-ca-cert`. */
  readonly ca?: string | undefined;
  readonly verifyClients: boolean;
}

export interface NatsCluster {
  readonly listenAddress: string;
  readonly port: number;
  /** Peer hosts (IP or name); each becomes `nats-route://<host>:<port>`. */
  readonly peers: readonly string[];
  /**
   * Mutual TLS between routes with the server certificate and CA (needs `tls.ca`, and leaf
   * certificates valid for client and server auth with the peers' addresses as SANs). Off by
   * default like the published charm, whose routes are plaintext and unauthenticated.
   */
  readonly secure?: boolean;
}

export interface NatsWorkloadState {
  readonly listenAddress: string;
  readonly clientPort: number;
  /** `host:port` for the monitoring endpoint; null turns it off. Published default `localhost:8222`. */
  readonly monitor: string | null;
  readonly cluster: NatsCluster | null;
  readonly tls: NatsTls | null;
  readonly auth: NatsAuth;
  readonly debug?: boolean;
  readonly trace?: boolean;
}

/** TLS handshake timeout in seconds, as in the published template. */
const TLS_TIMEOUT_SECONDS = 2;

/**
 * A double-quoted NATS config string. The nats-server lexer accepts the escapes \t \n \r \" \\
 * (conf/lex.go); other control characters cannot appear in a value we mean literally.
 */
export function natsString(value: string): string {
  if ([...value].some(isForbiddenControl)) {
    throw new Error('NATS config value contains a control character');
  }
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `"${escaped}"`;
}

function isForbiddenControl(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return (code < 0x20 && ch !== '\n' && ch !== '\r' && ch !== '\t') || code === 0x7f;
}

/** `host:port`, bracketing IPv6 literals. */
export function hostPort(host: string, port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid port ${port}`);
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function renderNatsConfig(state: NatsWorkloadState, dir: string): string {
  const lines: string[] = [
    '# Rendered by the nats charm; local edits are overwritten.',
    `listen: ${natsString(hostPort(state.listenAddress, state.clientPort))}`,
  ];
  if (state.monitor !== null) lines.push(`http: ${natsString(state.monitor)}`);
  lines.push(`debug: ${state.debug === true}`, `trace: ${state.trace === true}`);

  if (state.tls) {
    lines.push('tls {', `  cert_file: ${natsString(`${dir}/${NATS_FILES.cert}`)}`, `  key_file: ${natsString(`${dir}/${NATS_FILES.key}`)}`);
    if (state.tls.ca) lines.push(`  ca_file: ${natsString(`${dir}/${NATS_FILES.ca}`)}`);
    lines.push(`  verify: ${state.tls.verifyClients}`, `  timeout: ${TLS_TIMEOUT_SECONDS}`, '}');
  }

  if (state.auth.kind === 'token') {
    if (!state.auth.token) throw new Error('NATS token auth needs a non-empty token');
    lines.push('authorization {', `  token: ${natsString(state.auth.token)}`, '}');
  } else if (state.auth.kind === 'users') {
    const users = [...state.auth.users].sort((a, b) => a.user.localeCompare(b.user));
    if (users.length === 0) throw new Error('NATS users auth needs at least one user');
    if (new Set(users.map((u) => u.user)).size !== users.length) throw new Error('NATS users must be unique');
    lines.push('authorization {', '  users = [');
    for (const u of users) {
      if (!u.user || !u.password) throw new Error('NATS user and password must be non-empty');
      lines.push(`    { user: ${natsString(u.user)}, password: ${natsString(u.password)} }`);
    }
    lines.push('  ]', '}');
  }

  if (state.cluster) {
    const c = state.cluster;
    const routes = [...new Set(c.peers)].sort().map((peer) => `nats-route://${hostPort(peer, c.port)}`);
    lines.push('cluster {', `  listen: ${natsString(hostPort(c.listenAddress, c.port))}`);
    if (c.secure) {
      if (!state.tls?.ca) throw new Error('NATS cluster TLS needs the server TLS material and a CA');
      lines.push(
        '  tls {',
        `    cert_file: ${natsString(`${dir}/${NATS_FILES.cert}`)}`,
        `    key_file: ${natsString(`${dir}/${NATS_FILES.key}`)}`,
        `    ca_file: ${natsString(`${dir}/${NATS_FILES.ca}`)}`,
        '    verify: true',
        `    timeout: ${TLS_TIMEOUT_SECONDS}`,
        '  }',
      );
    }
    if (routes.length > 0) {
      lines.push('  routes = [', ...routes.map((r) => `    ${natsString(r)}`), '  ]');
    }
    lines.push('}');
  }
  return `${lines.join('\n')}\n`;
}

/** Every file the NATS server reads, with its mode: a config holding credentials is 0600. */
export function renderNatsFiles(state: NatsWorkloadState, dir: string): DesiredFile[] {
  const files: DesiredFile[] = [
    { path: NATS_FILES.config, content: renderNatsConfig(state, dir), mode: state.auth.kind === 'none' ? 0o644 : 0o600 },
  ];
  if (state.tls) {
    files.push({ path: NATS_FILES.cert, content: pemText(state.tls.cert), mode: 0o644 });
    files.push({ path: NATS_FILES.key, content: pemText(state.tls.key), mode: 0o600 });
    if (state.tls.ca) files.push({ path: NATS_FILES.ca, content: pemText(state.tls.ca), mode: 0o644 });
  }
  return files;
}

/**
 * The lines of a rendered nats.cfg that nats-server cannot change on reload: the client and
 * monitor listeners, the cluster listener, and whether TLS (client or route) and clustering
 * are on at all.
 * Everything else (certificates, authorization, routes, debug/trace) is reloadable.
 */
export function restartRelevant(config: string): string {
  return config
    .split('\n')
    .filter((l) => /^(listen|http):/.test(l) || /^(tls|cluster) \{/.test(l) || /^ {2}(listen:|tls \{)/.test(l))
    .join('\n');
}
