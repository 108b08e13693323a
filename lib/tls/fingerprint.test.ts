import { describe, it, expect } from '@jest/globals';
import { sha256Der, toColonHex, toPlainHex, normalizeFingerprint, certificateFingerprint, fingerprintMatches } from './fingerprint.ts';
import { derToPem } from './pem.ts';

// FIPS 180-2 test vector: SHA-256("abc").
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('fingerprints', () => {
  it('hashes DER with SHA-256 (fixed vector)', () => {
    expect(toPlainHex(sha256Der(new TextEncoder().encode('abc')))).toBe(ABC);
  });

  it('formats colon-hex upper case like openssl and plain hex lower case', () => {
    expect(toColonHex(new Uint8Array([0xab, 0x01, 0xff]))).toBe('AB:01:FF');
    expect(toPlainHex(new Uint8Array([0xab, 0x01, 0xff]))).toBe('ab01ff');
  });

  it('fingerprints a PEM over its DER, and matches either format', () => {
    const pem = derToPem(new TextEncoder().encode('abc'), 'CERTIFICATE');
    expect(certificateFingerprint(pem, 'plain')).toBe(ABC);
    expect(certificateFingerprint(pem)).toBe(toColonHex(Buffer.from(ABC, 'hex')));
    expect(fingerprintMatches(pem, ABC.toUpperCase().replace(/(..)(?!$)/g, '$1:'))).toBe(true);
    expect(fingerprintMatches(pem, ABC.replace(/^ba/, 'bb'))).toBe(false);
    expect(normalizeFingerprint('AB:cd: EF')).toBe('abcdef');
  });
});
