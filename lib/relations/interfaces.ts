/**
 * Typed, validated access to interface databags. Validators are precompiled (see
 * compile-schemas.ts) and loaded lazily, one module per interface, so a hook only pays for
 * the interfaces it touches.
 *
 *   const nats = await loadInterface('nats');
 *   const app = nats.read(relation.remoteAppBag, 'provider.app');
 *   if (!app.ok) return blocked(app.message);      // "nats:3 app bag field "ca_cert": must be a PEM certificate"
 *   nats.write(relation.local, 'requirer.unit', { secrets_supported: 'true' });
 *
 * Reads never throw on bad remote data: they return which relation, which field and why,
 * and never a partial value, so the charm keeps its last good state.
 */
import type { Bags as NatsBags } from './generated/nats.ts';
import type { Bags as RestBags } from './generated/rest.ts';
import type { Bags as AgentApiBags } from './generated/agent-api.ts';
import type { Bags as TlsCertificatesBags } from './generated/tls-certificates.ts';
import type { Bags as NatsClusterBags } from './generated/nats-cluster.ts';
import type { Databag } from './databag.ts';

export interface InterfaceBags {
  'nats': NatsBags;
  'rest': RestBags;
  'agent-api': AgentApiBags;
  'tls-certificates': TlsCertificatesBags;
  'nats-cluster': NatsClusterBags;
}
export type InterfaceName = keyof InterfaceBags;

// Static loaders (not a computed path) so esbuild can bundle each module and still
// evaluate it only when first used.
const loaders: { [N in InterfaceName]: () => Promise<unknown> } = {
  'nats': () => import('./generated/nats.ts'),
  'rest': () => import('./generated/rest.ts'),
  'agent-api': () => import('./generated/agent-api.ts'),
  'tls-certificates': () => import('./generated/tls-certificates.ts'),
  'nats-cluster': () => import('./generated/nats-cluster.ts'),
};

interface AjvError { instancePath: string; schemaPath: string; keyword: string; params: Record<string, unknown>; message?: string }
type ValidateFn = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
interface GeneratedBag { id: string; validate: ValidateFn; fields: string[]; jsonFields: string[] }
interface GeneratedModule { name: string; messages: Record<string, string | Record<string, string>>; bags: Record<string, GeneratedBag> }

/** One thing wrong with one field of one bag. */
export interface DataProblem {
  /** `nats:3 app bag`, `nats:3 unit bag nats/0` */
  readonly bag: string;
  /** Top-level field name, or '' for the bag as a whole. */
  readonly field: string;
  readonly why: string;
}

export type ReadResult<T> =
  | { readonly ok: true; readonly value: T }
  | {
    readonly ok: false;
    /** 'incomplete': only required fields missing (wait for the other side); 'invalid': bad data (block). */
    readonly reason: 'incomplete' | 'invalid';
    /** The reported problems: at most MAX_REPORTED_PROBLEMS, each named in `message`. */
    readonly problems: readonly DataProblem[];
    /** Reported problems `; `-joined plus "and N more", at most MAX_MESSAGE_CHARS; ready for a status message. Never contains a value. */
    readonly message: string;
  };

/** Our own write did not match the schema: a bug in the charm, so it throws. */
export class InterfaceDataError extends Error {
  override readonly name = 'InterfaceDataError';
  readonly problems: readonly DataProblem[];
  constructor(problems: readonly DataProblem[]) {
    super(summarizeProblems(problems).message);
    this.problems = problems;
  }
}

export function formatProblem(p: DataProblem): string {
  return p.field ? `${p.bag} field "${p.field}": ${p.why}` : `${p.bag}: ${p.why}`;
}

/** Status messages stay short whatever the remote wrote (a 1,025-item list once made ~400 KB). */
export const MAX_REPORTED_PROBLEMS = 3;
export const MAX_MESSAGE_CHARS = 200;

/**
 * The first problems (at most MAX_REPORTED_PROBLEMS, as many as fit in MAX_MESSAGE_CHARS) and
 * their message, ending "; and N more" when some were left out. The first problem is always
 * shown with its bag (relation) and field; only its `why` is shortened if it is too long.
 */
export function summarizeProblems(problems: readonly DataProblem[]): { shown: DataProblem[]; message: string } {
  const shown: DataProblem[] = [];
  const parts: string[] = [];
  const reserve = problems.length > 1 ? `; and ${problems.length} more`.length : 0;
  for (let p of problems.slice(0, MAX_REPORTED_PROBLEMS)) {
    let text = formatProblem(p);
    const used = parts.reduce((n, t) => n + t.length + 2, 0);
    const room = MAX_MESSAGE_CHARS - used - (problems.length > shown.length + 1 ? reserve : 0);
    if (text.length > room) {
      if (shown.length > 0) break;
      const head = formatProblem({ ...p, why: '' });
      const whyRoom = Math.max(0, room - head.length - 1);
      const why = p.why.length > whyRoom ? `${p.why.slice(0, whyRoom)}…` : p.why;
      p = { ...p, why };
      text = formatProblem(p);
    }
    shown.push(p);
    parts.push(text);
  }
  const more = problems.length - shown.length;
  return { shown, message: parts.join('; ') + (more > 0 ? `; and ${more} more` : '') };
}

function decodePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

export class InterfaceCodec<B> {
  readonly name: string;
  readonly #mod: GeneratedModule;

  constructor(mod: GeneratedModule) {
    this.#mod = mod;
    this.name = mod.name;
  }

  #bag(key: string): GeneratedBag {
    const bag = this.#mod.bags[key];
    if (!bag) throw new Error(`interface "${this.name}" has no schema for "${key}" (have: ${Object.keys(this.#mod.bags).join(', ')})`);
    return bag;
  }

  #why(rootId: string, e: AjvError): string {
    const full = e.schemaPath.startsWith('#') ? `${rootId}${e.schemaPath}` : e.schemaPath;
    const base = full.slice(0, full.lastIndexOf('/'));
    const m = this.#mod.messages[base];
    const custom = typeof m === 'string' ? m : m?.[e.keyword] ?? m?.default;
    return custom ?? e.message ?? `fails ${e.keyword}`;
  }

  #problems(key: string, bagLabel: string, data: Record<string, unknown>): DataProblem[] {
    const gen = this.#bag(key);
    if (gen.validate(data)) return [];
    const out: DataProblem[] = [];
    const seen = new Set<string>();
    for (const e of gen.validate.errors ?? []) {
      const path = e.instancePath.split('/').slice(1).map(decodePointer);
      let field = path[0] ?? '';
      let why = this.#why(gen.id, e);
      if (e.keyword === 'required' && path.length === 0) {
        field = String(e.params.missingProperty);
        why = 'is required';
      } else if (path.length > 1) {
        why = `${path.slice(1).map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`)).join('')} ${why}`;
      }
      const k = `${field}\0${why}`;
      if (!seen.has(k)) { seen.add(k); out.push({ bag: bagLabel, field, why }); }
    }
    return out;
  }

  /** Validate a decoded value without writing; [] when valid. */
  check<K extends keyof B & string>(key: K, value: B[K], bagLabel = `${this.name} ${key}`): DataProblem[] {
    return this.#problems(key, bagLabel, value as Record<string, unknown>);
  }

  /** Typed read of a bag. JSON-encoded fields are decoded; only declared fields are returned. */
  read<K extends keyof B & string>(bag: Pick<Databag, 'all' | 'label'> & Partial<Pick<Databag, 'pick'>>, key: K): ReadResult<B[K]> {
    const gen = this.#bag(key);
    // Only the declared fields: a change to another key is not this interface's business.
    const raw = bag.pick ? bag.pick(gen.fields) : bag.all();
    const value: Record<string, unknown> = {};
    const decodeProblems: DataProblem[] = [];
    for (const field of gen.fields) {
      const v = raw[field];
      if (v === undefined) continue;
      if (gen.jsonFields.includes(field)) {
        try { value[field] = JSON.parse(v); } catch { decodeProblems.push({ bag: bag.label, field, why: 'must be JSON' }); }
      } else {
        value[field] = v;
      }
    }
    const problems = decodeProblems.length ? decodeProblems : this.#problems(key, bag.label, value);
    if (problems.length === 0) return { ok: true, value: value as B[K] };
    const onlyMissing = problems.every((p) => p.why === 'is required');
    const { shown, message } = summarizeProblems(problems);
    return { ok: false, reason: onlyMissing ? 'incomplete' : 'invalid', problems: shown, message };
  }

  /**
   * Validated write of a whole bag's interface fields: declared fields absent from `value`
   * are deleted, so the bag ends up equal to `value`. Fields outside the schema are left
   * alone. Nothing is queued unless the value is valid.
   */
  write<K extends keyof B & string>(bag: Pick<Databag, 'set' | 'label'>, key: K, value: B[K]): void {
    const gen = this.#bag(key);
    const problems = this.#problems(key, bag.label, value as Record<string, unknown>);
    if (problems.length) throw new InterfaceDataError(problems);
    const v = value as Record<string, unknown>;
    for (const field of gen.fields) {
      const x = v[field];
      if (x === undefined) bag.set(field, '');
      else bag.set(field, gen.jsonFields.includes(field) ? JSON.stringify(x) : String(x));
    }
  }
}

const cache = new Map<InterfaceName, InterfaceCodec<unknown>>();

/** Load (once per process) the precompiled validators of one interface. */
export async function loadInterface<N extends InterfaceName>(name: N): Promise<InterfaceCodec<InterfaceBags[N]>> {
  let codec = cache.get(name);
  if (!codec) {
    const load = loaders[name];
    if (!load) throw new Error(`unknown interface "${String(name)}" (known: ${Object.keys(loaders).join(', ')})`);
    codec = new InterfaceCodec<unknown>((await load()) as GeneratedModule);
    cache.set(name, codec);
  }
  return codec as InterfaceCodec<InterfaceBags[N]>;
}
