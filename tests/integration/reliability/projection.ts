/**
 * A canonical projection of the story's final state, so two runs (a fault-free one and one
 * with injected faults, or two hook-order seeds) can be compared with `toEqual`.
 *
 * What is kept: workload statuses, every secret (owner, label, live revisions, latest content,
 * grants, tracking), every relation bag, unit state, leader settings, and every rendered
 * workload file with its mode. What is dropped: times, logs, tool calls, hook queues.
 *
 * Random values (keys, certificates, tokens, secret ids, uuids) differ between runs, so they
 * are alpha-renamed: each distinct value gets `$n` in order of first appearance in a sorted
 * walk (tokens kept in secrets are recognised by value, the rest by shape). A certificate's
 * PEM and its SHA-256 fingerprint get the same name, so "AMS trusts
 * the fingerprint of the certificate agent/1 renders" survives the renaming. Equal
 * projections mean the same state up to the choice of random values.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { dump, load } from 'js-yaml';
import type { WorldState } from '../../../lib/testing/engine/state.ts';
import type { CharmHarness } from '../../../charms/common/src/testing/charm-harness.ts';

const PEM = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const HEX64 = /\b[0-9a-fA-F]{64}\b/g;
const COLON_FP = /\b(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}\b/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;
const HEX32 = /\b[0-9a-f]{32}\b/g;
/** Wall-clock instants (the charms read the real clock: validity ends, memo expiry). */
const EPOCH_MS = /\b1[7-9]\d{11}\b/g;
const ISO_TIME = /\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\b/g;
/**
 * base64url/hex-ish tokens of 24+ chars holding a digit (generated credentials). The digit
 * keeps words out, so a token without one is missed (a 32-byte base64url token: 1 run in
 * ~1500): credentials held in secrets are therefore renamed by value first (`secretValues`).
 */
const TOKEN = /(?<![A-Za-z0-9_+/=-])(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{24,}(?![A-Za-z0-9_+/=-])/g;

/** sha256 of the DER inside a PEM body (whitespace and YAML indentation removed). */
export function pemDigest(body: string): string {
  return createHash('sha256').update(Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64')).digest('hex');
}

export class Renamer {
  readonly #names = new Map<string, string>();
  readonly #known: Array<[string, string]> = [];

  /** Values to rename verbatim first (secret ids, model uuids, the temp root), with a kind tag. */
  addKnown(value: string, kind: string): void {
    if (value) this.#known.push([value, kind]);
  }

  name(value: string, kind: string): string {
    const key = `${kind}:${value}`;
    let n = this.#names.get(key);
    if (!n) { n = `<${kind}$${this.#names.size + 1}>`; this.#names.set(key, n); }
    return n;
  }

  string(s: string): string {
    const trimmed = s.trim();
    if ((trimmed.startsWith('[') || trimmed.startsWith('{')) && trimmed.length > 1) {
      try { return `json:${JSON.stringify(this.value(JSON.parse(trimmed)))}`; } catch { /* not JSON */ }
    }
    let out = s;
    for (const [v, kind] of [...this.#known].sort((a, b) => b[0].length - a[0].length)) {
      if (out.includes(v)) out = out.split(v).join(kind === 'root' ? '<root>' : this.name(v, kind));
    }
    out = out.replace(PEM, (_m, label: string, body: string) => label === 'CERTIFICATE'
      ? `<cert ${this.name(pemDigest(body), 'fp')}>`
      : `<${label.toLowerCase()} ${this.name(pemDigest(body), 'pem')}>`);
    out = out.replace(COLON_FP, (m) => this.name(m.replace(/:/g, '').toLowerCase(), 'fp'));
    out = out.replace(HEX64, (m) => this.name(m.toLowerCase(), 'fp'));
    out = out.replace(UUID, (m) => this.name(m, 'uuid'));
    out = out.replace(HEX32, (m) => this.name(m, 'hex'));
    out = out.replace(EPOCH_MS, '<time>').replace(ISO_TIME, '<time>');
    out = out.replace(TOKEN, (m) => (m.includes('$') ? m : this.name(m, 'tok')));
    return out;
  }

  /** Rename every string inside a JSON-like value, walking object keys in sorted order. */
  value(v: unknown): unknown {
    if (typeof v === 'string') return this.string(v);
    if (typeof v === 'number' && v > 1.7e12 && v < 2e12) return '<time>';
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[this.string(k)] = this.value((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  }
}

/** Every regular file under `root` (never a FIFO or socket: a read would block), by path relative to it, sorted. */
export function walkFiles(root: string): Array<{ path: string; mode: number; content: string }> {
  const out: Array<{ path: string; mode: number; content: string }> = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push({ path: relative(root, p), mode: statSync(p).mode & 0o777, content: readFileSync(p, 'utf8') });
    }
  };
  walk(root);
  return out;
}

/**
 * AMS's trust store lists clients in the order they arrived, which follows hook order; the
 * projection compares it as a set (sorted by unit name). Duplicates stay visible.
 */
function sortedTrustStore(text: string): string {
  const doc = load(text) as { clients?: Array<{ name: string }> } | null;
  if (!doc?.clients) return text;
  return dump({ ...doc, clients: [...doc.clients].sort((a, b) => a.name.localeCompare(b.name)) });
}

export interface RawState {
  readonly statuses: Record<string, string>;
  readonly secrets: unknown[];
  readonly relations: unknown[];
  readonly units: Record<string, unknown>;
  readonly leaderSettings: Record<string, unknown>;
  readonly files: Record<string, { mode: string; content: string }>;
}

/** The engine keeps secret values base64-encoded (as Juju transports them, contract §3.2). */
export function decodeContent(content: Record<string, string> | undefined): Record<string, string> | null {
  if (!content) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(content)) {
    const d = Buffer.from(v, 'base64');
    out[k] = d.toString('base64').replace(/=+$/, '') === v.replace(/=+$/, '') ? d.toString('utf8') : v;
  }
  return out;
}

/** The un-renamed projection (sorted, times dropped). */
export function rawState(h: CharmHarness): RawState {
  const state = h.engine.toJSON() as WorldState;
  const statuses: Record<string, string> = {};
  const units: Record<string, unknown> = {};
  const leaderSettings: Record<string, unknown> = {};
  for (const m of Object.values(state.models)) {
    for (const [unit, s] of Object.entries(h.statuses(m.name))) statuses[`${m.name}/${unit}`] = s;
    for (const app of Object.values(m.apps)) {
      leaderSettings[`${m.name}/${app.name}`] = app.leaderSettings;
      for (const u of Object.values(app.units)) units[`${m.name}/${u.name}`] = { state: u.state, ports: u.ports, failedHook: u.failedHook ?? null };
    }
  }
  const secrets = Object.values(state.secrets)
    .map((s) => ({
      owner: s.owner,
      label: s.label ?? '',
      description: s.description ?? '',
      revisions: Object.keys(s.revisions).map(Number).sort((a, b) => a - b),
      latest: s.latest,
      content: decodeContent(s.revisions[String(s.latest)]?.content),
      grants: s.grants.map((g) => `${g.relation} ${g.scope} ${g.target}`).sort(),
      tracking: Object.fromEntries(Object.entries(s.tracking).sort(([a], [b]) => a.localeCompare(b)).map(([u, t]) => [u, `${t.revision} ${t.label ?? ''}`])),
    }))
    .sort((a, b) => `${a.owner} ${a.label}`.localeCompare(`${b.owner} ${b.label}`));
  const relations = Object.values(state.relations)
    .map((r) => ({ interface: r.interface, ends: r.ends.map((e) => `${e.model}/${e.app}:${e.endpoint}`).sort(), life: r.life, bags: r.bags, scope: [...r.scope].sort() }))
    .sort((a, b) => a.ends.join(' ').localeCompare(b.ends.join(' ')));
  const files: Record<string, { mode: string; content: string }> = {};
  for (const f of walkFiles(h.root)) files[f.path] = { mode: f.mode.toString(8), content: f.path.endsWith('trusted-clients.yaml') ? sortedTrustStore(f.content) : f.content };
  return { statuses, secrets, relations, units, leaderSettings, files };
}

/** A whole value shaped like a generated credential (base64url or hex, 24+ chars). */
const CREDENTIAL = /^[A-Za-z0-9_-]{24,}$/;
/** Hex fingerprints and ids: HEX64/HEX32 rename them whatever their digits, under the name their certificate shares. */
const HEX_ID = /^(?:[0-9a-fA-F]{64}|[0-9a-f]{32})$/;

/**
 * Credential-shaped values of every secret revision (tokens the charms generated): renamed
 * wherever they appear (bags, rendered files) because of where they are kept, not how they
 * look, so a token that happens to hold no digit (TOKEN misses it) is renamed all the same.
 */
export function secretValues(state: WorldState): string[] {
  const out = new Set<string>();
  for (const s of Object.values(state.secrets)) {
    for (const rev of Object.values(s.revisions)) {
      for (const v of Object.values(decodeContent(rev.content) ?? {})) if (CREDENTIAL.test(v) && !HEX_ID.test(v)) out.add(v);
    }
  }
  return [...out];
}

/** Alpha-renamed projection: equal for equal states up to the choice of random values. */
export function canonicalState(h: CharmHarness): unknown {
  const state = h.engine.toJSON() as WorldState;
  const r = new Renamer();
  r.addKnown(h.root, 'root');
  for (const m of Object.values(state.models)) r.addKnown(m.uuid, 'uuid');
  for (const id of Object.keys(state.secrets)) r.addKnown(id, 'secret');
  for (const v of secretValues(state)) r.addKnown(v, 'tok');
  const raw = rawState(h);
  // Secrets first (sorted by owner/label), so names follow who owns what, not hook order.
  return { secrets: r.value(raw.secrets), statuses: r.value(raw.statuses), relations: r.value(raw.relations), units: r.value(raw.units), leaderSettings: r.value(raw.leaderSettings), files: r.value(raw.files) };
}

/**
 * First differing path between two projections (for readable failures), in the order the
 * Renamer walked them (`a`'s key order, then keys only `b` has): a value named differently
 * shifts every later name, so the first difference in walk order is where it starts.
 */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}/${k}`);
      if (d) return d;
    }
  }
  if (typeof a === 'string' && typeof b === 'string') {
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    const from = Math.max(0, i - 120);
    return `${path} differs at ${i}: …${JSON.stringify(a.slice(from, i + 120))} != …${JSON.stringify(b.slice(from, i + 120))}`;
  }
  const show = (x: unknown): string => { const s = JSON.stringify(x) ?? 'undefined'; return s.length > 300 ? `${s.slice(0, 300)}…` : s; };
  return `${path}: ${show(a)} != ${show(b)}`;
}
