import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { Redactor } from './redact.ts';

describe('Redactor', () => {
  const r = new Redactor();

  it('masks PEM private key blocks of every flavour, keeps certificates', () => {
    const pkcs8 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const sec1 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }).toString();
    const out = r.redact(`a ${pkcs8} b ${sec1} c -----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----`);
    expect(out).not.toMatch(/PRIVATE KEY-----/);
    expect(out).toContain('-----BEGIN CERTIFICATE-----');
    expect(out.match(/<redacted> private key/g)).toHaveLength(2);
  });

  it('masks an unterminated private key to the end', () => {
    expect(r.redact('x -----BEGIN RSA PRIVATE KEY-----\nMIIEabc')).toBe('x [<redacted> private key]');
  });

  it('masks URL credentials', () => {
    expect(r.redact('tls://user:pa55@10.0.0.1:4222 and nats://tok3n@host:4222')).toBe('tls://<redacted>@10.0.0.1:4222 and nats://<redacted>@host:4222');
    expect(r.redact('https://example.com/path@x')).toBe('https://example.com/path@x');
  });

  it('masks token/password-like assignments in text and JSON, keeps secret URIs', () => {
    expect(r.redact('token=abc123 password: hunter2 "api_key":"k-1" auth_token=zz')).toBe('token=<redacted> password: <redacted> "api_key":"<redacted>" auth_token=<redacted>');
    expect(r.redact('granted secret:cn3kd8 to client:4')).toBe('granted secret:cn3kd8 to client:4');
  });

  it('masks registered values and each of their lines; ignores tiny values', () => {
    const mine = new Redactor();
    mine.register('correct-horse\nbattery-staple');
    mine.register('on');
    expect(mine.redact('a correct-horse b battery-staple c on')).toBe('a <redacted> b <redacted> c on');
  });

  it('stays linear on huge inputs without separators', () => {
    const big = 'a'.repeat(300_000);
    const start = performance.now();
    expect(new Redactor().redact(big)).toBe(big);
    expect(performance.now() - start).toBeLessThan(500);
  });
});
