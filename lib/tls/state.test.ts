import { describe, it, expect } from '@jest/globals';
import { appTlsState, unitTlsState, mergeTlsState } from './state.ts';
import type { TlsState } from './plan.ts';

describe('TlsState scopes', () => {
  it('splits CA material (app) from leaves, pending keys and trust (unit), and merges back', () => {
    const s: TlsState = {
      selfSignedCa: { certPem: 'C', keyPem: 'K' },
      leaves: { server: { certPem: 'L', keyPem: 'LK', caPem: 'C', source: 'self-signed' } },
      pending: {},
      trust: { current: 'C', retired: [] },
    };
    expect(appTlsState(s)).toEqual({ selfSignedCa: { certPem: 'C', keyPem: 'K' } });
    expect(Object.keys(unitTlsState(s))).toEqual(['leaves', 'pending', 'trust']);
    expect(mergeTlsState(JSON.parse(JSON.stringify(appTlsState(s))), JSON.parse(JSON.stringify(unitTlsState(s))))).toEqual(s);
    expect(mergeTlsState(undefined, undefined)).toEqual({});
  });
});
