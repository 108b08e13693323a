/**
 * Reads a charm's metadata into the engine's CharmSpec, from
 *  - a directory with `charmcraft.yaml` (metadata, `config.options` and `actions` inline), or
 *  - a directory with `metadata.yaml` (+ optional `config.yaml`, `actions.yaml`), or
 *  - a `.charm` zip, unpacked once into `<home>/charms/<name>-<hash>/` (executable bits kept).
 * When both exist, `metadata.yaml` wins over `charmcraft.yaml` for metadata, as in a built charm.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { load } from 'js-yaml';
import type { ActionSpec, CharmSpec, ConfigOptionSpec, EndpointSpec } from './engine/api.ts';

export class CharmLoadError extends Error {
  override readonly name = 'CharmLoadError';
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function readYaml(path: string): Obj | undefined {
  if (!existsSync(path)) return undefined;
  let doc: unknown;
  try {
    doc = load(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CharmLoadError(`${path}: invalid YAML: ${(e as Error).message}`);
  }
  if (doc === undefined || doc === null) return {};
  if (!isObj(doc)) throw new CharmLoadError(`${path}: expected a map at top level`);
  return doc;
}

function endpoints(raw: unknown, where: string): Record<string, EndpointSpec> {
  if (raw === undefined || raw === null) return {};
  if (!isObj(raw)) throw new CharmLoadError(`${where}: expected a map of endpoints`);
  const out: Record<string, EndpointSpec> = {};
  for (const [name, v] of Object.entries(raw)) {
    // metadata.yaml allows the short form `endpoint: interface`.
    if (typeof v === 'string') { out[name] = { interface: v }; continue; }
    if (!isObj(v) || typeof v.interface !== 'string') throw new CharmLoadError(`${where}.${name}: missing interface`);
    const spec: { interface: string; limit?: number; scope?: 'global' | 'container' } = { interface: v.interface };
    if (typeof v.limit === 'number') spec.limit = v.limit;
    if (v.scope === 'global' || v.scope === 'container') spec.scope = v.scope;
    else if (v.scope !== undefined) throw new CharmLoadError(`${where}.${name}: scope must be global or container`);
    out[name] = spec;
  }
  return out;
}

const CONFIG_TYPES = new Set(['string', 'int', 'float', 'boolean', 'secret']);

function configOptions(raw: unknown, where: string): Record<string, ConfigOptionSpec> {
  if (raw === undefined || raw === null) return {};
  if (!isObj(raw)) throw new CharmLoadError(`${where}: expected a map of options`);
  const out: Record<string, ConfigOptionSpec> = {};
  for (const [name, v] of Object.entries(raw)) {
    if (!isObj(v)) throw new CharmLoadError(`${where}.${name}: expected a map`);
    const type = v.type ?? 'string';
    if (typeof type !== 'string' || !CONFIG_TYPES.has(type)) throw new CharmLoadError(`${where}.${name}: unknown type ${JSON.stringify(type)}`);
    const spec: { type: ConfigOptionSpec['type']; default?: string | number | boolean; description?: string } = { type: type as ConfigOptionSpec['type'] };
    if (typeof v.default === 'string' || typeof v.default === 'number' || typeof v.default === 'boolean') spec.default = v.default;
    if (typeof v.description === 'string') spec.description = v.description;
    out[name] = spec;
  }
  return out;
}

function actions(raw: unknown, where: string): Record<string, ActionSpec> {
  if (raw === undefined || raw === null) return {};
  if (!isObj(raw)) throw new CharmLoadError(`${where}: expected a map of actions`);
  const out: Record<string, ActionSpec> = {};
  for (const [name, v] of Object.entries(raw)) {
    const a = isObj(v) ? v : {};
    const spec: { description?: string; params?: ActionSpec['params'] } = {};
    if (typeof a.description === 'string') spec.description = a.description;
    if (isObj(a.params)) spec.params = a.params as ActionSpec['params'];
    out[name] = spec;
  }
  return out;
}

/** Loads the CharmSpec of an unpacked charm directory (synchronous; no side effects). */
export function loadCharmDir(dir: string): CharmSpec {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new CharmLoadError(`charm directory ${abs} not found`);
  const craft = readYaml(join(abs, 'charmcraft.yaml'));
  const meta = readYaml(join(abs, 'metadata.yaml')) ?? craft;
  if (!meta) throw new CharmLoadError(`${abs}: no metadata.yaml or charmcraft.yaml`);
  const where = existsSync(join(abs, 'metadata.yaml')) ? 'metadata.yaml' : 'charmcraft.yaml';
  if (typeof meta.name !== 'string' || meta.name === '') throw new CharmLoadError(`${where}: missing charm name`);
  const configDoc = readYaml(join(abs, 'config.yaml')) ?? (isObj(craft?.config) ? craft.config : undefined);
  const actionsDoc = readYaml(join(abs, 'actions.yaml')) ?? (isObj(craft?.actions) ? craft.actions : undefined);
  return {
    name: meta.name,
    provides: endpoints(meta.provides, `${where} provides`),
    requires: endpoints(meta.requires, `${where} requires`),
    peers: endpoints(meta.peers, `${where} peers`),
    config: configOptions(configDoc?.options, 'config options'),
    actions: actions(actionsDoc, 'actions'),
    dir: abs,
  };
}

/** Unix modes of a zip's entries from its central directory (fflate does not expose them). */
export function zipModes(data: Uint8Array): Map<string, number> {
  const modes = new Map<string, number>();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let eocd = -1;
  for (let i = data.length - 22; i >= Math.max(0, data.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) return modes;
  const count = view.getUint16(eocd + 10, true);
  let off = view.getUint32(eocd + 16, true);
  for (let n = 0; n < count && off + 46 <= data.length; n++) {
    if (view.getUint32(off, true) !== 0x02014b50) break;
    const madeBy = view.getUint16(off + 4, true) >> 8;
    const nameLen = view.getUint16(off + 28, true);
    const extraLen = view.getUint16(off + 30, true);
    const commentLen = view.getUint16(off + 32, true);
    const external = view.getUint32(off + 38, true);
    const name = new TextDecoder().decode(data.subarray(off + 46, off + 46 + nameLen));
    const mode = external >>> 16;
    if (madeBy === 3 && mode !== 0) modes.set(name, mode & 0o7777);
    off += 46 + nameLen + extraLen + commentLen;
  }
  return modes;
}

/** Extracts a .charm with fflate into `destDir` (created atomically), keeping exec bits. */
export function extractCharmZip(file: string, destDir: string): void {
  const data = readFileSync(file);
  const files = unzipSync(data);
  const modes = zipModes(data);
  const tmp = `${destDir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  for (const [name, content] of Object.entries(files)) {
    const target = resolve(tmp, name);
    if (!target.startsWith(resolve(tmp) + sep)) throw new CharmLoadError(`${file}: entry ${JSON.stringify(name)} escapes the charm directory`);
    if (name.endsWith('/')) { mkdirSync(target, { recursive: true }); continue; }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    const mode = modes.get(name) ?? (name === 'dispatch' ? 0o755 : undefined);
    if (mode !== undefined) chmodSync(target, mode);
  }
  mkdirSync(dirname(destDir), { recursive: true });
  try {
    renameSync(tmp, destDir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(destDir)) throw e; // another process won the race: its copy is identical
  }
}

type UnpackFn = (file: string, destDir: string) => unknown;

/** lib/packaging's unpackCharm when that module exists, else undefined. */
async function packagingUnpack(): Promise<UnpackFn | undefined> {
  const url = new URL('../packaging/unpack.ts', import.meta.url);
  if (!existsSync(fileURLToPath(url))) return undefined;
  const spec = '../packaging/unpack.ts'; // a variable: the module may not exist yet at type-check time
  const mod = (await import(spec)) as { unpackCharm?: UnpackFn };
  return typeof mod.unpackCharm === 'function' ? mod.unpackCharm : undefined;
}

/** Loads a charm directory, or unpacks a `.charm` zip under `<home>/charms/` first. */
export async function loadCharm(path: string, options: { home: string }): Promise<CharmSpec> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new CharmLoadError(`charm or bundle at "${path}" not found`);
  if (statSync(abs).isDirectory()) return loadCharmDir(abs);
  const hash = createHash('sha256').update(readFileSync(abs)).digest('hex').slice(0, 12);
  const dest = join(resolve(options.home), 'charms', `${basename(abs).replace(/\.charm$/, '')}-${hash}`);
  if (!existsSync(dest)) {
    const unpack = await packagingUnpack();
    if (unpack) {
      // unpack into a private temp dir, then rename: a failed or concurrent unpack never leaves half a charm
      const tmp = `${dest}.${process.pid}.unpack`;
      rmSync(tmp, { recursive: true, force: true });
      try {
        await unpack(abs, tmp);
        mkdirSync(dirname(dest), { recursive: true });
        if (!existsSync(dest)) renameSync(tmp, dest);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    } else {
      extractCharmZip(abs, dest);
    }
  }
  return loadCharmDir(dest);
}
