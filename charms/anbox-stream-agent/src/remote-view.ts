/**
 * The last good view of each relation's remote data, kept in unit state (contract §2.8,
 * state-get/state-set) under `anbox-stream-agent.remote.<endpoint>:<id>`. Issue 4/6: invalid
 * remote data must change nothing, so when a bag is invalid the links use this view instead.
 *
 * Only non-secret data goes here (URLs, CA certificates, fingerprints, secret ids); never a
 * token. A relation that is gone or being broken loses its view (prune): that is a
 * legitimate change.
 */
import type { HookTools } from '../../../lib/juju/types.ts';
import type { Relation } from '../../../lib/relations/relation.ts';

const PREFIX = 'anbox-stream-agent.remote.';

type StateTools = Pick<HookTools, 'stateGet' | 'stateSet' | 'stateDelete'>;

export class RemoteViews {
  readonly #tools: StateTools;
  #state: Record<string, string> | undefined;

  constructor(tools: StateTools) {
    this.#tools = tools;
  }

  #all(): Record<string, string> {
    this.#state ??= { ...this.#tools.stateGet() };
    return this.#state;
  }

  /** The view kept for `relation`, or undefined (none yet, or unreadable). */
  get<T>(relation: Relation): T | undefined {
    const raw = this.#all()[PREFIX + relation.name];
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as T;
    } catch {
      return undefined;
    }
  }

  /** Keep `view` as the last good one; writes only when it changed. */
  keep(relation: Relation, view: unknown): void {
    const key = PREFIX + relation.name;
    const json = JSON.stringify(view);
    if (this.#all()[key] === json) return;
    this.#tools.stateSet({ [key]: json });
    this.#all()[key] = json;
  }

  /** Drop the views of `endpoint`'s relations that are not in `live` (broken or gone). */
  prune(endpoint: string, live: readonly Relation[]): void {
    const keep = new Set(live.map((r) => PREFIX + r.name));
    for (const key of Object.keys(this.#all())) {
      if (!key.startsWith(`${PREFIX}${endpoint}:`) || keep.has(key)) continue;
      this.#tools.stateDelete(key);
      delete this.#all()[key];
    }
  }
}
