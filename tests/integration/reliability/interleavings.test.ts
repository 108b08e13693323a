/**
 * Interleavings: the whole story under 50 seeds of shuffled hook order across units (engine
 * `seed` option; one hook at a time per unit, contract §1.4) converges to the same final
 * state as the FIFO run: same CA per app (every unit's certificates chain to it), same trust
 * sets, same secrets by owner and label, same bags and rendered files, compared on the
 * canonical projection (projection.ts), after one update-status round.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import type { CharmHarness } from '../../../charms/common/src/testing/charm-harness.ts';
import { canonicalState, firstDifference } from './projection.ts';
import { cleanup, newStory, run, UPDATE_STATUS_MS } from './story.ts';

const SEEDS = Number(process.env['RELIABILITY_SEEDS'] ?? 50);

async function finalState(seed?: number): Promise<{ state: unknown; hooks: number; order: string }> {
  let h: CharmHarness | undefined;
  try {
    h = newStory(seed === undefined ? {} : { seed });
    const first = await run(h);
    expect(first.failed).toEqual([]);
    h.engine.advanceTime(UPDATE_STATUS_MS);
    const second = await run(h);
    expect(second.failed).toEqual([]);
    const order = first.ran.map((r) => `${r.hook.unit}:${r.hook.name}`).join(',');
    return { state: canonicalState(h), hooks: first.ran.length, order };
  } finally {
    cleanup(h);
  }
}

describe('interleavings: shuffled hook order across units', () => {
  let reference: { state: unknown; hooks: number; order: string };
  const orders = new Set<string>();
  afterAll(() => {
    // Printed for the report: how many distinct orders the seeds produced.
    process.stdout.write(`interleavings: ${orders.size} distinct hook orders over ${SEEDS} seeds\n`);
  });

  it('FIFO reference run settles', async () => {
    reference = await finalState();
    orders.add(reference.order);
    expect(reference.hooks).toBeGreaterThan(40);
  }, 60_000);

  it.each(Array.from({ length: SEEDS }, (_, i) => [i + 1]))('seed %i converges to the reference state', async (seed) => {
    const got = await finalState(seed);
    orders.add(got.order);
    expect(firstDifference(reference.state, got.state)).toBeUndefined();
  }, 60_000);

  it('the seeds really shuffled the order', () => {
    expect(orders.size).toBeGreaterThan(Math.min(SEEDS, 10));
  });
});
