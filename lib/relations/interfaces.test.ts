import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateAll, GENERATED_DIR } from './compile-schemas.ts';
import { loadInterface, InterfaceDataError, MAX_MESSAGE_CHARS, summarizeProblems } from './interfaces.ts';

// Shape-only PEM blocks: the schemas check form (crypto checks live in lib/tls).
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGVGb3JTY2hlbWFUZXN0\n-----END CERTIFICATE-----\n';
const CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIIBDjCBtAIBADAUMRIwEAYDVQQDDAl0ZXN0LWNzcg==\n-----END CERTIFICATE REQUEST-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';
const FP = 'ab'.repeat(32);

/** A bag view with a label, as Databag offers (the codec reads all() and writes set()). */
function bag(label: string, data: Record<string, string> = {}) {
  const writes: Record<string, string> = {};
  return { label, all: () => data, set: (k: string, v: string) => { writes[k] = v; }, writes };
}

describe('generated validators', () => {
  it('are in sync with schemas/*.json (run compile-schemas.ts when this fails)', () => {
    const files = generateAll();
    expect([...files.keys()].sort()).toEqual(['agent-api.ts', 'nats-cluster.ts', 'nats.ts', 'rest.ts', 'tls-certificates.ts']);
    for (const [name, content] of files) expect(readFileSync(join(GENERATED_DIR, name), 'utf8')).toBe(content);
  });

  it('are plain ESM with no runtime dependency on ajv', () => {
    for (const content of generateAll().values()) {
      expect(content).not.toMatch(/require\(|from ['"]ajv/);
      expect(content.startsWith('// GENERATED')).toBe(true);
    }
  });
});

describe('nats interface', () => {
  it('reads a valid provider app bag, typed, with only declared fields', async () => {
    const nats = await loadInterface('nats');
    const r = nats.read(bag('nats:3 app bag', { ca_cert: CERT, token_secret_id: 'secret:d1e2f3', other: 'x' }), 'provider.app');
    expect(r).toEqual({ ok: true, value: { ca_cert: CERT, token_secret_id: 'secret:d1e2f3' } });
  });

  it('names relation, field and why for a bad CA, without the value', async () => {
    const nats = await loadInterface('nats');
    const r = nats.read(bag('nats:3 app bag', { ca_cert: 'not a cert s3cr3t' }), 'provider.app');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('invalid');
    expect(r.message).toBe('nats:3 app bag field "ca_cert": must be a PEM certificate');
    expect(r.message).not.toContain('s3cr3t');
  });

  it('refuses a private key in a certificate field', async () => {
    const nats = await loadInterface('nats');
    const r = nats.read(bag('nats:3 app bag', { ca_cert: CERT + KEY }), 'provider.app');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('field "ca_cert": must not contain a private key');
  });

  it('refuses both a token and a token secret id', async () => {
    const nats = await loadInterface('nats');
    const r = nats.read(bag('nats:3 app bag', { token: 'abcdefgh12', token_secret_id: 'secret:x1' }), 'provider.app');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe('nats:3 app bag: must carry either token_secret_id or token, not both');
  });

  it('accepts secret URIs only by prefix (ids are opaque from 3.6.19, contract §3.2)', async () => {
    const nats = await loadInterface('nats');
    for (const id of ['secret:9m4e2mr0ui3e8a215n4g', 'secret://0b7e5a8c-1111-4222-8333-444455556666/opaque-ID_v2', 'secret:AbC']) {
      expect(nats.read(bag('b', { token_secret_id: id }), 'provider.app').ok).toBe(true);
    }
    expect(nats.read(bag('b', { token_secret_id: 'd1e2f3' }), 'provider.app').ok).toBe(false);
  });

  it('reports a missing required field as incomplete (wait), not invalid', async () => {
    const nats = await loadInterface('nats');
    const r = nats.read(bag('nats:3 unit bag nats/0', { 'private-address': '10.0.0.1' }), 'provider.unit');
    expect(r).toMatchObject({ ok: false, reason: 'incomplete', message: 'nats:3 unit bag nats/0 field "url": is required' });
  });

  it('validates the provider url form', async () => {
    const nats = await loadInterface('nats');
    expect(nats.read(bag('b', { url: 'tls://10.1.2.3:4222' }), 'provider.unit').ok).toBe(true);
    expect(nats.read(bag('b', { url: 'tls://tok3n@10.1.2.3:4222' }), 'provider.unit').ok).toBe(true);
    const bad = nats.read(bag('nats:7 unit bag nats/1', { url: 'http://10.1.2.3' }), 'provider.unit');
    expect(bad.ok ? '' : bad.message).toBe('nats:7 unit bag nats/1 field "url": must be a nats:// or tls:// URL with host and port');
  });

  it('writes a whole bag: validated, absent declared fields deleted, other fields untouched', async () => {
    const nats = await loadInterface('nats');
    const b = bag('nats:3 app bag');
    nats.write(b, 'provider.app', { ca_cert: CERT, token_secret_id: 'secret:abc' });
    expect(b.writes).toEqual({ ca_cert: CERT, token_secret_id: 'secret:abc', token: '' });
  });

  it('throws on an invalid write and queues nothing', async () => {
    const nats = await loadInterface('nats');
    const b = bag('nats:3 unit bag nats-client/0');
    expect(() => nats.write(b, 'requirer.unit', { secrets_supported: 'yes' as 'true' })).toThrow(InterfaceDataError);
    expect(() => nats.write(b, 'requirer.unit', { secrets_supported: 'yes' as 'true' })).toThrow('field "secrets_supported": must be "true" or "false"');
    expect(b.writes).toEqual({});
  });
});

describe('tls-certificates v1', () => {
  it('decodes JSON-encoded lists and validates their items', async () => {
    const tls = await loadInterface('tls-certificates');
    const csrs = [{ certificate_signing_request: CSR }, { certificate_signing_request: CSR, ca: true }];
    const r = tls.read(bag('certificates:5 unit bag ams/0', { certificate_signing_requests: JSON.stringify(csrs) }), 'requirer.unit');
    expect(r).toEqual({ ok: true, value: { certificate_signing_requests: csrs } });
  });

  it('reports bad JSON and bad items with their position', async () => {
    const tls = await loadInterface('tls-certificates');
    const notJson = tls.read(bag('certificates:5 app bag', { certificates: '[{' }), 'provider.app');
    expect(notJson.ok ? '' : notJson.message).toBe('certificates:5 app bag field "certificates": must be JSON');
    const item = { certificate_signing_request: CSR, certificate: CERT, ca: 'nope', chain: [CERT] };
    const bad = tls.read(bag('certificates:5 app bag', { certificates: JSON.stringify([item]) }), 'provider.app');
    expect(bad.ok ? '' : bad.message).toBe('certificates:5 app bag field "certificates": [0].ca must be a PEM certificate');
    const missing = tls.read(bag('certificates:5 app bag', { certificates: JSON.stringify([{ certificate_signing_request: CSR }]) }), 'provider.app');
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.reason).toBe('invalid');
  });

  it('writes JSON-encoded fields', async () => {
    const tls = await loadInterface('tls-certificates');
    const b = bag('certificates:5 app bag');
    const certificates = [{ certificate_signing_request: CSR, certificate: CERT, ca: CERT, chain: [CERT, CERT] }];
    tls.write(b, 'provider.app', { certificates });
    expect(JSON.parse(b.writes.certificates!)).toEqual(certificates);
  });
});

describe('rest, agent-api and nats-cluster', () => {
  it('rest: requirer client certificate and provider unit fields', async () => {
    const rest = await loadInterface('rest');
    expect(rest.read(bag('b', { client_certificate: CERT }), 'requirer.unit').ok).toBe(true);
    const unit = { port: '8444', private_address: '10.0.0.4', public_address: '203.0.113.9', node: 'lxd0', ca_cert: CERT, certificate_fingerprint: FP };
    expect(rest.read(bag('b', unit), 'provider.unit')).toEqual({ ok: true, value: unit });
    const bad = rest.read(bag('rest-api:2 unit bag ams/0', { ...unit, port: '70000' }), 'provider.unit');
    expect(bad.ok ? '' : bad.message).toBe('rest-api:2 unit bag ams/0 field "port": must be a TCP port number (1-65535)');
  });

  it('agent-api: url, fingerprint and a token id or legacy token', async () => {
    const api = await loadInterface('agent-api');
    expect(api.read(bag('b', { url: 'https://10.0.0.7:8082', certificate_fingerprint: FP, token_secret_id: 'secret:x9' }), 'provider.app').ok).toBe(true);
    expect(api.read(bag('b', { url: 'https://10.0.0.7:8082', certificate_fingerprint: FP, token: 'legacy-token-123' }), 'provider.app').ok).toBe(true);
    const bad = api.read(bag('client:4 app bag', { url: 'http://10.0.0.7', certificate_fingerprint: 'zz' }), 'provider.app');
    expect(bad.ok ? [] : bad.problems.map((p) => p.field).sort()).toEqual(['certificate_fingerprint', 'url']);
  });

  it('nats-cluster: peer unit address', async () => {
    const cluster = await loadInterface('nats-cluster');
    expect(cluster.read(bag('b', { address: '10.0.0.5:6222' }), 'peer.unit').ok).toBe(true);
    expect(cluster.read(bag('b', { address: '10.0.0.5' }), 'peer.unit').ok).toBe(false);
  });

  it('unknown bag keys are a programming error', async () => {
    const cluster = await loadInterface('nats-cluster');
    expect(() => cluster.read(bag('b'), 'provider.app' as 'peer.unit')).toThrow('has no schema for "provider.app"');
  });
});

describe('problem reports stay short (fuzz finding: 1,025 bad list items made a ~400 KB status)', () => {
  it('reports at most 3 problems and 200 chars, naming relation and field, plus "and N more"', async () => {
    const tls = await loadInterface('tls-certificates');
    const r = tls.read(bag('certificates:5 app bag', { certificates: JSON.stringify(Array.from({ length: 1025 }, () => ({}))) }), 'provider.app');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
    expect(r.problems.length).toBeGreaterThanOrEqual(1);
    expect(r.problems.length).toBeLessThanOrEqual(3);
    expect(r.message.startsWith('certificates:5 app bag field "certificates": ')).toBe(true);
    const more = Number(/; and (\d+) more$/.exec(r.message)?.[1]);
    expect(more).toBeGreaterThan(1000);
  });

  it('a single over-long problem keeps its bag and field and shortens only the why', () => {
    const s = summarizeProblems([{ bag: 'nats:3 app bag', field: 'ca_cert', why: 'x'.repeat(500) }]);
    expect(s.message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
    expect(s.message.startsWith('nats:3 app bag field "ca_cert": xxx')).toBe(true);
    expect(s.shown).toHaveLength(1);
  });

  it('short lists are unchanged', () => {
    const ps = [{ bag: 'b', field: 'a', why: 'is required' }, { bag: 'b', field: '', why: 'bad' }];
    expect(summarizeProblems(ps)).toEqual({ shown: ps, message: 'b field "a": is required; b: bad' });
  });
});
