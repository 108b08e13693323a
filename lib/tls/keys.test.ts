import { describe, it, expect } from '@jest/globals';
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import { PrivateKey } from './keys.ts';
import { TlsError } from './errors.ts';
import { normalizeKeySpec } from './algorithms.ts';

describe('PrivateKey', () => {
  it.each([
    [{ type: 'ec', curve: 'P-256' } as const, { type: 'ec', curve: 'P-256' }],
    [{ type: 'ec', curve: 'P-384' } as const, { type: 'ec', curve: 'P-384' }],
    [{ type: 'rsa', bits: 2048 } as const, { type: 'rsa', bits: 2048 }],
  ])('generates %j and exports PKCS#8 PEM', async (spec, info) => {
    const key = await PrivateKey.create(spec);
    expect(key.algorithm).toEqual(info);
    expect(key.pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const again = PrivateKey.fromPem(key.pem);
    expect(again.pem).toBe(key.pem);
    expect(again.matchesSpki(key.publicKeySpki)).toBe(true);
  });

  it('defaults to RSA 4096 (published Anbox choice; generated for real in tests/integration/tls/openssl.test.ts)', () => {
    expect(normalizeKeySpec(undefined)).toEqual({ type: 'rsa', bits: 4096 });
    expect(normalizeKeySpec({ type: 'ec' })).toEqual({ type: 'ec', curve: 'P-256' });
  });

  it('imports traditional PKCS#1 / SEC1 PEM and re-exports PKCS#8', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const ec = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ type: 'sec1', format: 'pem' }) as string;
    expect(rsa).toMatch(/BEGIN RSA PRIVATE KEY/);
    expect(PrivateKey.fromPem(rsa).pem).toMatch(/BEGIN PRIVATE KEY/);
    expect(PrivateKey.fromPem(ec).algorithm).toEqual({ type: 'ec', curve: 'P-384' });
  });

  it('derives the public key that matches', async () => {
    const key = await PrivateKey.create({ type: 'ec' });
    const pub = createPublicKey(key.pem).export({ type: 'spki', format: 'der' });
    expect(key.matchesSpki(new Uint8Array(pub))).toBe(true);
    const other = await PrivateKey.create({ type: 'ec' });
    expect(other.matchesSpki(key.publicKeySpki)).toBe(false);
  });

  it('rejects bad input without echoing key material', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const encrypted = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
    expect(() => PrivateKey.fromPem(encrypted)).toThrow(/Encrypted private keys are not supported/);
    const body = (privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).split('\n')[1] as string;
    const corrupt = `-----BEGIN PRIVATE KEY-----\n${body.slice(0, 40)}\n-----END PRIVATE KEY-----\n`; // truncated DER
    let err: unknown;
    try { PrivateKey.fromPem(corrupt); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(TlsError);
    expect((err as TlsError).message).toBe('Private key PEM could not be parsed');
    expect((err as TlsError).message).not.toContain(body.slice(0, 40));
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(PrivateKey.parse(ed)).toEqual({ ok: false, reason: 'Unsupported private key type "ed25519"; expected RSA or EC' });
  });

  it('never serialises key material', async () => {
    const key = await PrivateKey.create({ type: 'ec' });
    expect(JSON.stringify({ key })).toBe('{"key":"[PrivateKey]"}');
  });

  it('validates key specs, quoting the option', async () => {
    await expect(PrivateKey.create({ type: 'rsa', bits: 1024 as 2048 })).rejects.toThrow(/Option "key.bits" must be one of 2048, 3072, 4096, got 1024/);
    await expect(PrivateKey.create({ type: 'ec', curve: 'P-521' as 'P-256' })).rejects.toThrow(/key.curve/);
  });
});
