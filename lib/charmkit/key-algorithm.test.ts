import { describe, expect, it } from '@jest/globals';
import { parseKeyAlgorithm } from './key-algorithm.ts';

describe('parseKeyAlgorithm', () => {
  it('unset or empty means the published default, RSA 4096', () => {
    expect(parseKeyAlgorithm(undefined)).toEqual({ ok: true, name: 'rsa4096', spec: { type: 'rsa', bits: 4096 } });
    expect(parseKeyAlgorithm('')).toEqual({ ok: true, name: 'rsa4096', spec: { type: 'rsa', bits: 4096 } });
  });
  it('accepts the EC option, case-insensitively', () => {
    expect(parseKeyAlgorithm('EC-P384')).toEqual({ ok: true, name: 'ec-p384', spec: { type: 'ec', curve: 'P-384' } });
  });
  it('rejects anything else with a message quoting option and value', () => {
    expect(parseKeyAlgorithm('dsa', 'ca-key-algorithm')).toEqual({ ok: false, message: 'config "ca-key-algorithm" is "dsa": expected one of rsa2048, rsa3072, rsa4096, ec-p256, ec-p384' });
  });
});
