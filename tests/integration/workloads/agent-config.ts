/**
 * Reads a rendered agent config.yaml the way the agent process would, and turns it into
 * client settings: nothing else is used to configure the test clients.
 */
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import type { ConnectionOptions } from 'nats';

export interface AgentConfigFile {
  region: string;
  location: string;
  tls: { cert: string; key: string };
  ams?: { url: string; fingerprint?: string; ca?: string };
  nats?: { urls: string[]; ca?: string; token?: string; user?: string; password?: string };
}

export function readAgentConfig(path: string): AgentConfigFile {
  return load(readFileSync(path, 'utf8')) as AgentConfigFile;
}

export function natsOptionsFrom(config: AgentConfigFile): ConnectionOptions {
  const n = config.nats;
  if (!n) throw new Error('agent config has no nats section');
  return {
    servers: n.urls,
    tls: { ...(n.ca ? { caFile: n.ca } : {}), certFile: config.tls.cert, keyFile: config.tls.key },
    ...(n.token ? { token: n.token } : {}),
    ...(n.user ? { user: n.user, pass: n.password ?? '' } : {}),
    reconnect: false,
    timeout: 5000,
  };
}
