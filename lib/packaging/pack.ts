/**
 * Packs a charm directory (`charmcraft.yaml` + `src/main.ts` or `src/charm.ts`, bundle.ts) into deployable `.charm` files,
 * one per base entry, named as charmcraft names them (`nats_ubuntu-22.04-amd64.charm`).
 *
 * Layout of each artifact (all a Juju >= 2.8 machine needs; no hooks/ directory, because Juju runs
 * `dispatch` for every hook and action when it exists, contract §1.1):
 *   manifest.yaml  metadata.yaml  config.yaml  actions.yaml   (YAML, 0644)
 *   dispatch                                                   (POSIX sh, 0755)
 *   src/charm.mjs  [src/<name>-<hash>.mjs lazy and shared chunks]  [src/charm.mjs.LEGAL.txt]  [src/*.mjs.map]
 *   runtime/node  (0755)  runtime/README
 *   [LICENSE  README.md  icon.svg  copyright  version]         (copied when present)
 *
 * Reproducible: same inputs and the same SOURCE_DATE_EPOCH give the same bytes (see zip.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleCharm, charmEntry } from './bundle.ts';
import { actionsYaml, configYaml, manifestYaml, metadataYaml } from './charm-yaml.ts';
import { charmFileName, loadCharmProject } from './charmcraft.ts';
import type { RunOnBase } from './charmcraft.ts';
import { BUNDLE_DIR, RUNTIME_PATH, dispatchScript } from './dispatch.ts';
import { PackagingError } from './errors.ts';
import { REPO_ROOT, prepareRuntime, runtimeNotice } from './runtime.ts';
import type { Runtime, RuntimeOptions } from './runtime.ts';
import { DOS_EPOCH_SECONDS, deflateEntry, writeZip } from './zip.ts';
import type { ZipEntry } from './zip.ts';

export interface PackOptions {
  /** Where artifacts go; default `<repo>/build`. */
  readonly outDir?: string;
  /** Timestamp for every entry and the manifest; default: SOURCE_DATE_EPOCH, else git commit time. */
  readonly sourceDateEpoch?: number;
  /** A prepared runtime (to share one between charms) or options to prepare it. */
  readonly runtime?: Runtime | RuntimeOptions;
  /** Ship `src/*.mjs.map` (default false: smaller artifact, and stack traces are still readable enough). */
  readonly sourcemap?: boolean;
}

export interface PackedCharm {
  readonly name: string;
  readonly file: string;
  readonly size: number;
  readonly bases: readonly RunOnBase[];
}

/** Files charmcraft copies into a charm when they exist (charmcraft const CHARM_OPTIONAL, the ones that apply). */
const OPTIONAL_FILES = ['LICENSE', 'README.md', 'icon.svg', 'copyright', 'version'] as const;

/**
 * SOURCE_DATE_EPOCH (reproducible-builds.org) wins; else the commit time of HEAD in the charm's
 * repository; else the zip epoch (1980-01-01).
 */
export function resolveSourceDateEpoch(charmDir: string, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env['SOURCE_DATE_EPOCH'];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!/^\d+$/.test(fromEnv)) throw new PackagingError(`SOURCE_DATE_EPOCH='${fromEnv}' is not a number of seconds`);
    return Number(fromEnv);
  }
  try {
    const out = execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: charmDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (/^\d+$/.test(out)) return Number(out);
  } catch {
    // not a git checkout, or no commit yet: fall through
  }
  return DOS_EPOCH_SECONDS;
}

function isRuntime(r: Runtime | RuntimeOptions | undefined): r is Runtime {
  return r !== undefined && 'deflatedPath' in r;
}

export async function packCharm(charmDir: string, options: PackOptions = {}): Promise<PackedCharm[]> {
  const dir = resolve(charmDir);
  const project = loadCharmProject(dir);
  const entry = charmEntry(dir);

  const runtime = isRuntime(options.runtime) ? options.runtime : prepareRuntime(options.runtime);
  for (const runOn of project.targets) {
    for (const base of runOn) {
      const foreign = base.architectures.filter((a) => a !== runtime.arch);
      if (foreign.length > 0) {
        throw new PackagingError(`${dir}/charmcraft.yaml: base ${base.name}@${base.channel} runs on ${foreign.join(', ')}, but the runtime (${runtime.source}) is ${runtime.arch}; pass a Node binary for that architecture`);
      }
    }
  }

  const major = /^v(\d+)\./.exec(runtime.version)?.[1];
  const bundle = await bundleCharm(entry, { target: major ? `node${major}` : 'node24', sourcemap: options.sourcemap ?? false });
  const epoch = options.sourceDateEpoch ?? resolveSourceDateEpoch(dir);
  const text = (s: string) => new TextEncoder().encode(s);

  // Entries shared by every artifact of this charm, deflated once.
  const shared: ZipEntry[] = [
    deflateEntry('metadata.yaml', 0o644, text(metadataYaml(project))),
    deflateEntry('dispatch', 0o755, text(dispatchScript({ sourceMaps: bundle.hasSourcemap }))),
    ...bundle.files.map((f) => deflateEntry(`${BUNDLE_DIR}/${f.path}`, 0o644, f.contents)),
    deflateEntry('runtime/README', 0o644, text(runtimeNotice(runtime))),
    { path: RUNTIME_PATH, mode: 0o755, size: runtime.size, crc: runtime.crc, deflated: readFileSync(runtime.deflatedPath) },
  ];
  const config = configYaml(project);
  if (config !== undefined) shared.push(deflateEntry('config.yaml', 0o644, text(config)));
  const actions = actionsYaml(project);
  if (actions !== undefined) shared.push(deflateEntry('actions.yaml', 0o644, text(actions)));
  for (const f of OPTIONAL_FILES) {
    const p = join(dir, f);
    if (existsSync(p)) shared.push(deflateEntry(f, 0o644, readFileSync(p)));
  }

  const outDir = resolve(options.outDir ?? join(REPO_ROOT, 'build'));
  mkdirSync(outDir, { recursive: true });
  const packed: PackedCharm[] = [];
  for (const runOn of project.targets) {
    const manifest = deflateEntry('manifest.yaml', 0o644, text(manifestYaml(runOn, new Date(epoch * 1000))));
    const zip = writeZip([manifest, ...shared], epoch);
    const file = join(outDir, charmFileName(project.name, runOn));
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, zip, { mode: 0o644 });
    renameSync(tmp, file);
    packed.push({ name: project.name, file, size: zip.length, bases: runOn });
  }
  return packed;
}
