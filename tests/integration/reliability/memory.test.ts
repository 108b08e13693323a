/**
 * The hook memory (lib/juju/memory) along the whole story (story.ts):
 *
 * 1. It changes how many hook-tool calls the hooks make, not what they do: the story with the
 *    memory and without it ends in the same canonical state (outcome.ts), with fewer calls.
 * 2. Faults of the memory itself. The store's `take()` returns garbage (a truncated or empty
 *    file, junk, a well-formed memory of another unit, format or time) or throws: dispatch must
 *    treat it as no memory, so every hook makes exactly the calls it makes when the memory was
 *    lost before every hook, nothing fails, and the story converges. `save()` throws (disk
 *    full): a juju-log warning, the next hook reads everything, the story converges. Juju
 *    discards a hook after it saved its memory (a commit-time failure, contract §0.4; agent
 *    death before commit, §1.5): the retry starts from that memory, and must redo the writes
 *    Juju threw away. A memory rolled back to an older one is a known limitation (it.failing).
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import { MAX_AGE_MS, MEMORY_FORMAT } from '../../../lib/juju/memory/hook-memory.ts';
import type { InMemoryStore, MemoryStore } from '../../../lib/juju/memory/store.ts';
import { expectConverged, playStory, type Outcome } from './outcome.ts';

/** The tools each attempt called, in order (values differ between runs; the sequence must not). */
const toolSequence = (o: Outcome, omit = ''): string[] => o.first.ran.map((r) => `${r.hook.unit} ${r.hook.name}: ${r.calls.map((c) => c.tool).filter((t) => t !== omit).join(' ')}`);

/** A store whose saved text comes back through `garble` (when there is one). */
function garbling(garble: (text: string) => string): (store: InMemoryStore) => MemoryStore {
  return (store) => ({
    take: () => { const text = store.take(); return text === undefined ? undefined : garble(text); },
    save: (text) => { store.save(text); },
  });
}

/** A saved memory with some fields replaced (well-formed JSON that must not be trusted). */
const withFields = (fields: Record<string, unknown>) => (text: string): string => JSON.stringify({ ...(JSON.parse(text) as object), ...fields });

const GARBAGE: Array<[string, (text: string) => string]> = [
  ['an empty file', () => ''],
  ['binary junk', () => '\u0000\u00ff\ufffd\u0007 not a memory'],
  ['the first half of the file', (t) => t.slice(0, Math.floor(t.length / 2))],
  ['JSON null', () => 'null'],
  ['a JSON array', () => '[]'],
  ['reads: null', withFields({ reads: null })],
  ['endpoints: an array', withFields({ endpoints: ['ams:1'] })],
  ['derived: a string', withFields({ derived: 'x' })],
  ['fixpoint: a string', withFields({ fixpoint: 'config' })],
  ['another memory format', withFields({ v: MEMORY_FORMAT + 1 })],
  ['another unit\'s memory', (t) => withFields({ unit: `${(JSON.parse(t) as { unit: string }).unit}0` })(t)],
  ['another charm\'s memory', withFields({ charm: 'some other charm code' })],
  ['a memory saved in the future (the clock went back)', withFields({ savedAt: Date.now() + 3_600_000 })],
  ['a memory older than MAX_AGE_MS', withFields({ bornAt: Date.now() - MAX_AGE_MS - 60_000 })],
];

describe('the hook memory changes the number of calls, not the outcome', () => {
  it('the story with and without the memory ends in the same canonical state, with fewer calls', async () => {
    const on = await playStory();
    const off = await playStory({ memory: false });
    expect(on.first.failed).toEqual([]);
    expect(off.first.failed).toEqual([]);
    expectConverged(off, on);
    const hooks = (o: Outcome): number => o.first.ran.length + o.second.ran.length;
    process.stdout.write(`hook memory: ${on.calls} hook-tool calls in ${hooks(on)} hooks with it, ${off.calls} in ${hooks(off)} hooks without it\n`);
    expect(on.calls).toBeLessThan(off.calls);
  }, 60_000);
});

describe('faults of the memory itself: the story still converges', () => {
  let reference: Outcome;
  /** Every unit's memory is lost before each of its hooks (take() finds nothing). */
  let lost: Outcome;

  beforeAll(async () => {
    reference = await playStory();
    lost = await playStory({ memory: (store) => ({ take: () => { store.take(); return undefined; }, save: (t) => { store.save(t); } }) });
    expectConverged(reference, lost);
    // Many hooks did start with a saved memory, so every garbling below is met many times.
    expect(lost.first.ran.filter((r) => r.remembered).length).toBeGreaterThan(50);
  }, 60_000);

  it.each(GARBAGE)('take() returns %s: every hook runs as with no memory, none fails', async (_name, garble) => {
    const got = await playStory({ memory: garbling(garble) });
    expect(got.first.failed).toEqual([]);
    expect(toolSequence(got)).toEqual(toolSequence(lost));
    expectConverged(reference, got);
  }, 60_000);

  it('take() throws (unreadable file): every hook runs as with no memory, none fails', async () => {
    const got = await playStory({ memory: (store) => ({ take: () => { if (store.take() !== undefined) throw new Error('EIO: i/o error, read'); return undefined; }, save: (t) => { store.save(t); } }) });
    expect(got.first.failed).toEqual([]);
    expect(toolSequence(got)).toEqual(toolSequence(lost));
    expectConverged(reference, got);
  }, 60_000);

  it('save() always throws (disk full): a warning per hook, every hook reads everything, none fails', async () => {
    let thrown = 0;
    const got = await playStory({ memory: (store) => ({ take: () => store.take(), save: () => { thrown++; throw new Error('ENOSPC: no space left on device, write'); } }) });
    expect(got.first.failed).toEqual([]);
    // The same calls but the warnings' juju-log.
    expect(toolSequence(got, 'juju-log')).toEqual(toolSequence(lost, 'juju-log'));
    expectConverged(reference, got);
    const warnings = got.log.filter((l) => l.startsWith('WARNING') && l.includes('hook memory not saved'));
    // The update-status round saves (unfaulted); only the story's saves threw.
    expect(thrown).toBeGreaterThan(50);
    expect(warnings.length).toBe(thrown);
  }, 60_000);

  it('save() throws at every third hook: none fails, the story converges', async () => {
    let saves = 0;
    const got = await playStory({ memory: (store) => ({ take: () => store.take(), save: (t) => { if (++saves % 3 === 0) throw new Error('ENOSPC: no space left on device, write'); store.save(t); } }) });
    expect(got.first.failed).toEqual([]);
    expectConverged(reference, got);
    process.stdout.write(`hook memory, every third save lost: ${got.calls} calls (saved every time: ${reference.calls}, never: ${lost.calls})\n`);
  }, 60_000);

  // LIMITATION, not a contract violation (reported to the lead): a memory that is well-formed
  // but older than the unit's last successful hook (its file rolled back, e.g. a machine
  // snapshot restored) is trusted, and the story does not converge (AMS renders another
  // etcd client certificate, or trusts no client). Flip to `it` once the memory can tell.
  it.failing('take() returns the memory the unit saved one hook earlier (its file rolled back): the story converges', async () => {
    const saved = new Map<InMemoryStore, string[]>();
    const got = await playStory({
      memory: (store) => ({
        take: () => { const text = store.take(); const older = saved.get(store) ?? []; return text !== undefined && older.length >= 2 ? older[older.length - 2] : text; },
        save: (text) => { store.save(text); saved.set(store, [...(saved.get(store) ?? []), text]); },
      }),
    });
    expectConverged(reference, got);
  }, 60_000);

  it.each([1, 3])('Juju discards every %i. hook after the charm exited 0 and saved its memory: the retries redo the writes', async (every) => {
    let exits = 0;
    const got = await playStory({ outcome: (_hook, code, attempt) => (code === 0 && attempt === 0 && ++exits % every === 0 ? 1 : code) });
    expect(got.first.failed.length).toBeGreaterThan(20);
    // The retries did start from the memory the discarded hooks saved.
    const ran = got.first.ran;
    const retries = ran.flatMap((r, i) => (r.exitCode === 0 ? [] : ran.slice(i + 1).filter((n) => n.hook.model === r.hook.model && n.hook.unit === r.hook.unit).slice(0, 1)));
    expect(retries.filter((r) => r.remembered).length).toBeGreaterThan(20);
    expectConverged(reference, got);
  }, 60_000);
});
