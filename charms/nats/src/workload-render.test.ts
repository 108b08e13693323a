import { describe, it, expect } from '@jest/globals';
import { hostPort, natsString, renderNatsConfig, renderNatsFiles, restartRelevant, type NatsWorkloadState } from './workload-render.ts';

const DIR = '/var/snap/nats/common/server';
const base: NatsWorkloadState = {
  listenAddress: '0.0.0.0',
  clientPort: 4222,
  monitor: 'localhost:8222',
  cluster: { listenAddress: '10.0.0.1', port: 4248, peers: ['10.0.0.3', '10.0.0.2', '10.0.0.3'] },
  tls: { cert: 'CERT', key: 'KEY', ca: 'CA', verifyClients: true },
  auth: { kind: 'token', token: 'tok3n' },
};

describe('renderNatsConfig', () => {
  it('renders listener, monitor, TLS, token and sorted, de-duplicated routes', () => {
    expect(renderNatsConfig(base, DIR)).toBe(
      [
        '# Rendered by the nats charm; local edits are overwritten.',
        'listen: "0.0.0.0:4222"',
        'http: "localhost:8222"',
        'debug: false',
        'trace: false',
        'tls {',
        '  cert_file: "/var/snap/nats/common/server/cert.pem"',
        '  key_file: "/var/snap/nats/common/server/key.pem"',
        '  ca_file: "/var/snap/nats/common/server/ca.pem"',
        '  verify: true',
        '  timeout: 2',
        '}',
        'authorization {',
        '  token: "tok3n"',
        '}',
        'cluster {',
        '  listen: "10.0.0.1:4248"',
        '  routes = [',
        '    "nats-route://10.0.0.2:4248"',
        '    "nats-route://10.0.0.3:4248"',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('drops the tls block when TLS is cleared, and the ca_file when there is no CA', () => {
    expect(renderNatsConfig({ ...base, tls: null }, DIR)).not.toMatch(/tls|cert_file/);
    const noCa = renderNatsConfig({ ...base, tls: { cert: 'C', key: 'K', verifyClients: false } }, DIR);
    expect(noCa).not.toContain('ca_file');
    expect(noCa).toContain('  verify: false\n');
  });

  it('renders one user per relation, sorted, with escaped passwords', () => {
    const cfg = renderNatsConfig(
      { ...base, cluster: null, monitor: null, tls: null, auth: { kind: 'users', users: [{ user: 'client-9', password: 'p"w\\d $x' }, { user: 'client-2', password: 'b' }] } },
      DIR,
    );
    expect(cfg).toContain(
      ['authorization {', '  users = [', '    { user: "client-2", password: "b" }', '    { user: "client-9", password: "p\\"w\\\\d $x" }', '  ]', '}'].join('\n'),
    );
    expect(cfg).not.toContain('token');
    expect(cfg).not.toContain('http:');
  });

  it('omits authorization entirely when auth is off, and the routes list when alone', () => {
    const cfg = renderNatsConfig({ ...base, auth: { kind: 'none' }, cluster: { listenAddress: '0.0.0.0', port: 4248, peers: [] } }, DIR);
    expect(cfg).not.toContain('authorization');
    expect(cfg).toContain('cluster {\n  listen: "0.0.0.0:4248"\n}\n');
  });

  it('secures routes with the server certificate and CA when asked, and needs a CA for it', () => {
    const cfg = renderNatsConfig({ ...base, cluster: { ...base.cluster!, secure: true } }, DIR);
    expect(cfg).toContain(
      [
        'cluster {',
        '  listen: "10.0.0.1:4248"',
        '  tls {',
        '    cert_file: "/var/snap/nats/common/server/cert.pem"',
        '    key_file: "/var/snap/nats/common/server/key.pem"',
        '    ca_file: "/var/snap/nats/common/server/ca.pem"',
        '    verify: true',
        '    timeout: 2',
        '  }',
        '  routes = [',
      ].join('\n'),
    );
    expect(() => renderNatsConfig({ ...base, tls: { cert: 'C', key: 'K', verifyClients: false }, cluster: { ...base.cluster!, secure: true } }, DIR)).toThrow(/CA/);
  });

  it('rejects empty credentials and duplicate users', () => {
    expect(() => renderNatsConfig({ ...base, auth: { kind: 'token', token: '' } }, DIR)).toThrow(/non-empty token/);
    expect(() => renderNatsConfig({ ...base, auth: { kind: 'users', users: [] } }, DIR)).toThrow(/at least one/);
    expect(() => renderNatsConfig({ ...base, auth: { kind: 'users', users: [{ user: 'a', password: 'x' }, { user: 'a', password: 'y' }] } }, DIR)).toThrow(/unique/);
  });
});

describe('natsString / hostPort', () => {
  it('escapes quotes, backslashes and line breaks, and refuses other control characters', () => {
    expect(natsString('a"b\\c\nd\te')).toBe('"a\\"b\\\\c\\nd\\te"');
    expect(() => natsString('a\u0000b')).toThrow(/control character/);
  });
  it('brackets IPv6 literals and validates ports', () => {
    expect(hostPort('::', 4222)).toBe('[::]:4222');
    expect(hostPort('10.0.0.1', 1)).toBe('10.0.0.1:1');
    expect(() => hostPort('h', 0)).toThrow(/invalid port/);
    expect(() => hostPort('h', 70000)).toThrow(/invalid port/);
  });
});

describe('renderNatsFiles', () => {
  it('makes the config 0600 when it holds a credential, key 0600, certificates 0644', () => {
    const files = renderNatsFiles(base, DIR);
    expect(files.map((f) => [f.path, f.mode])).toEqual([
      ['nats.cfg', 0o600],
      ['cert.pem', 0o644],
      ['key.pem', 0o600],
      ['ca.pem', 0o644],
    ]);
    expect(files.find((f) => f.path === 'key.pem')!.content).toBe('KEY\n');
  });
  it('writes a credential-free config 0644 and no TLS files when TLS is off', () => {
    expect(renderNatsFiles({ ...base, tls: null, auth: { kind: 'none' } }, DIR).map((f) => [f.path, f.mode])).toEqual([['nats.cfg', 0o644]]);
  });
});

describe('restartRelevant', () => {
  const relevant = (s: NatsWorkloadState) => restartRelevant(renderNatsConfig(s, DIR));
  it('ignores reloadable changes: token, routes, CA presence, debug', () => {
    expect(relevant({ ...base, auth: { kind: 'token', token: 'other' } })).toBe(relevant(base));
    expect(relevant({ ...base, cluster: { ...base.cluster!, peers: ['10.0.0.9'] } })).toBe(relevant(base));
    expect(relevant({ ...base, debug: true })).toBe(relevant(base));
  });
  it('notices listener, monitor, cluster listener and TLS on/off changes', () => {
    expect(relevant({ ...base, clientPort: 4333 })).not.toBe(relevant(base));
    expect(relevant({ ...base, monitor: null })).not.toBe(relevant(base));
    expect(relevant({ ...base, cluster: { ...base.cluster!, port: 5000 } })).not.toBe(relevant(base));
    expect(relevant({ ...base, tls: null })).not.toBe(relevant(base));
    expect(relevant({ ...base, cluster: { ...base.cluster!, secure: true } })).not.toBe(relevant(base));
  });
});
