/**
 * The end of a story run (story.ts) that every convergence test compares with a reference:
 * the story under the given run options, then one update-status round (fault-free, with the
 * same memory setting), then AMS's trust store, the secrets by owner/label/revisions and the
 * canonical projection (projection.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import type { CharmHarness } from '../../../charms/common/src/testing/charm-harness.ts';
import type { WorldState } from '../../../lib/testing/engine/state.ts';
import { canonicalState, firstDifference } from './projection.ts';
import { cleanup, newStory, run, UPDATE_STATUS_MS, type RunOptions, type RunResult, type StoryOptions } from './story.ts';

export interface Outcome {
  readonly state: unknown;
  /** `owner label revisions=1,2`, sorted: a lost or duplicated secret or revision shows here. */
  readonly secrets: string[];
  /** Client names in AMS's trusted-clients.yaml (a JSON record), sorted. */
  readonly trust: string[];
  /** The story's run (with the options' faults). */
  readonly first: RunResult;
  /** The fault-free update-status round after it. */
  readonly second: RunResult;
  /** Hook-tool calls of both runs. */
  readonly calls: number;
  /** Every unit's memory text at the end (h.memory.snapshot()). */
  readonly memory: ReadonlyMap<string, string>;
  /** The debug-log: `LEVEL unit message`. */
  readonly log: string[];
}

function secretSummary(h: CharmHarness): string[] {
  const s = h.engine.toJSON() as WorldState;
  return Object.values(s.secrets).map((x) => `${x.owner} ${x.label ?? ''} revisions=${Object.keys(x.revisions).join(',')}`).sort();
}

/** `options` may be a function of the harness (a test that records what the units' stores hold). */
export async function playStory(options: RunOptions | ((h: CharmHarness) => RunOptions) = {}, story: StoryOptions = {}): Promise<Outcome> {
  let h: CharmHarness | undefined;
  try {
    h = newStory(story);
    const opts = typeof options === 'function' ? options(h) : options;
    const first = await run(h, opts);
    h.engine.advanceTime(UPDATE_STATUS_MS);
    const second = await run(h, { memory: opts.memory !== false });
    const trustText = readFileSync(join(h.unitDir('cloud', 'ams/0', 'ams'), 'server/trusted-clients.yaml'), 'utf8');
    // JSON (charms/ams workload-render.ts), read here without the charm's own reader.
    const trust = (JSON.parse(trustText) as { clients: Array<{ name: string }> }).clients.map((c) => c.name).sort();
    const calls = [...first.ran, ...second.ran].reduce((n, r) => n + r.calls.length, 0);
    const log = (h.engine.toJSON() as WorldState).log.map((l) => `${l.level} ${l.unit} ${l.message}`);
    return { state: canonicalState(h), secrets: secretSummary(h), trust, first, second, calls, memory: h.memory.snapshot(), log };
  } finally {
    cleanup(h);
  }
}

/** Same trust, same secrets, same canonical state, and the update-status round after it passed. */
export function expectConverged(reference: Outcome, got: Outcome): void {
  expect(got.second.failed).toEqual([]);
  expect(got.trust).toEqual(reference.trust);
  expect(got.secrets).toEqual(reference.secrets);
  expect(firstDifference(reference.state, got.state)).toBeUndefined();
}
