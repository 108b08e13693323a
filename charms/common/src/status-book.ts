/**
 * Collects what a charm's reconcile found wrong and turns it into the ONE status it sets
 * (design.md "reconcile, not event spaghetti"): the most severe kind wins (blocked, then
 * waiting, then maintenance), and every message of that kind is listed, `; `-joined, so the
 * operator sees each missing relation or bad field at once. `notes` are shown with `active`.
 *
 * Messages must never carry a secret value: callers pass relation names, unit names, field
 * names and reasons only (lib/juju also redacts status messages as a second line of defence).
 */
import { active, blocked, maintenance, waiting, type UnitStatus } from '../../../lib/juju/status.ts';

type Severity = 'blocked' | 'waiting' | 'maintenance';

const ORDER: readonly Severity[] = ['blocked', 'waiting', 'maintenance'];
const MAX_MESSAGE = 480;

export class StatusBook {
  readonly #items = new Map<Severity, string[]>();
  readonly #notes: string[] = [];

  #add(kind: Severity, message: string): void {
    const list = this.#items.get(kind) ?? [];
    if (!list.includes(message)) list.push(message);
    this.#items.set(kind, list);
  }

  blocked(message: string): void { this.#add('blocked', message); }
  waiting(message: string): void { this.#add('waiting', message); }
  maintenance(message: string): void { this.#add('maintenance', message); }
  /** A status computed elsewhere (e.g. lib/charmkit certificates); `active` adds a note. */
  add(status: UnitStatus): void {
    if (status.name === 'active') { if (status.message) this.note(status.message); return; }
    this.#add(status.name, status.message);
  }

  /** Shown with `active` when nothing is wrong (e.g. "2 clients trusted"). */
  note(message: string): void { if (!this.#notes.includes(message)) this.#notes.push(message); }

  get ok(): boolean {
    return this.#items.size === 0;
  }

  has(kind: Severity): boolean {
    return (this.#items.get(kind)?.length ?? 0) > 0;
  }

  status(): UnitStatus {
    for (const kind of ORDER) {
      const list = this.#items.get(kind);
      if (!list?.length) continue;
      const text = clip(list.join('; '));
      return kind === 'blocked' ? blocked(text) : kind === 'waiting' ? waiting(text) : maintenance(text);
    }
    return active(clip(this.#notes.join('; ')));
  }
}

function clip(text: string): string {
  return text.length <= MAX_MESSAGE ? text : `${text.slice(0, MAX_MESSAGE - 1)}…`;
}
