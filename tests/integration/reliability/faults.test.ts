/**
 * Fault injection along the whole story (story.ts): the k-th hook-tool call of a hook fails
 * (exit 1, `ERROR …` on stderr, as when a tool loses its agent), for every k of every hook.
 * Juju then discards the hook's buffered writes and puts the unit in error (contract §0.4,
 * §1.5); we `resolve` it and the hook re-runs. After that everything must converge to the
 * fault-free final state: no CA, token or trust entry lost or duplicated, no orphan secret or
 * revision (canonical projection, projection.ts).
 *
 * Covering every (hook, k) pair with one story per pair would cost ~1,800 stories. Instead
 * run r of STRIDE makes attempt a of every hook fail at call k = r + a·STRIDE: a hook with n
 * calls fails at r, r+STRIDE, r+2·STRIDE, … until an attempt has fewer than k calls and
 * passes, so the STRIDE runs together fail each hook at every k in 1..n (and exercise
 * repeated failures of the same hook on the way). The test checks that coverage.
 */
import { describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import type { CharmHarness } from '../../../charms/common/src/testing/charm-harness.ts';
import type { WorldState } from '../../../lib/testing/engine/state.ts';
import { canonicalState, firstDifference } from './projection.ts';
import { cleanup, FaultyRunner, newStory, run, UPDATE_STATUS_MS, type RunnerWrap } from './story.ts';

const STRIDE = Number(process.env['RELIABILITY_FAULT_STRIDE'] ?? 4);

interface Outcome { readonly state: unknown; readonly secrets: string[]; readonly trust: string[]; readonly faults: Array<{ hook: string; k: number; tool: string }>; readonly callsPerHook: Map<string, number>; readonly failedAttempts: number }

function secretSummary(h: CharmHarness): string[] {
  const s = h.engine.toJSON() as WorldState;
  return Object.values(s.secrets).map((x) => `${x.owner} ${x.label ?? ''} revisions=${Object.keys(x.revisions).join(',')}`).sort();
}

async function story(wrapFor?: (faults: Outcome['faults']) => RunnerWrap): Promise<Outcome> {
  let h: CharmHarness | undefined;
  try {
    h = newStory();
    const faults: Outcome['faults'] = [];
    const first = await run(h, wrapFor ? { wrap: wrapFor(faults) } : {});
    h.engine.advanceTime(UPDATE_STATUS_MS);
    const second = await run(h);
    expect(second.failed).toEqual([]);
    const callsPerHook = new Map<string, number>();
    for (const r of first.ran) if (r.exitCode === 0) callsPerHook.set(`${r.hook.unit} ${r.hook.name}`, Math.max(callsPerHook.get(`${r.hook.unit} ${r.hook.name}`) ?? 0, r.calls.length));
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const trustText = readFileSync(join(h.unitDir('cloud', 'ams/0', 'ams'), 'server/trusted-clients.yaml'), 'utf8');
    const trust = [...trustText.matchAll(/name: (\S+)/g)].map((m) => m[1]!).sort();
    return { state: canonicalState(h), secrets: secretSummary(h), trust, faults, callsPerHook, failedAttempts: first.failed.length };
  } finally {
    cleanup(h);
  }
}

describe('fault injection: the k-th hook-tool call of a hook fails, then resolve', () => {
  let reference: Outcome;
  const covered = new Map<string, Set<number>>();

  it('fault-free reference run', async () => {
    reference = await story();
    expect(reference.trust).toEqual(['anbox-stream-agent/0', 'anbox-stream-agent/1']);
    // One CA per app, one key secret per unit, the two tokens: nothing twice.
    const labels = reference.secrets.map((s) => s.split(' revisions=')[0]);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels.filter((l) => l!.endsWith(' ca'))).toHaveLength(3);
  }, 60_000);

  it.each(Array.from({ length: STRIDE }, (_, i) => [i + 1]))('run %i: every hook fails at calls r, r+STRIDE, … then converges', async (r) => {
    const got = await story((faults) => (runner, hook, attempt) => {
      const k = r + attempt * STRIDE;
      const faulty = new FaultyRunner(runner, k);
      // Record the fault once the hook has made its k-th call.
      return {
        run: (tool, args, options) => {
          const result = faulty.run(tool, args, options);
          if (faulty.calls === k) faults.push({ hook: `${hook.unit} ${hook.name}`, k, tool });
          return result;
        },
      };
    });
    expect(got.faults.length).toBeGreaterThan(0);
    // Most injected faults fail their hook (a charm may also turn a failed read into a status).
    expect(got.failedAttempts).toBeGreaterThan(got.faults.length / 2);
    process.stdout.write(`fault run ${r}: ${got.faults.length} faults injected, ${got.failedAttempts} hooks failed, ${got.faults.length - got.failedAttempts} handled inside the hook (exit 0)\n`);
    for (const f of got.faults) {
      const set = covered.get(f.hook) ?? new Set<number>();
      set.add(f.k);
      covered.set(f.hook, set);
    }
    expect(got.trust).toEqual(reference.trust);
    expect(got.secrets).toEqual(reference.secrets);
    expect(firstDifference(reference.state, got.state)).toBeUndefined();
  }, 180_000);

  it('together the runs failed every hook of the story at every call k', () => {
    const missing: string[] = [];
    let total = 0;
    for (const [hook, n] of reference.callsPerHook) {
      const got = covered.get(hook) ?? new Set<number>();
      for (let k = 1; k <= n; k++) {
        total++;
        if (!got.has(k)) missing.push(`${hook} k=${k}`);
      }
    }
    process.stdout.write(`fault injection: ${total - missing.length}/${total} (hook, k) pairs of the reference story faulted\n`);
    // Hook order and call counts shift a little once faults reorder the story; demand 95%.
    expect(missing.length).toBeLessThanOrEqual(Math.ceil(total * 0.05));
  });
});
