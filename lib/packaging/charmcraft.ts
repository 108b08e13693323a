/**
 * Reads a charm's unified `charmcraft.yaml` into the pieces the packer needs: the charm name, the
 * run-on bases of each artifact, and the legacy metadata / config / actions documents.
 *
 * Both base syntaxes charmcraft accepts are read:
 *  - `bases:` (charmcraft 1-2): long form `{build-on, run-on}` or short form `{name, channel,
 *    architectures}`; one artifact per entry, as charmcraft packs one per entry.
 *  - `base: ubuntu@22.04` + `platforms:` (charmcraft 3): one artifact per platform.
 * Legacy sibling files (`metadata.yaml`, `config.yaml`, `actions.yaml`) are still honoured when the
 * matching keys are absent from charmcraft.yaml, as charmcraft does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { PackagingError } from './errors.ts';

export interface RunOnBase {
  readonly name: string;
  readonly channel: string;
  readonly architectures: readonly string[];
}

export type YamlMap = Record<string, unknown>;

export interface CharmProject {
  readonly dir: string;
  readonly name: string;
  /** One entry per artifact to build; each is that artifact's run-on list (manifest `bases`). */
  readonly targets: ReadonlyArray<readonly RunOnBase[]>;
  /** metadata.yaml content (legacy key names). */
  readonly metadata: YamlMap;
  /** config.yaml content (`{ options: ... }`), absent when the charm has no config. */
  readonly config?: YamlMap;
  /** actions.yaml content, absent when the charm has no actions. */
  readonly actions?: YamlMap;
}

/** Keys charmcraft copies from charmcraft.yaml into metadata.yaml (charmcraft const CHARM_METADATA_KEYS). */
const METADATA_KEYS = [
  'name', 'summary', 'description', 'assumes', 'containers', 'devices', 'extra-bindings',
  'peers', 'provides', 'requires', 'resources', 'storage', 'subordinate', 'terms',
] as const;

/** charmcraft.yaml `links` keys -> the metadata.yaml keys Juju 2.9 / Charmhub know. */
const LINK_KEYS: Readonly<Record<string, string>> = {
  documentation: 'docs', issues: 'issues', source: 'source', website: 'website', contact: 'maintainers',
};

const CONFIG_TYPES = new Set(['string', 'int', 'float', 'boolean', 'secret']);
const DEFAULT_ARCH = 'amd64';

function isMap(v: unknown): v is YamlMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readYaml(file: string): unknown {
  try {
    return load(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new PackagingError(`${file}: not valid YAML: ${(e as Error).message}`, { cause: e });
  }
}

function readOptionalYamlMap(file: string): YamlMap | undefined {
  if (!existsSync(file)) return undefined;
  const v = readYaml(file);
  if (!isMap(v)) throw new PackagingError(`${file}: expected a mapping at the top level`);
  return v;
}

export function loadCharmProject(dir: string): CharmProject {
  const file = join(dir, 'charmcraft.yaml');
  if (!existsSync(file)) throw new PackagingError(`${dir}: no charmcraft.yaml`);
  const raw = readYaml(file);
  if (!isMap(raw)) throw new PackagingError(`${file}: expected a mapping at the top level`);
  return parseCharmcraft(raw, file, dir);
}

/** Pure part of loadCharmProject, for tests: `where` names the file in messages. */
export function parseCharmcraft(raw: YamlMap, where: string, dir: string): CharmProject {
  if (raw['type'] !== undefined && raw['type'] !== 'charm') {
    throw new PackagingError(`${where}: type '${String(raw['type'])}' is not 'charm'`);
  }
  const legacyMetadata = readOptionalYamlMap(join(dir, 'metadata.yaml'));
  const metadata = legacyMetadata ?? metadataFromCharmcraft(raw);
  validateMetadata(metadata, legacyMetadata ? join(dir, 'metadata.yaml') : where);

  const config = isMap(raw['config']) ? raw['config'] : readOptionalYamlMap(join(dir, 'config.yaml'));
  if (config) validateConfig(config, where);
  const actions = isMap(raw['actions']) ? raw['actions'] : readOptionalYamlMap(join(dir, 'actions.yaml'));

  return {
    dir,
    name: metadata['name'] as string,
    targets: parseTargets(raw, where),
    metadata,
    ...(config ? { config } : {}),
    ...(actions ? { actions } : {}),
  };
}

function metadataFromCharmcraft(raw: YamlMap): YamlMap {
  const out: YamlMap = {};
  for (const key of METADATA_KEYS) if (raw[key] !== undefined) out[key] = raw[key];
  if (typeof raw['title'] === 'string') out['display-name'] = raw['title'];
  if (isMap(raw['links'])) {
    for (const [from, to] of Object.entries(LINK_KEYS)) {
      const v = raw['links'][from];
      // metadata.yaml `maintainers` is a list; charmcraft's `links.contact` may be one string.
      if (v !== undefined) out[to] = to === 'maintainers' && typeof v === 'string' ? [v] : v;
    }
  }
  // Endpoints in their long form, which every Juju reads: `ep: iface` -> `ep: {interface: iface}`.
  for (const kind of ['provides', 'requires', 'peers']) {
    const eps = out[kind];
    if (!isMap(eps)) continue;
    out[kind] = Object.fromEntries(Object.entries(eps).map(([ep, spec]) => [ep, typeof spec === 'string' ? { interface: spec } : spec]));
  }
  return out;
}

function validateMetadata(md: YamlMap, where: string): void {
  for (const key of ['name', 'summary', 'description']) {
    if (typeof md[key] !== 'string' || md[key] === '') {
      throw new PackagingError(`${where}: '${key}' must be a non-empty string (Juju requires it in metadata.yaml)`);
    }
  }
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(md['name'] as string)) {
    throw new PackagingError(`${where}: name '${String(md['name'])}' is not a valid charm name (lowercase letters, digits, single hyphens)`);
  }
  for (const kind of ['provides', 'requires', 'peers']) {
    const eps = md[kind];
    if (eps === undefined) continue;
    if (!isMap(eps)) throw new PackagingError(`${where}: '${kind}' must be a mapping of endpoint names`);
    for (const [ep, spec] of Object.entries(eps)) {
      const iface = typeof spec === 'string' ? spec : isMap(spec) ? spec['interface'] : undefined;
      if (typeof iface !== 'string' || iface === '') {
        throw new PackagingError(`${where}: endpoint '${kind}.${ep}' has no 'interface'`);
      }
    }
  }
}

function validateConfig(config: YamlMap, where: string): void {
  const options = config['options'];
  if (options === undefined) return;
  if (!isMap(options)) throw new PackagingError(`${where}: 'config.options' must be a mapping`);
  for (const [name, opt] of Object.entries(options)) {
    if (!isMap(opt) || typeof opt['type'] !== 'string' || !CONFIG_TYPES.has(opt['type'])) {
      throw new PackagingError(`${where}: config option '${name}' needs a type among ${[...CONFIG_TYPES].join(', ')}`);
    }
    const d = opt['default'];
    if (d === undefined || d === null) continue;
    const ok = opt['type'] === 'int' ? Number.isInteger(d)
      : opt['type'] === 'float' ? typeof d === 'number'
      : opt['type'] === 'boolean' ? typeof d === 'boolean'
      : typeof d === 'string';
    if (!ok) throw new PackagingError(`${where}: config option '${name}' default ${JSON.stringify(d)} is not of type ${opt['type']}`);
  }
}

function parseTargets(raw: YamlMap, where: string): RunOnBase[][] {
  if (Array.isArray(raw['bases'])) {
    if (raw['bases'].length === 0) throw new PackagingError(`${where}: 'bases' is empty`);
    return raw['bases'].map((entry, i) => {
      if (!isMap(entry)) throw new PackagingError(`${where}: bases[${i}] must be a mapping`);
      if (entry['run-on'] !== undefined || entry['build-on'] !== undefined) {
        const runOn = entry['run-on'] ?? entry['build-on'];
        if (!Array.isArray(runOn) || runOn.length === 0) throw new PackagingError(`${where}: bases[${i}].run-on must be a non-empty list`);
        return runOn.map((b, j) => parseBase(b, `${where}: bases[${i}].run-on[${j}]`));
      }
      return [parseBase(entry, `${where}: bases[${i}]`)];
    });
  }
  if (typeof raw['base'] === 'string' || isMap(raw['platforms'])) return parsePlatforms(raw, where);
  throw new PackagingError(`${where}: no 'bases' (or 'base' + 'platforms') to build for`);
}

function parseBase(b: unknown, where: string): RunOnBase {
  if (!isMap(b)) throw new PackagingError(`${where} must be a mapping`);
  const { name, channel } = b;
  if (typeof name !== 'string' || name === '') throw new PackagingError(`${where}.name must be a string`);
  if (typeof channel !== 'string' || channel === '') {
    throw new PackagingError(`${where}.channel must be a string (quote it: "22.04")`);
  }
  const arches = b['architectures'] ?? [DEFAULT_ARCH];
  if (!Array.isArray(arches) || arches.length === 0 || !arches.every((a) => typeof a === 'string')) {
    throw new PackagingError(`${where}.architectures must be a non-empty list of strings`);
  }
  return { name, channel, architectures: arches as string[] };
}

/** `ubuntu@22.04` -> { name, channel }. */
function splitBase(s: string, where: string): { name: string; channel: string } {
  const m = /^([a-z]+)@([0-9.]+)$/.exec(s);
  if (!m) throw new PackagingError(`${where}: base '${s}' is not of the form <name>@<channel>`);
  return { name: m[1]!, channel: m[2]! };
}

function parsePlatforms(raw: YamlMap, where: string): RunOnBase[][] {
  const platforms = raw['platforms'];
  if (!isMap(platforms) || Object.keys(platforms).length === 0) throw new PackagingError(`${where}: 'platforms' must be a non-empty mapping`);
  const base = typeof raw['base'] === 'string' ? splitBase(raw['base'], where) : undefined;
  return Object.entries(platforms).map(([key, value]) => {
    // `ubuntu@22.04:amd64` as key or in build-for; a bare `amd64` key takes the top-level base.
    const buildFor = isMap(value) && Array.isArray(value['build-for']) ? value['build-for'] : [key];
    return buildFor.map((spec) => {
      const [b, arch] = String(spec).includes(':') ? String(spec).split(':') : [undefined, String(spec)];
      const nc = b !== undefined ? splitBase(b, where) : base;
      if (!nc) throw new PackagingError(`${where}: platform '${key}' names no base and there is no top-level 'base'`);
      return { ...nc, architectures: [arch!] };
    });
  });
}

/** charmcraft's artifact name: `<name>_<base>-<channel>-<arch...>` per run-on base, joined by `_`. */
export function charmFileName(name: string, runOn: readonly RunOnBase[]): string {
  return [name, ...runOn.map((b) => `${b.name}-${b.channel}-${b.architectures.join('-')}`)].join('_') + '.charm';
}
