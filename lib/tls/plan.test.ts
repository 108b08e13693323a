import { describe, it, expect, beforeAll } from '@jest/globals';
import { planTls, type PlanInput, type TlsState, type LeafSpec } from './plan.ts';
import { applyTlsPlan, reconcileTls, type ApplyOptions } from './apply.ts';
import { CertificateAuthority } from './ca.ts';
import { Certificate } from './certificate.ts';
import { verifyCertificate } from './verify.ts';
import { answerCsrRequests, parseCsrRequests, type ProviderCertificateEntry } from './tls-certificates.ts';
import { trustedCas } from './trust-bundle.ts';

// Minute-scale lifetimes and an injected clock: CA 30 min, leaves 9 min, renew at 2/3.
const T0 = new Date('2026-03-01T12:00:00Z');
const at = (min: number): Date => new Date(T0.getTime() + min * 60_000);
const OPTS: ApplyOptions = { caKey: { type: 'ec', curve: 'P-384' }, leafKey: { type: 'ec' }, caValidity: { minutes: 30 }, leafValidity: { minutes: 9 }, backdate: {} };
const WANTED: LeafSpec[] = [
  { name: 'server', usage: 'server', sans: ['10.0.0.5', 'nats-0.example'] },
  { name: 'client', usage: 'client', commonName: 'nats/0' },
];
const base = (state: TlsState, now: Date, extra: Partial<PlanInput> = {}): PlanInput => ({ wanted: WANTED, state, isLeader: true, now, stageGrace: { minutes: 1 }, ...extra });

async function step(input: PlanInput): Promise<{ state: TlsState; kinds: Record<string, string>; ca: string; changed: ReturnType<typeof Object> }> {
  const { plan, material } = await reconcileTls(input, OPTS);
  return { state: material.state, kinds: Object.fromEntries(plan.leaves.map((l) => [l.leaf, l.kind])), ca: plan.ca, changed: material.changed };
}

async function leafChainsTo(state: TlsState, name: string, caPem: string, now: Date): Promise<boolean> {
  const l = state.leaves?.[name];
  if (!l) return false;
  return (await verifyCertificate({ certificate: l.certPem, key: l.keyPem, trusted: caPem, now })).ok;
}

let external: CertificateAuthority;
beforeAll(async () => {
  external = await CertificateAuthority.create({ key: { type: 'ec' }, commonName: 'external CA', now: at(-1) });
});

describe('planTls: self-signed source (3)', () => {
  it('leader creates the CA and issues every leaf; running again changes nothing', async () => {
    const s1 = await step(base({}, T0));
    expect(s1.ca).toBe('create');
    expect(s1.kinds).toEqual({ server: 'issue', client: 'issue' });
    expect(s1.state.selfSignedCa).toBeDefined();
    expect(await leafChainsTo(s1.state, 'server', s1.state.selfSignedCa!.certPem, T0)).toBe(true);
    expect(trustedCas(s1.state.trust!, T0)).toEqual([s1.state.selfSignedCa!.certPem]);
    const again = await planTls(base(s1.state, at(1)));
    expect(again.changes).toBe(false);
    expect(again.leaves.map((l) => l.kind)).toEqual(['keep', 'keep']);
  });

  it('a follower waits for the leader, then issues from the CA the leader stored', async () => {
    const p = await planTls(base({}, T0, { isLeader: false }));
    expect(p.blocked).toBe('waiting for the leader to create the CA');
    const leader = await step(base({}, T0));
    const follower = await step(base({ selfSignedCa: leader.state.selfSignedCa }, T0, { isLeader: false }));
    expect(follower.ca).toBe('keep');
    expect(follower.kinds).toEqual({ server: 'issue', client: 'issue' });
  });

  it('renews a leaf at 2/3 of its life with a fresh key, and re-issues when addresses change', async () => {
    const s1 = await step(base({}, T0));
    const p = await planTls(base(s1.state, at(6)));
    expect(p.leaves).toEqual([{ kind: 'issue', leaf: 'server', reason: 'renewal due' }, { kind: 'issue', leaf: 'client', reason: 'renewal due' }]);
    const s2 = await step(base(s1.state, at(6)));
    expect(s2.state.leaves!.server!.keyPem).not.toBe(s1.state.leaves!.server!.keyPem);
    const moved = await planTls({ ...base(s2.state, at(7)), wanted: [{ ...WANTED[0]!, sans: ['10.0.0.6'] }, WANTED[1]!] });
    expect(moved.leaves).toEqual([{ kind: 'issue', leaf: 'server', reason: 'addresses changed' }, { kind: 'keep', leaf: 'client' }]);
  });

  it('rotates the CA in two phases: stage (trusted, not signing), activate after the grace, retire after the last old leaf expires', async () => {
    const s1 = await step(base({}, T0));
    const ca1 = s1.state.selfSignedCa!.certPem;
    // Keep leaves fresh until the CA reaches 2/3 of its 30 minutes (minute 20).
    const s2 = await step(base(s1.state, at(19)));
    expect(s2.ca).toBe('keep');
    const s3 = await step(base(s2.state, at(20)));
    expect(s3.ca).toBe('stage');
    expect(s3.kinds).toEqual({ server: 'keep', client: 'keep' });
    const ca2 = s3.state.nextSelfSignedCa!.certPem;
    expect(trustedCas(s3.state.trust!, at(20))).toEqual([ca1, ca2]);
    expect((await step(base(s3.state, at(20.5)))).ca).toBe('keep'); // still inside the grace
    const s4 = await step(base(s3.state, at(21)));
    expect(s4.ca).toBe('activate');
    expect(s4.kinds).toEqual({ server: 'issue', client: 'issue' });
    expect(s4.state.selfSignedCa!.certPem).toBe(ca2);
    expect(await leafChainsTo(s4.state, 'server', ca2, at(21))).toBe(true);
    // Old leaves (issued at minute 19, 9 min) live until minute 28 at most: ca1 stays until then.
    expect(trustedCas(s4.state.trust!, at(21))).toEqual([ca2, ca1]);
    expect(trustedCas(s4.state.trust!, at(30.1))).toEqual([ca2]);
  });

  it('drops leaves that are no longer wanted', async () => {
    const s1 = await step(base({}, T0));
    const { plan, material } = await reconcileTls({ ...base(s1.state, at(1)), wanted: [WANTED[0]!] }, OPTS);
    expect(plan.remove).toEqual(['client']);
    expect(Object.keys(material.state.leaves!)).toEqual(['server']);
    expect(material.changed.removed).toEqual(['client']);
  });

  it('recreates an unusable stored CA', async () => {
    const p = await planTls(base({ selfSignedCa: { certPem: 'junk', keyPem: 'junk' } }, T0));
    expect(p.ca).toBe('create');
    expect(p.caReason).toMatch(/^stored CA unusable/);
  });
});

describe('planTls: switching to an external CA (1) and back', () => {
  it('requests via CSRs while the self-signed leaves stay in service, installs verified answers, then switches back', async () => {
    const s1 = await step(base({}, T0));
    const rel = (certificates: ProviderCertificateEntry[]): Partial<PlanInput> => ({ relation: { certificates } });
    const { plan, material } = await reconcileTls(base(s1.state, at(1), rel([])), OPTS);
    expect(plan.source).toBe('relation');
    expect(plan.leaves).toEqual([
      { kind: 'request', leaf: 'server', reason: 'CA source changed from self-signed to relation' },
      { kind: 'request', leaf: 'client', reason: 'CA source changed from self-signed to relation' },
    ]);
    expect(material.state.leaves).toEqual(s1.state.leaves); // still serving
    const requests = parseCsrRequests(material.csrRequests);
    expect(requests.ok && requests.entries).toHaveLength(2);
    // Nothing answered yet: wait, and do not re-request.
    const waiting = await planTls(base(material.state, at(2), rel([])));
    expect(waiting.leaves.map((l) => l.kind)).toEqual(['wait', 'wait']);
    // The external CA answers.
    const answer = await answerCsrRequests(external, requests.ok ? requests.entries : [], { now: at(2) });
    const s3 = await step(base(material.state, at(2), rel(answer.entries)));
    expect(s3.kinds).toEqual({ server: 'install', client: 'install' });
    expect(s3.state.pending).toEqual({});
    expect(s3.state.leaves!.server!.source).toBe('relation');
    expect(await leafChainsTo(s3.state, 'server', external.certPem, at(2))).toBe(true);
    expect(trustedCas(s3.state.trust!, at(2))).toEqual([external.certPem, s1.state.selfSignedCa!.certPem]);
    expect((await planTls(base(s3.state, at(3), rel(answer.entries)))).changes).toBe(false);
    // Relation removed: back to self-signed, everything re-issued.
    const back = await step(base(s3.state, at(4)));
    expect(back.kinds).toEqual({ server: 'issue', client: 'issue' });
    expect(await leafChainsTo(back.state, 'server', s1.state.selfSignedCa!.certPem, at(4))).toBe(true);
  });

  it('accepts an external certificate with extra SANs and usages without re-requesting forever', async () => {
    const s1 = await step(base({}, T0, { relation: { certificates: [] } }));
    const entries: ProviderCertificateEntry[] = [];
    for (const [name, p] of Object.entries(s1.state.pending!)) {
      const extra = name === 'server' ? ['10.0.0.5', 'nats-0.example', 'extra.example'] : ['client.example'];
      const [e] = (await answerCsrRequests(external, [{ certificate_signing_request: p.csrPem }], { now: T0, issue: { usage: 'both', sans: extra, commonName: 'rewritten' } })).entries;
      entries.push(e!);
    }
    const s2 = await step(base(s1.state, T0, { relation: { certificates: entries } }));
    expect(s2.kinds).toEqual({ server: 'install', client: 'install' });
    expect((await planTls(base(s2.state, at(1), { relation: { certificates: entries } }))).changes).toBe(false);
  });

  it('keeps waiting, with a problem, when the answer fails verification', async () => {
    const s1 = await step(base({}, T0, { relation: { certificates: [] } }));
    const requests = parseCsrRequests(JSON.stringify(Object.values(s1.state.pending!).map((p) => ({ certificate_signing_request: p.csrPem }))));
    const answer = await answerCsrRequests(external, requests.ok ? requests.entries : [], { now: T0 });
    const bad = answer.entries.map((e) => ({ ...e, certificate: answer.entries[1]!.certificate }));
    const p = await planTls(base(s1.state, T0, { relation: { certificates: bad } }));
    expect(p.leaves[0]).toMatchObject({ kind: 'wait', leaf: 'server' });
    expect(p.problems[0]).toMatch(/^server: certificate from the CA rejected: certificate "nats\/0" does not match our private key$/);
  });
});

describe('planTls: config PEMs (2)', () => {
  it('signs with an operator CA, and the relation still takes precedence', async () => {
    const opCa = await CertificateAuthority.create({ key: { type: 'ec' }, commonName: 'operator CA', now: at(-1) });
    const config = { caCert: opCa.certPem, caKey: opCa.keyPem };
    const s = await step(base({}, T0, { config }));
    expect(s.kinds).toEqual({ server: 'issue', client: 'issue' });
    expect(s.state.leaves!.server!.source).toBe('config');
    expect(await leafChainsTo(s.state, 'server', opCa.certPem, T0)).toBe(true);
    expect((await planTls(base(s.state, T0, { config, relation: { certificates: [] } }))).source).toBe('relation');
  });

  it('uses an operator cert + key as is', async () => {
    const opCa = await CertificateAuthority.create({ key: { type: 'ec' }, now: at(-1) });
    const leaf = await opCa.issue({ key: { type: 'ec' }, usage: 'both', sans: ['10.0.0.5'], now: at(-1) });
    const config = { cert: leaf.certPem, key: leaf.keyPem, caCert: opCa.certPem };
    const s = await step(base({}, T0, { config }));
    expect(s.kinds).toEqual({ server: 'use-config', client: 'use-config' });
    expect(s.state.leaves!.server!.certPem).toBe(leaf.certPem);
    expect(Certificate.fromPem(s.state.leaves!.server!.caPem).equals(opCa.certificate)).toBe(true);
    expect((await planTls(base(s.state, T0, { config }))).changes).toBe(false);
  });

  it('accepts a self-signed operator certificate without a CA (chain not checked), but not an expired one', async () => {
    const selfSigned = await CertificateAuthority.create({ key: { type: 'ec' }, commonName: 'op', now: at(-1) });
    // A CA certificate is refused as a leaf by policy; a leaf issued under an unknown CA is fine.
    expect((await planTls(base({}, T0, { config: { cert: selfSigned.certPem, key: selfSigned.keyPem } }))).blocked)
      .toBe('config certificate: certificate "op" is a CA certificate, not a leaf');
    const leaf = await selfSigned.issue({ key: { type: 'ec' }, usage: 'both', sans: ['10.0.0.5'], now: at(-1) });
    const ok = await step(base({}, T0, { config: { cert: leaf.certPem, key: leaf.keyPem } }));
    expect(ok.kinds).toEqual({ server: 'use-config', client: 'use-config' });
    expect(ok.state.leaves!.server!.caPem).toBe(leaf.certPem);
    const late = await planTls(base({}, at(60 * 24 * 91), { config: { cert: leaf.certPem, key: leaf.keyPem } }));
    expect(late.blocked).toMatch(/^config certificate: it is outside its validity window/);
  });

  it('blocks with a clear reason on unusable config, changing nothing', async () => {
    const opCa = await CertificateAuthority.create({ key: { type: 'ec' }, now: at(-1) });
    const other = await CertificateAuthority.create({ key: { type: 'ec' }, now: at(-1) });
    const cases: [object, string][] = [
      [{ caKey: opCa.keyPem }, 'config: give both a CA certificate and the CA key (or a certificate and key)'],
      [{ caCert: opCa.certPem, caKey: other.keyPem }, 'config CA: The CA private key does not match the CA certificate'],
      [{ cert: opCa.certPem }, 'config: give both a certificate and its key'],
    ];
    for (const [config, reason] of cases) {
      const input = base({}, T0, { config });
      const p = await planTls(input);
      expect(p.blocked).toBe(reason);
      expect((await applyTlsPlan(p, input, OPTS)).state).toEqual({});
    }
  });
});
