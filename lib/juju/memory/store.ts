/**
 * Where a unit's hook memory lives between hooks. `take()` reads AND removes it, so a hook that
 * fails (or is killed) leaves no memory behind and the next hook starts cold (hook-memory.ts):
 * what a failed hook read or wrote is never trusted, as Juju discards its writes (contract §1.5).
 */
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { unitFilePath } from '../unit-files.ts';

export interface MemoryStore {
  /** The saved text, removed from the store; undefined when there is none. */
  take(): string | undefined;
  /** Saves the text for the next hook (only called when the hook succeeded). */
  save(text: string): void;
  /** The hook succeeded and the text it took is still right: keep it (no rewrite). */
  putBack?(): void;
  /** The hook failed: forget what it took. */
  discard?(): void;
}

/** A 0600 file; written to a temporary name then renamed, so a crash never leaves half a file. */
export class FileMemoryStore implements MemoryStore {
  readonly path: string;
  constructor(path: string) { this.path = path; }

  /** Where the taken text waits until the hook ends (a crash leaves it there, never read). */
  get #taken(): string { return `${this.path}.taken`; }

  take(): string | undefined {
    try {
      renameSync(this.path, this.#taken); // atomic: from now on the next hook would find none
    } catch {
      return undefined;
    }
    try {
      return readFileSync(this.#taken, 'utf8');
    } catch {
      try { renameSync(this.#taken, this.path); } catch { /* leave it */ } // not ours to move (a directory?)
      return undefined;
    }
  }

  save(text: string): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, this.path);
    try { unlinkSync(this.#taken); } catch { /* none taken */ }
  }

  putBack(): void {
    renameSync(this.#taken, this.path);
  }

  discard(): void {
    try { unlinkSync(this.#taken); } catch { /* none taken */ }
  }
}

/** One unit's memory held in-process (the in-process simulator and tests). */
export class InMemoryStore implements MemoryStore {
  #text: string | undefined;
  #taken: string | undefined;
  take(): string | undefined { const t = this.#text; this.#text = undefined; this.#taken = t; return t; }
  save(text: string): void { this.#text = text; this.#taken = undefined; }
  putBack(): void { if (this.#taken !== undefined) this.#text = this.#taken; this.#taken = undefined; }
  discard(): void { this.#taken = undefined; }
  /** For tests: what is stored now, without taking it. */
  peek(): string | undefined { return this.#text; }
}

/** Per-unit in-memory stores for simulators that run many units in one process. */
export class MemoryBank {
  readonly #stores = new Map<string, InMemoryStore>();
  /** `model` keeps two models' `app/0` apart (cross-model stories deploy the same names). */
  for(model: string, unit: string): InMemoryStore {
    const key = `${model}\u0000${unit}`;
    let s = this.#stores.get(key);
    if (!s) { s = new InMemoryStore(); this.#stores.set(key, s); }
    return s;
  }
  /** The store of the unit a hook environment names (JUJU_MODEL_UUID + JUJU_UNIT_NAME). */
  forEnv(env: Readonly<Record<string, string | undefined>>): InMemoryStore {
    return this.for(env['JUJU_MODEL_UUID'] ?? env['JUJU_MODEL_NAME'] ?? '', env['JUJU_UNIT_NAME'] ?? '');
  }
  /** Forget every unit's memory (as if every unit's charm directory were fresh). */
  clear(): void { this.#stores.clear(); }
  /** Every unit's memory now: tests that restore an engine snapshot restore this with it. */
  snapshot(): ReadonlyMap<string, string> {
    const out = new Map<string, string>();
    for (const [k, s] of this.#stores) { const t = s.peek(); if (t !== undefined) out.set(k, t); }
    return out;
  }
  restore(snapshot: ReadonlyMap<string, string>): void {
    this.#stores.clear();
    for (const [k, t] of snapshot) { const s = new InMemoryStore(); s.save(t); this.#stores.set(k, s); }
  }
}

/** The unit's hook memory file (unit-files.ts says where a unit's own files live). */
export function memoryFilePath(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return unitFilePath(env, 'hook-memory.json', (tag) => `.hook-memory-${tag}.json`);
}
