/**
 * Interleavings: the whole story under 50 seeds of shuffled hook order across units (engine
 * `seed` option; one hook at a time per unit, contract §1.4) converges to the same final
 * state as the FIFO run: same CA per app (every unit's certificates chain to it), same trust
 * sets, same secrets by owner and label, same bags and rendered files, compared on the
 * canonical projection (projection.ts), after one update-status round.
 *
 * Those seeds run with each unit's hook memory (lib/juju/memory), which makes a hook's reads
 * depend on the hooks before it; a second series of seeds runs without it (every hook reads
 * everything) and must end in that same state, so both series end in one state.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import type { CharmHarness } from '../../../charms/common/src/testing/charm-harness.ts';
import { canonicalState, firstDifference } from './projection.ts';
import { cleanup, newStory, run, UPDATE_STATUS_MS } from './story.ts';

const SEEDS = Number(process.env['RELIABILITY_SEEDS'] ?? 50);
const SEEDS_WITHOUT_MEMORY = Number(process.env['RELIABILITY_SEEDS_WITHOUT_MEMORY'] ?? 10);

interface Final { state: unknown; hooks: number; order: string; remembered: number }

async function finalState(seed: number | undefined, memory = true): Promise<Final> {
  let h: CharmHarness | undefined;
  try {
    h = newStory(seed === undefined ? {} : { seed });
    const first = await run(h, { memory });
    expect(first.failed).toEqual([]);
    h.engine.advanceTime(UPDATE_STATUS_MS);
    const second = await run(h, { memory });
    expect(second.failed).toEqual([]);
    const order = first.ran.map((r) => `${r.hook.unit}:${r.hook.name}`).join(',');
    return { state: canonicalState(h), hooks: first.ran.length, order, remembered: first.ran.filter((r) => r.remembered).length };
  } finally {
    cleanup(h);
  }
}

describe('interleavings: shuffled hook order across units', () => {
  let reference: Final;
  const orders = new Set<string>();
  const ordersWithoutMemory = new Set<string>();
  afterAll(() => {
    // Printed for the report: how many distinct orders the seeds produced.
    process.stdout.write(`interleavings: ${orders.size} distinct hook orders over ${SEEDS} seeds with the hook memory, ${ordersWithoutMemory.size} over ${SEEDS_WITHOUT_MEMORY} seeds without\n`);
  });

  it('FIFO reference run settles', async () => {
    reference = await finalState(undefined);
    orders.add(reference.order);
    expect(reference.hooks).toBeGreaterThan(40);
  }, 60_000);

  it.each(Array.from({ length: SEEDS }, (_, i) => [i + 1]))('seed %i converges to the reference state', async (seed) => {
    const got = await finalState(seed);
    orders.add(got.order);
    // The hooks did run from their units' memories.
    expect(got.remembered).toBeGreaterThan(got.hooks / 2);
    expect(firstDifference(reference.state, got.state)).toBeUndefined();
  }, 60_000);

  it('the seeds really shuffled the order', () => {
    expect(orders.size).toBeGreaterThan(Math.min(SEEDS, 10));
  });

  // Seeds 1001…: other orders than the series above.
  it.each(Array.from({ length: SEEDS_WITHOUT_MEMORY }, (_, i) => [1001 + i]))('without the hook memory, seed %i converges to the same state', async (seed) => {
    const got = await finalState(seed, false);
    ordersWithoutMemory.add(got.order);
    expect(got.remembered).toBe(0);
    expect(firstDifference(reference.state, got.state)).toBeUndefined();
  }, 60_000);

  it('the seeds without the memory shuffled the order too', () => {
    expect(ordersWithoutMemory.size).toBeGreaterThan(Math.min(SEEDS_WITHOUT_MEMORY, 10) / 2);
  });
});
