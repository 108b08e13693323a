/** The canonical projection renames random values but keeps who-equals-whom (projection.ts). */
import { describe, expect, it } from '@jest/globals';
import type { WorldState } from '../../../lib/testing/engine/state.ts';
import { Renamer, secretValues } from './projection.ts';

const fpA = 'a'.repeat(63) + '1';
const fpB = 'b'.repeat(63) + '2';
const fpC = 'c'.repeat(63) + '3';
const canon = (v: unknown): unknown => new Renamer().value(v);

describe('Renamer', () => {
  it('equal structure with different random values: equal projections', () => {
    expect(canon({ trust: [fpA], cert: fpA, token: 'tok-0123456789abcdefABCDEF99' })).toEqual(canon({ trust: [fpB], cert: fpB, token: 'tok-9876543210fedcbaFEDCBA11' }));
  });

  it('a lost or swapped link between values: different projections', () => {
    // AMS trusts the certificate the agent renders vs. trusts some other certificate.
    expect(canon({ trust: [fpA], cert: fpA })).not.toEqual(canon({ trust: [fpB], cert: fpC }));
    // A duplicated trust entry is visible.
    expect(canon({ trust: [fpA] })).not.toEqual(canon({ trust: [fpA, fpA] }));
  });

  it('times and known ids are normalised; JSON strings are walked', () => {
    const r = new Renamer();
    r.addKnown('s3cr3tid0123456789ab', 'secret');
    expect(r.value({ at: 1800516865000, id: 'secret:s3cr3tid0123456789ab', j: `{"fp":"${fpA}"}` })).toEqual({ at: '<time>', id: 'secret:<secret$1>', j: 'json:{"fp":"<fp$2>"}' });
  });

  it('a token kept in a secret is renamed even without a digit (TOKEN needs one; 1 in ~1500 base64url tokens)', () => {
    const b64 = (t: string): string => Buffer.from(t).toString('base64');
    const canonWithSecret = (token: string): unknown => {
      const state = { secrets: { s1: { revisions: { '1': { content: { token: b64(token) } } } } } } as unknown as WorldState;
      const r = new Renamer();
      for (const v of secretValues(state)) r.addKnown(v, 'tok');
      return r.value({ secret: token, file: `token: ${token}\n` });
    };
    expect(canonWithSecret('njUSJfTKsyFQGwwVRN_KkE_WXiemsGhwXhWmipNtjjM')).toEqual(canonWithSecret('AJPoPxVzcUyQDdbvwpYvfTEhxfYRKIdjVMugmQUabcd'));
  });
});
