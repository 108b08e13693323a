import { describe, it, expect } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { inputsDigest, INPUTS_MEMO_MAX, INPUTS_MEMO_PREFIX } from './certificate-memo.ts';
import type { CertificatesOptions } from './certificates.ts';

const mapMemo = () => {
  const m = new Map<string, string>();
  return { m, get: (k: string) => m.get(k), set: (k: string, v: string) => { m.set(k, v); } };
};
const options = { endpoint: 'certificates', leaves: [{ name: 'client', usage: 'both', sans: ['10.0.0.1', 'agent-0.example'] }], caKey: { type: 'ec', curve: 'P-384' } } as unknown as CertificatesOptions;
const ca = { cert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', 'next-cert': '' };
const DIGEST = 'c06ca6526d0d2d118ab34d2e7fee6df623e06e4b5674a2e718f3b85d753445b6';
const KEY = `${INPUTS_MEMO_PREFIX}.certificates`;

describe('inputsDigest', () => {
  // Digests are stored with the fast-path memo (unit state): one computed before the ctx.memo
  // cache must still match, or every unit replans once on upgrade.
  it('is the SHA-256 hex of the inputs as earlier releases computed it (UTF-8, non-ASCII included)', () => {
    expect(inputsDigest(options, true, ca, 'é€ raw')).toBe(DIGEST);
    expect(inputsDigest(options, false, undefined, '')).toBe('219daca45cc8d28db3045e871fa3365b10aa318f3f08ba7f084853deab9df65f');
  });

  it('keeps the inputs and their digest in the memo, and answers from it while the inputs are the same', () => {
    const memo = mapMemo();
    expect(inputsDigest(options, true, ca, 'é€ raw', memo)).toBe(DIGEST);
    const kept = memo.m.get(KEY)!;
    expect(kept.slice(0, 65)).toBe(`${DIGEST} `);
    // A planted digest for the same text is what comes back: the text is not hashed again.
    memo.set(KEY, `${'0'.repeat(64)}${kept.slice(64)}`);
    expect(inputsDigest(options, true, ca, 'é€ raw', memo)).toBe('0'.repeat(64));
    // Different inputs (leadership here) are hashed, and replace the kept ones.
    const other = inputsDigest(options, false, ca, 'é€ raw', memo);
    expect(other).not.toBe('0'.repeat(64));
    expect(memo.m.get(KEY)?.slice(0, 64)).toBe(other);
  });

  it('keeps nothing when the operator configured a private key, nor inputs too long to keep twice', () => {
    const memo = mapMemo();
    // Made now, never committed: any key the operator could configure.
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    inputsDigest({ ...options, config: { caCert: ca.cert, caKey: key } }, true, ca, '', memo);
    inputsDigest({ ...options, config: { cert: ca.cert, key } }, true, ca, '', memo);
    inputsDigest(options, true, ca, 'x'.repeat(INPUTS_MEMO_MAX), memo);
    expect(memo.m.size).toBe(0);
    inputsDigest({ ...options, config: { caCert: ca.cert } }, true, ca, '', memo); // a certificate alone is public
    expect(memo.m.size).toBe(1);
  });
});
