import { describe, expect, it } from '@jest/globals';
import { JujuVersion, secretContentProblem } from './version.ts';

const v = (s: string) => JujuVersion.parse(s);

describe('JujuVersion', () => {
  it('parses release, build and pre-release forms', () => {
    expect(v('3.6.1')).toMatchObject({ major: 3, minor: 6, patch: 1, tag: '', build: 0 });
    expect(v('2.9.44.1')).toMatchObject({ major: 2, minor: 9, patch: 44, build: 1 });
    expect(v('3.0-beta2')).toMatchObject({ major: 3, minor: 0, tag: 'beta', patch: 2 });
    expect(v('3.0-beta2').toString()).toBe('3.0-beta2');
    expect(v('2.9.44.1').toString()).toBe('2.9.44.1');
    expect(() => v('three')).toThrow('invalid Juju version');
  });

  it('orders versions (pre-release before release)', () => {
    const sorted = ['3.6.1', '2.9.44', '3.0-rc1', '3.0.0', '3.0-beta2', '3.6.0.1', '3.10.0'].map(v).sort((a, b) => a.compare(b)).map(String);
    expect(sorted).toEqual(['2.9.44', '3.0-beta2', '3.0-rc1', '3.0.0', '3.6.0.1', '3.6.1', '3.10.0']);
    expect(v('3.6.2').atLeast('3.6.2')).toBe(true);
  });

  it.each([
    ['hasAppDatabags', '2.6.9', '2.7.0'],
    ['hasDispatch', '2.7.9', '2.8.0'],
    ['hasSecrets', '3.0.2', '3.0.3'],
    ['hasCrossModelSecrets', '3.1.9', '3.2.0'],
    ['identicalSecretSetNoRevision', '3.5.9', '3.6.0'],
    ['hasRelationModelGet', '3.6.1', '3.6.2'],
  ] as const)('%s: false at %s, true at %s', (flag, before, from) => {
    expect(v(before)[flag]).toBe(false);
    expect(v(from)[flag]).toBe(true);
  });

  it('ownersTrackRevisions: 3.1.7+ on 3.1, 3.3.1+ otherwise (contract §3.5 item 7)', () => {
    expect(['3.1.6', '3.1.7', '3.2.4', '3.3.0', '3.3.1', '3.6.0', '2.9.44'].map((s) => v(s).ownersTrackRevisions))
      .toEqual([false, true, false, false, true, true, false]);
  });

  it('secret content limits per version (contract §3.3)', () => {
    expect(v('2.9.44').secretContentLimits).toBeNull();
    expect(v('3.1.0').secretContentLimits).toEqual({ perValueBytes: 5 * 1024, totalBytes: 64 * 1024 });
    expect(v('3.6.1').secretContentLimits).toEqual({ perValueBytes: 8 * 1024, totalBytes: 64 * 1024 });
  });

  it('secretContentProblem measures the base64 form and names keys, never values', () => {
    const limits = { perValueBytes: 8, totalBytes: 12 };
    expect(secretContentProblem({ a: '123456' }, limits)).toBeNull(); // base64 is 8 bytes
    expect(secretContentProblem({ a: '1234567' }, limits)).toBe('secret content for key "a" too large: 12 bytes (limit 8)');
    expect(secretContentProblem({ a: '123', b: '456', c: '789', d: '0' }, limits)).toBe('secret content too large: 16 bytes (limit 12)');
  });
});
