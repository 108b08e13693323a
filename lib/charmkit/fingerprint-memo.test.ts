import { describe, it, expect } from '@jest/globals';
import { memoFingerprint } from './fingerprint-memo.ts';
import { derToPem } from '../tls/pem.ts';

// FIPS 180-2 test vector: SHA-256("abc").
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const pem = derToPem(new TextEncoder().encode('abc'), 'CERTIFICATE');
const other = derToPem(new TextEncoder().encode('abd'), 'CERTIFICATE');

describe('memoFingerprint', () => {
  it('computes the fingerprint once per certificate and answers from the memo after', () => {
    const m = new Map<string, string>();
    const memo = { get: (k: string) => m.get(k), set: (k: string, v: string) => { m.set(k, v); } };
    expect(memoFingerprint(memo, 'fp', pem)).toBe(ABC);
    expect(m.get('fp')).toBe(`${ABC} ${pem}`);
    m.set('fp', `${'0'.repeat(64)} ${pem}`); // planted: proves the hash is not computed again
    expect(memoFingerprint(memo, 'fp', pem)).toBe('0'.repeat(64));
    const fresh = memoFingerprint(memo, 'fp', other); // a reissued certificate is hashed
    expect(fresh).not.toBe('0'.repeat(64));
    expect(fresh).toMatch(/^[0-9a-f]{64}$/);
    expect(m.get('fp')).toBe(`${fresh} ${other}`);
  });
});
