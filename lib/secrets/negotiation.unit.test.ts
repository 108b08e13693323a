/**
 * transportMode / remoteCapability decisions on hand-made bags (no simulator): the tri-state
 * flag (fail closed on absent/invalid) and the no-downgrade rule (README "No downgrade").
 */
import { describe, it, expect } from '@jest/globals';
import { JujuVersion } from '../juju/version.ts';
import type { HookTools } from '../juju/types.ts';
import type { Relation } from '../relations/relation.ts';
import { remoteCapabilityReport, transportMode, type NegotiationEnv } from './negotiation.ts';

type Bags = { remoteApp?: Record<string, string>; units?: Record<string, Record<string, string>>; localApp?: Record<string, string> };

function relation(bags: Bags): Relation {
  const view = (label: string, data: Record<string, string>) => ({ label, all: () => ({ ...data }) });
  return {
    name: 'client:4', isPeer: false, isOfferSideOfCrossModel: false,
    remoteAppBag: view('client:4 app bag', bags.remoteApp ?? {}),
    remoteUnitBags: () => Object.entries(bags.units ?? {}).map(([u, d]) => view(`client:4 unit bag ${u}`, d)),
    localApp: view('client:4 app bag', bags.localApp ?? {}),
  } as unknown as Relation;
}

const env = (version = '3.6.8'): NegotiationEnv => ({ tools: {} as HookTools, version: JujuVersion.parse(version) });
const unit = (flag?: string) => ({ 'ams/0': { 'ingress-address': '10.0.0.9', ...(flag === undefined ? {} : { secrets_supported: flag }) } });

describe('remote secrets_supported flag (tri-state)', () => {
  it('"true" → secret id; explicit "false" → plaintext allowed', () => {
    expect(transportMode(env(), relation({ units: unit('true') })).mode).toBe('secret');
    expect(transportMode(env(), relation({ units: unit('false') })).mode).toBe('inline');
  });

  it('SECURITY: an invalid value shares nothing and names relation, bag and field, without echoing the value', () => {
    const r = relation({ units: unit('maybe-s3cr3t') });
    expect(remoteCapabilityReport(r).capability).toBe('invalid');
    const t = transportMode(env(), r, { silentMeansLegacy: true });
    expect(t.mode).toBe('undecided');
    expect(t.why).toContain('client:4 unit bag ams/0');
    expect(t.why).toContain('field "secrets_supported"');
    expect(t.why).toContain('must be "true" or "false"');
    expect(t.why).not.toContain('s3cr3t');
  });

  it('an invalid value wins over a "true" elsewhere (fail closed)', () => {
    const r = relation({ remoteApp: { secrets_supported: 'true' }, units: unit('TRUE') });
    expect(transportMode(env(), r).mode).toBe('undecided');
  });

  it('an absent flag is unknown even when the remote wrote other data; only silentMeansLegacy opts into plaintext', () => {
    const r = relation({ remoteApp: { url: 'https://x' }, units: unit() });
    expect(remoteCapabilityReport(r).capability).toBe('silent');
    expect(transportMode(env(), r).mode).toBe('undecided');
    expect(transportMode(env(), r, { silentMeansLegacy: true }).mode).toBe('inline');
  });

  it('we cannot grant (Juju 2.9): plaintext, the only option there', () => {
    expect(transportMode(env('2.9.44'), relation({ units: unit('true') })).mode).toBe('inline');
  });
});

describe('no downgrade once a secret id was shared on the relation', () => {
  const shared = { token_secret_id: 'secret:abc' };
  it('remote later says "false": never plaintext, undecided with the reason', () => {
    const t = transportMode(env(), relation({ units: unit('false'), localApp: shared }));
    expect(t.mode).toBe('undecided');
    expect(t.why).toContain('never downgraded to plaintext');
  });

  it('silentMeansLegacy does not downgrade either', () => {
    expect(transportMode(env(), relation({ units: unit(), localApp: shared }), { silentMeansLegacy: true }).mode).toBe('undecided');
  });

  it('an emptied id field (deleted) does not count; "true" still gives the secret id', () => {
    expect(transportMode(env(), relation({ units: unit('false'), localApp: { token_secret_id: '' } })).mode).toBe('inline');
    expect(transportMode(env(), relation({ units: unit('true'), localApp: shared })).mode).toBe('secret');
  });
});
