/**
 * Pure rendering of the Anbox Stream Agent's files from the charm's desired state.
 *
 * `config.yaml` carries everything the agent process needs to reach AMS and NATS. Its keys
 * are this project's own (the published agent charm's template is not public; the snap's
 * SNAP_COMMON path /var/snap/anbox-stream-agent/common follows snap conventions and is not
 * verified against the real snap). The NATS credential (token, or user + password when NATS
 * gives each relation its own) and the agent API token appear in this file only, which is
 * then 0600; certificates are separate 0644 files, the private key 0600.
 *
 * The file is a YAML comment line followed by pretty JSON: JSON is YAML 1.2 (go-yaml and
 * js-yaml read it), and JSON.stringify costs nothing where js-yaml's dump took 5-7 ms per hook
 * cold (issue 8; the AMS charm writes its trust-store record as JSON for the same reason).
 */
import { normalizeFingerprint as plainHex } from '../../../lib/tls/fingerprint.ts';
import { pemText, type DesiredFile } from '../../common/src/workload-files.ts';

export const AGENT_COMMON_DIR = '/var/snap/anbox-stream-agent/common';

export const AGENT_FILES = {
  config: 'config.yaml',
  clientCert: 'certs/client.crt',
  clientKey: 'certs/client.key',
  amsCa: 'certs/ams-ca.crt',
  natsCa: 'certs/nats-ca.crt',
} as const;

export const AGENT_MANAGED_FILES: readonly string[] = Object.values(AGENT_FILES);

export type NatsCredential =
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'user'; readonly user: string; readonly password: string };

export interface AgentAms {
  /** e.g. `https://10.0.0.1:8444`. */
  readonly url: string;
  /** SHA-256 fingerprint (hex) of AMS's certificate, used when `tls_use_pinning` is on. */
  readonly fingerprint?: string | undefined;
  /** CA that signed AMS's certificate, used when pinning is off. */
  readonly ca?: string | undefined;
}

export interface AgentNats {
  /** Server URLs without credentials, e.g. `tls://10.0.0.2:4222`. */
  readonly urls: readonly string[];
  readonly ca?: string | undefined;
  readonly credential: NatsCredential | null;
}

export interface AgentWorkloadState {
  readonly region: string;
  readonly location: string;
  readonly useTlsPinning: boolean;
  /** The agent's own certificate: client certificate towards AMS, server certificate of its API. */
  readonly clientCert: string;
  readonly clientKey: string;
  readonly ams: AgentAms | null;
  readonly nats: AgentNats | null;
  /** The agent's HTTPS API that AMS calls (`agent.api.*` on the AMS side). */
  readonly api: { readonly listenAddress: string; readonly port: number; readonly token: string } | null;
}

export function renderAgentConfig(state: AgentWorkloadState, dir: string): string {
  const config: Record<string, unknown> = {
    region: state.region,
    location: state.location,
    tls: { cert: `${dir}/${AGENT_FILES.clientCert}`, key: `${dir}/${AGENT_FILES.clientKey}` },
  };
  if (state.ams) {
    const ams: Record<string, unknown> = { url: state.ams.url };
    if (state.useTlsPinning) {
      if (!state.ams.fingerprint) throw new Error('tls_use_pinning needs the AMS certificate fingerprint');
      ams['fingerprint'] = normalizeFingerprint(state.ams.fingerprint);
    } else if (state.ams.ca) {
      ams['ca'] = `${dir}/${AGENT_FILES.amsCa}`;
    }
    config['ams'] = ams;
  }
  if (state.nats) {
    const nats: Record<string, unknown> = { urls: [...state.nats.urls].sort() };
    if (state.nats.ca) nats['ca'] = `${dir}/${AGENT_FILES.natsCa}`;
    const cred = state.nats.credential;
    if (cred?.kind === 'token') nats['token'] = cred.token;
    else if (cred?.kind === 'user') Object.assign(nats, { user: cred.user, password: cred.password });
    config['nats'] = nats;
  }
  if (state.api) {
    const host = state.api.listenAddress.includes(':') ? `[${state.api.listenAddress}]` : state.api.listenAddress;
    config['api'] = { 'listen-address': `${host}:${state.api.port}`, token: state.api.token };
  }
  return `# Rendered by the anbox-stream-agent charm; local edits are overwritten.\n${JSON.stringify(config, null, 2)}\n`;
}

export function renderAgentFiles(state: AgentWorkloadState, dir: string): DesiredFile[] {
  const holdsSecret = state.nats?.credential != null || state.api != null;
  const files: DesiredFile[] = [
    { path: AGENT_FILES.config, content: renderAgentConfig(state, dir), mode: holdsSecret ? 0o600 : 0o644 },
    { path: AGENT_FILES.clientCert, content: pemText(state.clientCert), mode: 0o644 },
    { path: AGENT_FILES.clientKey, content: pemText(state.clientKey), mode: 0o600 },
  ];
  if (state.ams && !state.useTlsPinning && state.ams.ca) files.push({ path: AGENT_FILES.amsCa, content: pemText(state.ams.ca), mode: 0o644 });
  if (state.nats?.ca) files.push({ path: AGENT_FILES.natsCa, content: pemText(state.nats.ca), mode: 0o644 });
  return files;
}

/** Lowercase hex without separators, whatever form the fingerprint arrived in. */
export function normalizeFingerprint(fp: string): string {
  const hex = plainHex(fp);
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error('AMS fingerprint must be a SHA-256 hex digest');
  return hex;
}

/**
 * Splits a NATS URL as the nats charm publishes it into the bare server URL and its
 * credential: `tls://<token>@host:port` (the published charm's legacy form) or
 * `tls://<user>:<password>@host:port`. The bare URL is what goes into `nats.urls`.
 */
export function splitNatsUrl(raw: string): { url: string; credential: NatsCredential | null } {
  const u = new URL(raw);
  if (!u.host) throw new Error('NATS URL has no host');
  const bare = `${u.protocol}//${u.host}`;
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  if (!user) return { url: bare, credential: null };
  return { url: bare, credential: password ? { kind: 'user', user, password } : { kind: 'token', token: user } };
}
