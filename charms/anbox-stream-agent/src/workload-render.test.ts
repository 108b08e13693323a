import { describe, it, expect } from '@jest/globals';
import { load } from 'js-yaml';
import { normalizeFingerprint, renderAgentConfig, renderAgentFiles, splitNatsUrl, type AgentWorkloadState } from './workload-render.ts';

const DIR = '/var/snap/anbox-stream-agent/common';
const FP = 'AB:'.repeat(31) + 'AB';
const state: AgentWorkloadState = {
  region: 'eu-1',
  location: 'agent.example',
  useTlsPinning: true,
  clientCert: 'CERT',
  clientKey: 'KEY',
  ams: { url: 'https://10.0.0.1:8444', fingerprint: FP, ca: 'AMSCA' },
  nats: { urls: ['tls://10.0.0.3:4222', 'tls://10.0.0.2:4222'], ca: 'NATSCA', credential: { kind: 'token', token: 'tok' } },
  api: null,
};

describe('renderAgentConfig', () => {
  it('renders AMS pinning, sorted NATS URLs, the NATS CA path and the token: a comment, then pretty JSON', () => {
    expect(renderAgentConfig(state, DIR)).toBe(
      [
        '# Rendered by the anbox-stream-agent charm; local edits are overwritten.',
        '{',
        '  "region": "eu-1",',
        '  "location": "agent.example",',
        '  "tls": {',
        '    "cert": "/var/snap/anbox-stream-agent/common/certs/client.crt",',
        '    "key": "/var/snap/anbox-stream-agent/common/certs/client.key"',
        '  },',
        '  "ams": {',
        '    "url": "https://10.0.0.1:8444",',
        `    "fingerprint": "${'ab'.repeat(32)}"`,
        '  },',
        '  "nats": {',
        '    "urls": [',
        '      "tls://10.0.0.2:4222",',
        '      "tls://10.0.0.3:4222"',
        '    ],',
        '    "ca": "/var/snap/anbox-stream-agent/common/certs/nats-ca.crt",',
        '    "token": "tok"',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('verifies AMS against its CA when pinning is off, and carries per-relation user credentials', () => {
    const cfg = load(renderAgentConfig({ ...state, useTlsPinning: false, nats: { urls: ['tls://h:4222'], credential: { kind: 'user', user: 'client-3', password: 'p:w' } } }, DIR));
    expect(cfg).toMatchObject({
      ams: { url: 'https://10.0.0.1:8444', ca: '/var/snap/anbox-stream-agent/common/certs/ams-ca.crt' },
      nats: { urls: ['tls://h:4222'], user: 'client-3', password: 'p:w' },
    });
    expect(cfg).not.toHaveProperty('ams.fingerprint');
    expect(cfg).not.toHaveProperty('nats.ca');
  });

  it('renders the agent API listener and its token', () => {
    expect(load(renderAgentConfig({ ...state, api: { listenAddress: '::', port: 8096, token: 'api-tok' } }, DIR))).toHaveProperty('api', { 'listen-address': '[::]:8096', token: 'api-tok' });
  });

  it('is YAML: a YAML parser reads back exactly the values, whatever characters they hold', () => {
    const odd = 'a: b # c\t"q" \'s\' \\ é€ 😀 - [x] {y} &z *w !t %u @v `r` |\n>';
    const cfg = renderAgentConfig({ ...state, region: 'yes', location: odd, nats: { urls: ['tls://h:4222'], credential: { kind: 'user', user: '0123', password: odd } } }, DIR);
    expect(load(cfg)).toEqual({
      region: 'yes',
      location: odd,
      tls: { cert: `${DIR}/certs/client.crt`, key: `${DIR}/certs/client.key` },
      ams: { url: 'https://10.0.0.1:8444', fingerprint: 'ab'.repeat(32) },
      nats: { urls: ['tls://h:4222'], user: '0123', password: odd },
    });
  });

  it('refuses pinning without a fingerprint', () => {
    expect(() => renderAgentConfig({ ...state, ams: { url: 'https://h:8444' } }, DIR)).toThrow(/fingerprint/);
    expect(() => normalizeFingerprint('abc')).toThrow(/SHA-256/);
  });
});

describe('renderAgentFiles', () => {
  it('keeps the credentials in config.yaml only, which is then 0600', () => {
    const files = renderAgentFiles(state, DIR);
    expect(files.map((f) => [f.path, f.mode])).toEqual([
      ['config.yaml', 0o600],
      ['certs/client.crt', 0o644],
      ['certs/client.key', 0o600],
      ['certs/nats-ca.crt', 0o644],
    ]);
    expect(files.filter((f) => f.content.includes('tok')).map((f) => f.path)).toEqual(['config.yaml']);
  });
  it('writes a credential-free config 0644 and the AMS CA when not pinning', () => {
    const files = renderAgentFiles({ ...state, useTlsPinning: false, nats: null }, DIR);
    expect(files.map((f) => [f.path, f.mode])).toEqual([
      ['config.yaml', 0o644],
      ['certs/client.crt', 0o644],
      ['certs/client.key', 0o600],
      ['certs/ams-ca.crt', 0o644],
    ]);
  });
});

describe('splitNatsUrl', () => {
  it('reads the legacy token URL, a user:password URL and a bare URL', () => {
    expect(splitNatsUrl('tls://s3cr%40t@10.0.0.2:4222')).toEqual({ url: 'tls://10.0.0.2:4222', credential: { kind: 'token', token: 's3cr@t' } });
    expect(splitNatsUrl('tls://u:p%3Aw@h:4222')).toEqual({ url: 'tls://h:4222', credential: { kind: 'user', user: 'u', password: 'p:w' } });
    expect(splitNatsUrl('tls://[fd00::1]:4222')).toEqual({ url: 'tls://[fd00::1]:4222', credential: null });
  });
});
