/**
 * Development bundles: each charm's bundle (bundle.ts, the packed charm's settings) written to
 * `charms/<name>/dist/`, which the charm's development `dispatch` runs (`node dist/charm.mjs`).
 *
 *   node lib/packaging/dev-build.ts [charm-dir ...]   (default: every charms/<name>/ with src/charm.ts)
 *
 * tox-free-scripts/build runs this; bench/hooks reuses `writeDevBundle` so it measures the
 * bundles a developer gets. Prints, per charm, what every hook loads (the entry and its static
 * imports) next to the whole bundle.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { bundleCharm, charmEntry, type Bundle } from './bundle.ts';
import { REPO_ROOT } from './runtime.ts';

/** Node on PATH in a development checkout may be older than the packed runtime (engines: >= 22). */
export const DEV_TARGET = 'node22';

/** Output from earlier builds: chunks, maps, legal notices, and the compile cache of their code. */
function clearOutput(dist: string): void {
  if (!existsSync(dist)) return;
  for (const f of readdirSync(dist)) {
    if (f.endsWith('.mjs') || f.endsWith('.map') || f.endsWith('.LEGAL.txt') || f === '.node-compile-cache') rmSync(join(dist, f), { recursive: true, force: true });
  }
}

export async function writeDevBundle(charmDir: string, dist = join(charmDir, 'dist')): Promise<Bundle> {
  const bundle = await bundleCharm(charmEntry(charmDir), { target: DEV_TARGET });
  clearOutput(dist);
  mkdirSync(dist, { recursive: true });
  for (const f of bundle.files) writeFileSync(join(dist, f.path), f.contents);
  return bundle;
}

export function describeBundle(bundle: Bundle): string {
  const total = bundle.files.filter((f) => f.path.endsWith('.mjs')).reduce((n, f) => n + f.contents.length, 0);
  return `every hook loads ${bundle.startup.bytes} bytes in ${bundle.startup.files.length} files (${bundle.startup.files.join(', ')}); ${total} bytes with the lazy chunks`;
}

function charmDirs(args: readonly string[]): string[] {
  if (args.length > 0) return args.map((a) => resolve(a));
  const charms = join(REPO_ROOT, 'charms');
  return readdirSync(charms, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(charms, d.name, 'src/charm.ts')))
    .map((d) => join(charms, d.name))
    .sort();
}

if (import.meta.main) {
  for (const dir of charmDirs(process.argv.slice(2))) {
    const bundle = await writeDevBundle(dir);
    console.log(`built ${relative(process.cwd(), join(dir, 'dist/charm.mjs'))}: ${describeBundle(bundle)}`);
  }
}
