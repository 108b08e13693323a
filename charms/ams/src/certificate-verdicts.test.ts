/**
 * The certificate verdict memo with a stand-in examiner (no x509 at all): a memo hit does not
 * examine, the validity window is checked from the stored dates, damaged values or entries
 * are examined again (never trusted), unused entries are pruned, and an unchanged memo is not
 * written.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CertificateVerdicts, decodeVerdicts, encodeVerdicts, pemDigest, VERDICTS_KEY, type CertificateFacts, type DerivedMemo } from './certificate-verdicts.ts';

const DAY = 86_400_000;
const T0 = new Date('2026-06-01T00:00:00.000Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY);

/** A stand-in PEM text per name (the examiner below never parses it). */
const pem = (name: string) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(name).toString('base64')}\n-----END CERTIFICATE-----\n`;
const fp = (name: string) => pemDigest(`fingerprint of ${name}`);

const FACTS: Record<string, CertificateFacts> = {
  good: { fingerprint: fp('good'), notBefore: at(-1).toISOString(), notAfter: at(10).toISOString() },
  later: { fingerprint: fp('later'), notBefore: at(5).toISOString(), notAfter: at(10).toISOString() },
  server: { fingerprint: fp('server'), notBefore: at(-1).toISOString(), notAfter: at(10).toISOString(), usage: 'ExtendedKeyUsage does not allow client authentication' },
  crlf: { fingerprint: fp('crlf'), notBefore: at(-1).toISOString(), notAfter: at(10).toISOString(), pem: pem('crlf canonical') },
  weak: { rejected: 'RSA key of 1024 bits is below 2048' },
};

/** Examines by looking the name up in FACTS, counting calls. */
function examiner() {
  const calls: string[] = [];
  const examine = (text: string): Promise<CertificateFacts> => {
    const name = Object.keys(FACTS).find((n) => pem(n) === text);
    calls.push(name ?? text);
    return Promise.resolve(name ? (FACTS[name] as CertificateFacts) : { rejected: 'unknown' });
  };
  return { calls, examine };
}

function mapMemo(initial: Record<string, string> = {}): DerivedMemo & { values: Map<string, string>; sets: number } {
  const values = new Map(Object.entries(initial));
  const memo = {
    values,
    sets: 0,
    get: (k: string) => values.get(k),
    set: (k: string, v: string) => {
      memo.sets++;
      values.set(k, v);
    },
  };
  return memo;
}

const refuse = () => Promise.reject(new Error('examined although the memo knew the certificate'));

async function checkAll(verdicts: CertificateVerdicts, names: readonly string[], now: Date) {
  const out: Record<string, unknown> = {};
  for (const n of names) out[n] = await verdicts.check(pem(n), now);
  return out;
}

describe('CertificateVerdicts', () => {
  it('examines each certificate once, and not at all on a memo hit; the verdicts are the same', async () => {
    const memo = mapMemo();
    const cold = examiner();
    const first = new CertificateVerdicts(memo, cold.examine);
    const coldVerdicts = await checkAll(first, ['good', 'good', 'server', 'crlf', 'weak'], T0);
    first.save();
    expect(cold.calls).toEqual(['good', 'server', 'crlf', 'weak']);
    expect(memo.values.get(VERDICTS_KEY)).toMatch(/^v2:[0-9a-f]{64} /);
    expect(memo.values.get(VERDICTS_KEY)!.split('\n')).toHaveLength(4);

    const warm = new CertificateVerdicts(memo, refuse);
    expect(await checkAll(warm, ['good', 'good', 'server', 'crlf', 'weak'], T0)).toEqual(coldVerdicts);
    expect(coldVerdicts).toEqual({
      good: { ok: true, fingerprint: fp('good'), pem: pem('good') },
      server: { ok: false, reason: 'ExtendedKeyUsage does not allow client authentication' },
      crlf: { ok: true, fingerprint: fp('crlf'), pem: pem('crlf canonical') },
      weak: { ok: false, reason: 'RSA key of 1024 bits is below 2048' },
    });
  });

  it('checks the validity window against now from the stored dates alone', async () => {
    const memo = mapMemo();
    const first = new CertificateVerdicts(memo, examiner().examine);
    expect(await first.check(pem('good'), T0)).toMatchObject({ ok: true });
    expect(await first.check(pem('later'), T0)).toEqual({ ok: false, reason: `not valid before ${at(5).toISOString()}` });
    expect(await first.check(pem('server'), T0)).toEqual({ ok: false, reason: 'ExtendedKeyUsage does not allow client authentication' });
    first.save();

    const afterwards = new CertificateVerdicts(memo, refuse);
    expect(await afterwards.check(pem('good'), at(11))).toEqual({ ok: false, reason: `expired at ${at(10).toISOString()}` });
    expect(await afterwards.check(pem('later'), at(6))).toMatchObject({ ok: true, fingerprint: fp('later') });
    // Dates come before usage, as in the full check.
    expect(await afterwards.check(pem('server'), at(11))).toEqual({ ok: false, reason: `expired at ${at(10).toISOString()}` });
  });

  it('examines again what a damaged memo value or entry holds, and rewrites the value', async () => {
    const good = pemDigest(pem('good'));
    const server = pemDigest(pem('server'));
    for (const damaged of [
      'not json',
      `v0:${JSON.stringify({ [good]: FACTS['good'] })}`, // another format version
      `v1:${JSON.stringify([FACTS['good']])}`,
      `v1:${JSON.stringify({ [good]: { ...FACTS['good'], fingerprint: 'ZZ' } })}`,
      `v1:${JSON.stringify({ [good]: { ...FACTS['good'], notAfter: '2030-01-01' } })}`, // not what toISOString writes
      `v1:${JSON.stringify({ [good]: { ...FACTS['good'], trusted: true } })}`, // an unknown field
      `v1:${JSON.stringify({ [good]: { ...FACTS['good'], pem: 'garbage' } })}`,
      `v1:${JSON.stringify({ [good]: { rejected: '' } })}`,
      `v1:${JSON.stringify({ [good]: null })}`,
      `v2:${good}`, // no facts
      `v2:${good} ZZ ${at(-1).toISOString()} ${at(10).toISOString()}`,
      `v2:${good} ${fp('good')} ${at(-1).toISOString()}`,
      `v2:${good} ${fp('good')} ${at(-1).toISOString()} ${at(10).toISOString()} trusted`,
      `v2:${good} ${fp('good')} 2026-06-01 ${at(10).toISOString()}`,
      `v2:${good} {"rejected":""}`,
      `v2:${good} {"fingerprint":`,
      `v2:${good.toUpperCase()} ${fp('good')} ${at(-1).toISOString()} ${at(10).toISOString()}`,
      `v3:${good} ${fp('good')} ${at(-1).toISOString()} ${at(10).toISOString()}`, // a later format
    ]) {
      const memo = mapMemo({ [VERDICTS_KEY]: damaged });
      const { calls, examine } = examiner();
      const verdicts = new CertificateVerdicts(memo, examine);
      expect(await verdicts.check(pem('good'), T0)).toEqual({ ok: true, fingerprint: fp('good'), pem: pem('good') });
      expect(calls).toEqual(['good']);
      verdicts.save();
      expect(decodeVerdicts(memo.values.get(VERDICTS_KEY))).toEqual({ verdicts: new Map([[good, FACTS['good']]]), damaged: false });
    }

    // One damaged entry does not spoil the others.
    const memo = mapMemo({ [VERDICTS_KEY]: `v1:${JSON.stringify({ [good]: { ...FACTS['good'], notBefore: 42 }, [server]: FACTS['server'] })}` });
    const { calls, examine } = examiner();
    const verdicts = new CertificateVerdicts(memo, examine);
    await checkAll(verdicts, ['good', 'server'], T0);
    expect(calls).toEqual(['good']);
  });

  it('reads the v1 encoding (same examination) and rewrites it as v2 once', async () => {
    const v1 = `v1:${JSON.stringify({ [pemDigest(pem('good'))]: FACTS['good'], [pemDigest(pem('server'))]: FACTS['server'] })}`;
    const memo = mapMemo({ [VERDICTS_KEY]: v1 });
    const verdicts = new CertificateVerdicts(memo, refuse);
    expect(await checkAll(verdicts, ['good', 'server'], T0)).toEqual({
      good: { ok: true, fingerprint: fp('good'), pem: pem('good') },
      server: { ok: false, reason: 'ExtendedKeyUsage does not allow client authentication' },
    });
    verdicts.save();
    expect(memo.values.get(VERDICTS_KEY)).toBe(encodeVerdicts(new Map([[pemDigest(pem('good')), FACTS['good']!], [pemDigest(pem('server')), FACTS['server']!]])));
    expect(memo.values.get(VERDICTS_KEY)).toMatch(/^v2:/);
    expect(decodeVerdicts(memo.values.get(VERDICTS_KEY))).toEqual(decodeVerdicts(v1));

    const again = new CertificateVerdicts(memo, refuse);
    await checkAll(again, ['good', 'server'], T0);
    again.save();
    expect(memo.sets).toBe(1);
  });

  it('keeps the stored lines as they are and adds the new one in digest order', async () => {
    const memo = mapMemo();
    const first = new CertificateVerdicts(memo, examiner().examine);
    await checkAll(first, ['good', 'server', 'crlf', 'weak'], T0);
    first.save();
    const before = memo.values.get(VERDICTS_KEY)!;
    // Plain facts have no quotes (nothing for the hook memory to escape); the others are JSON.
    expect(before.split('\n').filter((l) => l.includes('"'))).toHaveLength(3);

    const next = new CertificateVerdicts(memo, examiner().examine);
    await checkAll(next, ['good', 'server', 'crlf', 'weak', 'later'], T0);
    next.save();
    const after = memo.values.get(VERDICTS_KEY)!;
    const added = `${pemDigest(pem('later'))} ${fp('later')} ${at(5).toISOString()} ${at(10).toISOString()}`;
    expect(after.slice(3).split('\n')).toEqual([...before.slice(3).split('\n'), added].sort());
  });

  it('drops entries no certificate in use needs (prune) and writes nothing when nothing changed', async () => {
    const memo = mapMemo();
    const first = new CertificateVerdicts(memo, examiner().examine);
    await checkAll(first, ['good', 'server', 'weak'], T0);
    first.save();
    expect(memo.sets).toBe(1);

    const unchanged = new CertificateVerdicts(memo, refuse);
    await checkAll(unchanged, ['weak', 'good', 'server'], T0);
    unchanged.prune();
    unchanged.save();
    expect(memo.sets).toBe(1);

    const departed = new CertificateVerdicts(memo, refuse);
    await departed.check(pem('good'), T0);
    expect(departed.used).toEqual(new Set([pemDigest(pem('good'))]));
    departed.prune();
    departed.save();
    expect([...decodeVerdicts(memo.values.get(VERDICTS_KEY)).verdicts.keys()]).toEqual([pemDigest(pem('good'))]);

    // An explicit set of digests in use.
    const explicit = new CertificateVerdicts(memo, refuse);
    explicit.prune(new Set());
    explicit.save();
    expect(memo.values.get(VERDICTS_KEY)).toBe('v2:');
  });

  it('does not store facts that would not decode, and still answers', async () => {
    const memo = mapMemo();
    const verdicts = new CertificateVerdicts(memo, () => Promise.resolve({ fingerprint: 'not hex', notBefore: at(-1).toISOString(), notAfter: at(1).toISOString() }));
    expect(await verdicts.check(pem('odd'), T0)).toEqual({ ok: true, fingerprint: 'not hex', pem: pem('odd') });
    verdicts.save();
    expect(memo.sets).toBe(0);
  });

  it('works without a memo (one hook only)', async () => {
    const { calls, examine } = examiner();
    const verdicts = new CertificateVerdicts(undefined, examine);
    await checkAll(verdicts, ['good', 'good'], T0);
    verdicts.save();
    expect(calls).toEqual(['good']);
  });
});

describe('import graph', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  /** Static (non-type) relative imports, transitively. */
  const graph = (file: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(file)) return seen;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'/gm)) {
      const rel = m[1] ?? m[2];
      if (rel) graph(join(dirname(file), rel), seen);
    }
    return seen;
  };

  it.each(['certificate-verdicts.ts', 'client-certificates.ts'])('%s does not load lib/tls statically (x509 only on a memo miss)', (f) => {
    const files = [...graph(join(here, f))];
    expect(files.some((p) => p.includes('/lib/tls/'))).toBe(false);
    expect(files.length).toBeGreaterThan(f === 'client-certificates.ts' ? 1 : 0); // the walk sees imports
  });
});
