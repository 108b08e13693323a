/**
 * `tox-free-scripts/pack [--out-dir DIR] [--sourcemap] [charm-name|charm-dir ...]`: packs the named charms, or
 * every `charms/<name>/` that has a `src/charm.ts`, into build/ (or DIR) and prints each artifact's
 * path and size on stdout, one per line, tab-separated; progress goes to stderr.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { PackagingError } from './errors.ts';
import { packCharm } from './pack.ts';
import { REPO_ROOT, prepareRuntime } from './runtime.ts';

function charmDirs(args: readonly string[], root: string): string[] {
  if (args.length > 0) {
    return args.map((a) => {
      const dir = existsSync(join(root, 'charms', a)) ? join(root, 'charms', a) : resolve(a);
      if (!existsSync(join(dir, 'charmcraft.yaml'))) throw new PackagingError(`${a}: not a charm (no charmcraft.yaml in ${dir})`);
      return dir;
    });
  }
  const charms = join(root, 'charms');
  if (!existsSync(charms)) return [];
  return readdirSync(charms, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(charms, d.name, 'src/charm.ts')))
    .map((d) => join(charms, d.name))
    .sort();
}

function megabytes(n: number): string {
  return `${(n / 1e6).toFixed(1)} MB`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const args = [...argv];
  let outDir: string | undefined;
  const at = args.indexOf('--out-dir');
  if (at >= 0) {
    outDir = args[at + 1];
    if (outDir === undefined) throw new PackagingError('--out-dir needs a directory');
    args.splice(at, 2);
  }
  const sourcemap = args.includes('--sourcemap');
  if (sourcemap) args.splice(args.indexOf('--sourcemap'), 1);
  const dirs = charmDirs(args, REPO_ROOT);
  if (dirs.length === 0) {
    console.error('pack: no charm to pack (no charms/*/src/charm.ts)');
    return 1;
  }
  const started = Date.now();
  const runtime = prepareRuntime();
  console.error(`pack: runtime node ${runtime.version} ${runtime.arch}, ${megabytes(runtime.size)}${runtime.stripped ? ' (stripped)' : ' (NOT stripped: install binutils for a smaller artifact)'}`);
  for (const dir of dirs) {
    for (const p of await packCharm(dir, { runtime, sourcemap, ...(outDir !== undefined ? { outDir } : {}) })) {
      console.log(`${relative(process.cwd(), p.file)}\t${p.size} bytes (${megabytes(p.size)})`);
    }
  }
  console.error(`pack: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (e instanceof PackagingError) {
    console.error(`pack: ${e.message}`);
    process.exitCode = 1;
  } else {
    throw e;
  }
}
