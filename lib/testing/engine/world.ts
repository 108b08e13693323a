/**
 * World: the persisted state plus the injected clock/randomness, and the small lookups and
 * naming rules every other engine module shares. No I/O.
 */
import type { EngineOptions } from './api.ts';
import { OperatorError } from './errors.ts';
import { cryptoRandom, secretId } from './random.ts';
import type { AppState, ModelState, QueuedHook, RelationEnd, RelationState, UnitState, WorldState } from './state.ts';
import { personality, type Personality } from './version.ts';

export function emptyWorld(seed?: number): WorldState {
  return {
    format: 1, seq: 0, contextSeq: 0, relationSeq: 0, modelSeq: 0, clockOffset: 0,
    rng: seed ?? 0, seeded: seed !== undefined, lastUpdateStatus: 0,
    models: {}, relations: {}, secrets: {}, log: [], toolCalls: [],
  };
}

export function unitKey(model: string, unit: string): string { return `${model}/${unit}`; }
export function appKey(model: string, app: string): string { return `${model}/${app}`; }
/** `m/app/3` -> { model: 'm', app: 'app', unit: 'app/3', n: 3 } */
export function splitUnitKey(key: string): { model: string; app: string; unit: string; n: number } {
  const i = key.indexOf('/');
  const model = key.slice(0, i);
  const unit = key.slice(i + 1);
  const j = unit.lastIndexOf('/');
  return { model, app: unit.slice(0, j), unit, n: Number(unit.slice(j + 1)) };
}
export function splitAppKey(key: string): { model: string; app: string } {
  const i = key.indexOf('/');
  return { model: key.slice(0, i), app: key.slice(i + 1) };
}
export function appOfUnit(unit: string): string { return unit.slice(0, unit.lastIndexOf('/')); }

export class World {
  readonly state: WorldState;
  readonly seeded: boolean;
  readonly random: () => number;
  private readonly clock: () => number;
  /** Called whenever a unit's queue changes (the engine's scheduler index listens). */
  onQueueChange: ((unit: UnitState) => void) | undefined;

  constructor(state: WorldState, options: EngineOptions = {}) {
    this.state = state;
    this.seeded = state.seeded || options.seed !== undefined;
    this.random = options.random ?? cryptoRandom;
    this.clock = options.now ?? Date.now;
  }

  now(): number { return this.clock() + this.state.clockOffset; }

  model(name: string): ModelState {
    const m = this.state.models[name];
    if (!m) throw new OperatorError(`model "${name}" not found`);
    return m;
  }
  personality(model: string): Personality { return personality(this.model(model).version); }

  app(model: string, app: string): AppState {
    const a = this.model(model).apps[app];
    if (!a) throw new OperatorError(`application "${app}" not found`);
    return a;
  }
  unit(model: string, unit: string): UnitState {
    const u = this.app(model, appOfUnit(unit)).units[unit];
    if (!u) throw new OperatorError(`unit "${unit}" not found`);
    return u;
  }
  unitByKey(key: string): UnitState | undefined {
    const k = splitUnitKey(key);
    return this.state.models[k.model]?.apps[k.app]?.units[k.unit];
  }
  appByKey(key: string): AppState | undefined {
    const k = splitAppKey(key);
    return this.state.models[k.model]?.apps[k.app];
  }

  // ---- relations: ends and names as seen from one side --------------------------------------
  localEnd(rel: RelationState, model: string, app: string): RelationEnd | undefined {
    return rel.ends.find((e) => e.model === model && e.app === app);
  }
  remoteEnd(rel: RelationState, model: string, app: string): RelationEnd {
    if (rel.peer) return rel.ends[0]!;
    const other = rel.ends.find((e) => !(e.model === model && e.app === app));
    if (!other) throw new Error(`relation ${rel.key} has no remote end for ${model}/${app}`);
    return other;
  }
  /** Name of the app at `end` as seen from `viewerModel` (contract §4.2). */
  appNameFrom(end: RelationEnd, viewerModel: string): string {
    return end.model === viewerModel ? end.app : end.seenAs;
  }
  /** Name of unit `key` as seen from `viewerModel` (`<saas>/<n>`, `remote-<hex>/<n>`). */
  unitNameFrom(rel: RelationState, key: string, viewerModel: string): string {
    const k = splitUnitKey(key);
    if (k.model === viewerModel) return k.unit;
    const end = rel.ends.find((e) => e.model === k.model && e.app === k.app);
    return `${end ? end.seenAs : k.app}/${k.n}`;
  }
  /** Relations the given app takes part in (any model). */
  relationsOfApp(model: string, app: string): RelationState[] {
    return Object.values(this.state.relations).filter((r) => r.ends.some((e) => e.model === model && e.app === app));
  }
  relationById(model: string, id: number): RelationState | undefined {
    return Object.values(this.state.relations).find((r) => r.ids[model] === id);
  }

  // ---- hook queue -----------------------------------------------------------------------------
  /** Append a hook to a unit's queue; `dedupe` skips it if an identical one is still pending. */
  enqueue(unit: UnitState, hook: Omit<QueuedHook, 'seq'>, dedupe = false): void {
    if (dedupe) {
      // The head may be a failed or running hook: it already read its data, never coalesce into it.
      const start = unit.failedHook || unit.agent.status === 'executing' ? 1 : 0;
      for (let i = start; i < unit.queue.length; i++) {
        const q = unit.queue[i]!;
        if (q.name === hook.name && q.relation === hook.relation && q.remoteUnit === hook.remoteUnit
          && q.remoteApp === hook.remoteApp && q.secret === hook.secret && q.secretRevision === hook.secretRevision) return;
      }
    }
    unit.queue.push({ ...hook, seq: ++this.state.seq });
    this.onQueueChange?.(unit);
  }

  /** A fresh, unguessable secret id (contract §3.2). */
  newSecretId(): string {
    for (;;) {
      const id = secretId(this.random);
      if (!this.state.secrets[id]) return id;
    }
  }

  log(model: string, unit: string, level: string, module: string, message: string): void {
    this.state.log.push({ time: this.now(), model, unit, level, module, message });
  }
}
