/**
 * The hook memory: what one unit remembers from its last SUCCESSFUL hook, so the next hook
 * makes only the hook-tool calls whose answers can have changed (issue 8: ops makes ~10 calls
 * and imports its whole framework in every hook; we aim at a few calls and no charm code).
 *
 * It holds, per unit (never shared):
 * - `reads`: answers of non-secret hook-tool reads (config-get, relation-get, relation-list,
 *   network-get, state-get, ...). A hook trusts those that invalidation.ts says it cannot have
 *   made stale, and re-reads the rest. Secret contents are never stored: a secret read is
 *   remembered only as "was read" (and the memory is off on Juju without secrets, where the
 *   lib/secrets fallback puts credentials in databags and unit state);
 * - `fixpoint`: when the last reconcile made no write at all, the key and a hash of every
 *   answer it read. That reconcile reached a fixed point: run again on the same answers it
 *   would write nothing again. So if every read it depended on is still valid (or re-reads
 *   equal), this hook's reconcile can be skipped, and the charm's code is not even loaded;
 * - `status`: the unit status last set, so an unchanged status is not set again;
 * - `derived`: a small key-value store for the charm's derived data (`ctx.memo`), e.g. the
 *   verdict on a certificate it already checked. Never secrets.
 * A hook that fails saves nothing, so after a failure (and after install, upgrade-charm, ...
 * or when the memory is older than MAX_AGE_MS) the next hook runs cold and reads everything.
 */
import { memoryKey, staleReads, type MemoryEvent } from './invalidation.ts';

export const MEMORY_FORMAT = 1;
/** A memory older than this is not trusted: a safety net for changes no hook announces. */
export const MAX_AGE_MS = 60 * 60 * 1000;

interface Snapshot {
  readonly v: number;
  readonly unit: string;
  /** Which charm code made it (HookMemoryOptions.charm): other code starts cold. */
  readonly charm: string;
  readonly savedAt: number;
  /** When the unit last read everything (a cold hook): MAX_AGE_MS counts from here. */
  readonly bornAt: number;
  readonly reads: Record<string, unknown>;
  readonly endpoints: Record<string, string>;
  readonly derived: Record<string, string>;
  readonly status?: { readonly name: string; readonly message: string };
  readonly fixpoint?: Record<string, string>;
  /** The fixpoint holds until then (ms): the reconcile's outcome depends on the clock. */
  readonly until?: number;
  /** Why the last hook saved no new fixpoint (its first write): for `jujusim` debugging. */
  readonly wrote?: string;
  /**
   * The reads the last reconcile had to ask a hook tool for, as `[key, tool, ...args]`, in
   * order: the next hook prefetches those it cannot recall (prefetch.ts). Commands only (ids,
   * labels, endpoints), never an answer.
   */
  readonly prefetch?: ReadonlyArray<readonly string[]>;
}

/** What kind of read an observation is. */
export type ReadKind = 'value' | 'secret';

/** cyrb53: a fast 53-bit string hash, for "same answer?" checks of non-secret data only. */
export function answerHash(text: string): string {
  let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

const hashOf = (kind: ReadKind, value: unknown): string => (kind === 'secret' ? 's' : answerHash(JSON.stringify(value) ?? 'undefined'));

/**
 * A fixpoint entry for a bag of which only some fields were used: `f:<fields>:<hash of those
 * fields' values>` (fields sorted, comma-free names only), so a change to other fields, e.g. a
 * key this charm does not know, does not stop the skip.
 */
function fieldsHash(fields: readonly string[], value: unknown): string {
  const bag = (value ?? {}) as Record<string, unknown>;
  return `f:${fields.join(',')}:${answerHash(JSON.stringify(fields.map((f) => bag[f] ?? null)))}`;
}

function parse(text: string | undefined, unit: string, charm: string, now: number): Snapshot | undefined {
  if (!text) return undefined;
  try {
    const s = JSON.parse(text) as Snapshot;
    if (s.v !== MEMORY_FORMAT || s.unit !== unit || s.charm !== charm || typeof s.savedAt !== 'number' || typeof s.bornAt !== 'number') return undefined;
    if (now - s.bornAt > MAX_AGE_MS || now < s.savedAt) return undefined;
    const isRecord = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
    if (!isRecord(s.reads) || !isRecord(s.derived) || !isRecord(s.endpoints)) return undefined;
    if (s.fixpoint !== undefined && !isRecord(s.fixpoint)) return undefined;
    if (s.prefetch !== undefined && !(Array.isArray(s.prefetch) && s.prefetch.every((c) => Array.isArray(c) && c.length >= 2 && c.every((w) => typeof w === 'string')))) return undefined;
    return s;
  } catch {
    return undefined;
  }
}

export interface HookMemoryOptions {
  readonly now?: number;
  /**
   * Names the charm code: a memory made by other code is not trusted (a real unit's code
   * changes only with upgrade-charm, which starts cold anyway; in-process tests may hand one
   * unit different definitions). Default ''.
   */
  readonly charm?: string;
}

export class HookMemory {
  readonly #unit: string;
  readonly #charm: string;
  /** Remembered answers still valid in this hook (updated by this hook's reads and writes). */
  readonly #reads = new Map<string, unknown>();
  readonly #endpoints = new Map<number, string>();
  readonly #derived = new Map<string, string>();
  #status: { name: string; message: string } | undefined;
  /** The last quiescent reconcile's reads (key → hash), if any. */
  readonly #fixpoint: ReadonlyMap<string, string> | undefined;
  /** Keys of the fixpoint this hook must re-read before it may skip. */
  readonly #toRecheck: readonly string[];
  /** This hook's reads: kind and answer (hashed only when needed: most hooks write, and need no hash). */
  readonly #observed = new Map<string, { readonly kind: ReadKind; readonly value: unknown }>();
  /** The remembered answers of the keys this hook re-reads for the skip check. */
  readonly #before = new Map<string, unknown>();
  /** Which fields of a read the charm used ('all' when it did not say): relation bags. */
  readonly #usage = new Map<string, Set<string> | 'all'>();
  #wrote: string | undefined;
  /** Keys whose remembered answer comes from this hook's own buffered writes. */
  readonly #ownWrites = new Set<string>();
  #until: number | undefined;
  /** The last reconcile's tool reads (`[key, tool, ...args]`), and this hook's. */
  readonly #lastFetched: ReadonlyArray<readonly string[]>;
  readonly #fetched: string[][] = [];
  readonly #now: number;
  readonly cold: boolean;
  readonly #bornAt: number;

  constructor(saved: string | undefined, event: MemoryEvent, options: HookMemoryOptions = {}) {
    this.#unit = event.unitName;
    this.#charm = options.charm ?? '';
    const now = options.now ?? Date.now();
    this.#now = now;
    const snapshot = parse(saved, event.unitName, this.#charm, now);
    const stale = snapshot ? staleReads(event) : 'all';
    this.cold = stale === 'all';
    this.#bornAt = snapshot && stale !== 'all' ? snapshot.bornAt : now;
    // A cold hook still prefetches what the last reconcile read (prefetch.ts re-asks, never recalls).
    this.#lastFetched = snapshot?.prefetch ?? [];
    if (!snapshot || stale === 'all') {
      this.#fixpoint = undefined;
      this.#toRecheck = [];
      return;
    }
    for (const [k, v] of Object.entries(snapshot.reads)) {
      if (!stale(k)) this.#reads.set(k, v);
      else this.#before.set(k, v);
    }
    for (const [k, v] of Object.entries(snapshot.endpoints)) this.#endpoints.set(Number(k), v);
    for (const [k, v] of Object.entries(snapshot.derived)) this.#derived.set(k, v);
    if (snapshot.status) this.#status = snapshot.status;
    // secret-* hooks are event work (secret-remove must remove a revision): never skipped.
    const expired = snapshot.until !== undefined && now >= snapshot.until;
    const fixpoint = snapshot.fixpoint && !event.kind.startsWith('secret-') && !expired ? new Map(Object.entries(snapshot.fixpoint)) : undefined;
    if (fixpoint && snapshot.until !== undefined) this.#until = snapshot.until;
    this.#fixpoint = fixpoint;
    // A remembered is-leader `true` is not asked again for the skip: a skip writes nothing, so
    // acting on a lost lease cannot happen; the leadership change itself arrives as
    // leader-elected / leader-settings-changed (contract §1.4), which makes it stale.
    this.#toRecheck = fixpoint ? [...fixpoint.keys()].filter((k) => stale(k)) : [];
  }

  // ---- reads

  /** A remembered answer still valid in this hook, or undefined. */
  recall(key: string): unknown {
    return this.#reads.get(key);
  }

  /** Records one of this hook's reads (and remembers a non-secret answer for later hooks). */
  observe(key: string, kind: ReadKind, value?: unknown): void {
    this.#observed.set(key, { kind, value: kind === 'secret' ? undefined : value });
    if (kind !== 'value') return;
    // is-leader: only a `false` may be reused by a later hook (invalidation.ts).
    if (key === memoryKey.isLeader() && value !== false) this.#reads.delete(key);
    else this.#reads.set(key, value);
  }

  /** This hook asked a tool for `key` with `command` (exit 0): the next hook may prefetch it. */
  fetched(key: string, command: readonly string[]): void {
    this.#fetched.push([key, ...command]);
  }

  /**
   * The commands to prefetch now: the last reconcile's tool reads that this hook can neither
   * recall nor has already made (the skip check's re-reads).
   */
  prefetchPlan(): Array<readonly [string, ...string[]]> {
    const plan: Array<readonly [string, ...string[]]> = [];
    for (const [key = '', tool, ...args] of this.#lastFetched) {
      if (tool === undefined || this.#reads.has(key) || this.#observed.has(key)) continue;
      plan.push([tool, ...args]);
    }
    return plan;
  }

  /** The charm's decisions depend on these fields of `key`'s answer (or on all of it). */
  used(key: string, fields: readonly string[] | 'all'): void {
    const now = this.#usage.get(key);
    if (now === 'all') return;
    if (fields === 'all' || fields.some((f) => f.includes(','))) { this.#usage.set(key, 'all'); return; }
    const set = now ?? new Set<string>();
    for (const f of fields) set.add(f);
    this.#usage.set(key, set);
  }

  /** The fixpoint entry of one of this hook's reads: narrowed to the fields used, if known. */
  #fixpointEntry(key: string, seen: { readonly kind: ReadKind; readonly value: unknown }): string {
    const usage = this.#usage.get(key);
    if (usage === undefined || usage === 'all' || seen.kind === 'secret') return hashOf(seen.kind, seen.value);
    return fieldsHash([...usage].sort(), seen.value);
  }

  /** This hook changed what `key` answers (our own write, committed if the hook succeeds). */
  update(key: string, value: unknown): void {
    this.#reads.set(key, value);
    this.#ownWrites.add(key);
  }

  /** Forget remembered answers whose key starts with one of the prefixes. */
  forget(...prefixes: string[]): void {
    for (const k of [...this.#reads.keys()]) if (prefixes.some((p) => k.startsWith(p))) this.#reads.delete(k);
  }

  /** A write (or a read with a side effect): this hook's reconcile is not a fixed point. */
  wrote(what: string): void { this.#wrote ??= what; }
  get wroteSomething(): string | undefined { return this.#wrote; }

  endpoint(id: number): string | undefined { return this.#endpoints.get(id); }
  rememberEndpoint(id: number, endpoint: string): void { this.#endpoints.set(id, endpoint); }

  // ---- fixpoint skip

  /** The reconcile's outcome depends on the clock: it must run again by `at` (ms). */
  revisitBy(at: number): void {
    this.#until = this.#until === undefined ? at : Math.min(this.#until, at);
  }

  /**
   * What must be re-read before the reconcile may be skipped: undefined when it may not be
   * skipped at all (no fixpoint, or a stale secret read: re-reading a secret is not side-effect
   * free, §3.5), else the keys to re-read and compare with `unchangedSince`.
   */
  skipPlan(): readonly string[] | undefined {
    if (!this.#fixpoint) return undefined;
    if (this.#toRecheck.some((k) => this.#fixpoint?.get(k) === 's')) return undefined;
    return this.#toRecheck;
  }

  /** True when every re-read of the plan answered what the fixpoint saw. */
  unchangedSince(): boolean {
    if (!this.#fixpoint) return false;
    return this.#toRecheck.every((k) => {
      const then = this.#fixpoint?.get(k);
      if (then?.startsWith('f:')) {
        const fields = then.slice(2, then.lastIndexOf(':'));
        return this.#reads.has(k) && fieldsHash(fields === '' ? [] : fields.split(','), this.#reads.get(k)) === then;
      }
      const seen = this.#observed.get(k);
      return seen !== undefined && hashOf(seen.kind, seen.value) === then;
    });
  }

  /**
   * After a skip: every re-read answered exactly what was remembered (all fields, not just the
   * used ones), so the text the hook started from is still the memory, and the store can keep
   * it instead of this hook writing it again (store.ts `putBack`: ~15 ms at 1000 cached bags).
   */
  get unchangedText(): boolean {
    return this.#toRecheck.every((k) => this.#before.has(k) && this.#observed.has(k)
      && JSON.stringify(this.#before.get(k)) === JSON.stringify(this.#observed.get(k)?.value));
  }

  // ---- status and derived data

  /** True when `status-set name message` would repeat the status the last hook left. */
  sameStatus(name: string, message: string): boolean {
    return this.#status?.name === name && this.#status.message === message;
  }
  statusSet(name: string, message: string): void { this.#status = { name, message }; }

  readonly memo = {
    get: (key: string): string | undefined => this.#derived.get(key),
    set: (key: string, value: string): void => { this.#derived.set(key, value); },
    delete: (key: string): void => { this.#derived.delete(key); },
    keys: (): string[] => [...this.#derived.keys()],
  };

  /**
   * The text to save when the hook succeeded. `skipped`: the reconcile did not run, so the
   * previous fixpoint still stands; `reconciled`: it ran, so this hook's reads are the new
   * fixpoint if it wrote nothing.
   */
  serialise(outcome: 'skipped' | 'reconciled' | 'other', now: number = this.#now): string {
    let fixpoint: Record<string, string> | undefined;
    if (outcome === 'skipped' && this.#fixpoint) fixpoint = Object.fromEntries(this.#fixpoint);
    else if (outcome === 'reconciled' && !this.#wrote) fixpoint = Object.fromEntries([...this.#observed].map(([k, h]) => [k, this.#fixpointEntry(k, h)]));
    // Juju may still discard this hook's buffered writes at commit, after we exit 0 (contract
    // §0.4, last bullet): what they changed is read again by the next hook, not recalled.
    const reads = new Map(this.#reads);
    for (const k of this.#ownWrites) reads.delete(k);
    const until = fixpoint && this.#until !== undefined && this.#until > this.#now ? this.#until : undefined;
    // A skipped hook ran only the skip check's re-reads: the reconcile's list still stands.
    const prefetch = outcome === 'skipped' ? this.#lastFetched : this.#fetched;
    const snapshot: Snapshot = {
      v: MEMORY_FORMAT,
      unit: this.#unit,
      charm: this.#charm,
      savedAt: now,
      bornAt: this.#bornAt,
      reads: Object.fromEntries(reads),
      endpoints: Object.fromEntries([...this.#endpoints].map(([k, v]) => [String(k), v])),
      derived: Object.fromEntries(this.#derived),
      ...(this.#status ? { status: this.#status } : {}),
      ...(fixpoint ? { fixpoint } : {}),
      ...(until !== undefined ? { until } : {}),
      ...(this.#wrote ? { wrote: this.#wrote } : {}),
      ...(prefetch.length > 0 ? { prefetch } : {}),
    };
    return JSON.stringify(snapshot);
  }
}
