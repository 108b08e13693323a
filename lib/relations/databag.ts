/**
 * One relation databag: read once per hook, writes collected and flushed as ONE
 * `relation-set` per bag at `commit()` (design.md: "each hook writes each databag in one
 * relation-set call"). Chosen over write-through because a charm's reconcile() sets fields
 * one by one; batching keeps it to one tool call per bag and lets identical values be
 * skipped, so re-running a hook writes nothing.
 *
 * Values are strings; '' deletes a key (contract §2.4). Access rules (access.ts) are checked
 * before any tool runs.
 */
import type { HookTools } from '../juju/types.ts';
import { type Actor, type BagAddress, assertCanRead, assertCanWrite, assertValidContent, describeBag } from './access.ts';

/** Invalid JSON in a JSON-encoded field; names relation, bag and field, never the value. */
export class RelationDataError extends Error {
  override readonly name = 'RelationDataError';
}

export class Databag {
  readonly address: BagAddress;
  readonly #tools: HookTools;
  readonly #actor: Actor;
  #loaded: Record<string, string> | undefined;
  readonly #pending = new Map<string, string>();

  constructor(tools: HookTools, actor: Actor, address: BagAddress) {
    this.#tools = tools;
    this.#actor = actor;
    this.address = address;
  }

  /** `nats:3 app bag` / `nats:3 unit bag nats/0`: the prefix of data-problem messages. */
  get label(): string {
    return this.address.kind === 'app' ? `${this.address.relation} app bag` : `${this.address.relation} unit bag ${this.address.owner}`;
  }

  get description(): string {
    return describeBag(this.address);
  }

  /** Whether this bag belongs to the local unit or application (so it may be written). */
  get isLocal(): boolean {
    return this.address.owner === (this.address.kind === 'app' ? this.#actor.app : this.#actor.unit);
  }

  #committed(): Record<string, string> {
    if (this.#loaded === undefined) {
      assertCanRead(this.#actor, this.address);
      this.#loaded = { ...this.#tools.relationGet(this.address.relation as `${string}:${number}`, this.address.owner, this.address.kind === 'app' ? { app: true, usage: 'declared' } : { usage: 'declared' }) };
    }
    return this.#loaded;
  }

  /** Tell the hook memory which fields decisions depend on (lib/juju/memory: fixpoint skip). */
  #use(fields: readonly string[] | 'all'): void {
    this.#tools.relationFieldsUsed?.(this.address.relation as `${string}:${number}`, this.address.owner, this.address.kind === 'app' ? { app: true } : {}, fields);
  }

  /** These fields only (as `all()` would show them): what an interface codec reads. */
  pick(fields: readonly string[]): Readonly<Record<string, string>> {
    const all = this.#view();
    this.#use(fields);
    const out: Record<string, string> = {};
    for (const f of fields) if (all[f] !== undefined) out[f] = all[f];
    return out;
  }

  /** The bag as this hook sees it, including our own pending writes. */
  all(): Readonly<Record<string, string>> {
    this.#use('all');
    return this.#view();
  }

  #view(): Readonly<Record<string, string>> {
    const merged: Record<string, string> = { ...this.#committed() };
    for (const [k, v] of this.#pending) {
      if (v === '') delete merged[k];
      else merged[k] = v;
    }
    return merged;
  }

  get(key: string): string | undefined {
    this.#use([key]);
    return this.#view()[key];
  }

  /** Decoded JSON field; undefined when absent; RelationDataError when not JSON. */
  getJson(key: string): unknown {
    const raw = this.get(key);
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw new RelationDataError(`${this.label} field "${key}": must be JSON`);
    }
  }

  /** Queue a write; '' deletes. A value equal to what the bag holds is not queued. */
  set(key: string, value: string): void {
    assertCanWrite(this.#actor, this.address);
    assertValidContent(this.#actor, this.address, key, value);
    const committed = this.#committed()[key];
    this.#use([key]);
    if ((committed ?? '') === value) this.#pending.delete(key);
    else this.#pending.set(key, value);
  }

  setJson(key: string, value: unknown): void {
    this.set(key, value === undefined ? '' : JSON.stringify(value));
  }

  delete(key: string): void {
    this.set(key, '');
  }

  /** Queue several writes at once (same rules as set). */
  update(data: Readonly<Record<string, string>>): void {
    for (const [k, v] of Object.entries(data)) this.set(k, v);
  }

  /** Whether writes are queued that differ from the bag. */
  get dirty(): boolean {
    return this.#pending.size > 0;
  }

  /** Flush queued writes as one `relation-set` (none when nothing changed). */
  commit(): void {
    if (this.#pending.size === 0) return;
    const data = Object.fromEntries(this.#pending);
    this.#tools.relationSet(this.address.relation as `${string}:${number}`, data, this.address.kind === 'app' ? { app: true } : undefined);
    const committed = this.#committed();
    for (const [k, v] of this.#pending) {
      if (v === '') delete committed[k];
      else committed[k] = v;
    }
    this.#pending.clear();
  }
}
