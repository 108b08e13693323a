import { describe, it, expect } from '@jest/globals';
import { JujuVersion } from '../juju/version.ts';
import { assertSecretContent, sameContent } from './content.ts';
import { parseLabel, relationLabel, scopedLabel } from './labels.ts';

describe('labels', () => {
  it('round-trips both forms', () => {
    expect(parseLabel(relationLabel('ams-client', 12, 'api-token'))).toEqual({ kind: 'relation', endpoint: 'ams-client', relationId: 12, purpose: 'api-token' });
    expect(parseLabel(scopedLabel('ca'))).toEqual({ kind: 'scoped', purpose: 'ca' });
    expect(parseLabel('Some Other Label')).toBeUndefined();
  });

  it('rejects purposes that would make labels ambiguous', () => {
    for (const bad of ['a.b', 'Upper', '', '1abc', 'x y']) expect(() => scopedLabel(bad)).toThrow('not valid');
  });
});

describe('secret content rules (contract §3.3)', () => {
  const v36 = JujuVersion.parse('3.6.8');
  it('checks key names, emptiness and per-version sizes without echoing values', () => {
    expect(() => assertSecretContent({}, v36)).toThrow('secret content is empty');
    expect(() => assertSecretContent({ ab: 'x' }, v36)).toThrow('key "ab" not valid');
    expect(() => assertSecretContent({ 'a--b': 'x' }, v36)).toThrow('key "a--b" not valid');
    expect(() => assertSecretContent({ big: 'S'.repeat(7000) }, v36)).toThrow(/secret content for key "big" too large: \d+ bytes/);
    expect(() => assertSecretContent({ big: 'S'.repeat(7000) }, v36)).not.toThrow(/SSSS/);
    // 3.3 still had the 5 KiB per-value limit (version.ts)
    expect(() => assertSecretContent({ mid: 'S'.repeat(4500) }, JujuVersion.parse('3.3.0'))).toThrow(/too large/);
    expect(() => assertSecretContent({ mid: 'S'.repeat(4500) }, v36)).not.toThrow();
    expect(() => assertSecretContent({ 'ca-key': 'k', 'ca-cert': 'c' }, v36)).not.toThrow();
  });

  it('compares content by keys and values', () => {
    expect(sameContent({ a: '1', b: '2' }, { b: '2', a: '1' })).toBe(true);
    expect(sameContent({ a: '1' }, { a: '1', b: '' })).toBe(false);
    expect(sameContent(undefined, { a: '1' })).toBe(false);
  });
});
