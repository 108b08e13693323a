/**
 * Bundles a charm with esbuild so it needs no node_modules on the machine: the one set of
 * settings for the packed `.charm` (pack.ts, `src/`) and the development build
 * (dev-build.ts, `dist/`), which the benchmarks reuse.
 *
 * Entry: `src/main.ts` when the charm has one, else `src/charm.ts`. Issue 8 (hook latency):
 * main.ts is a tiny entry, `main(() => import('./charm.ts')...)`, so the entry file and its
 * static imports hold only lib/juju's dispatch path, and dispatch loads the charm only when the
 * hook needs it. With `splitting`, every dynamic import() becomes its own lazy chunk
 * (`<name>-<hash>.mjs`: the charm, lib/tls + x509, execa, ...) that a hook never loading it
 * never reads or parses; code shared between chunks goes to `chunk-<hash>.mjs`. The entry is
 * always `charm.mjs`, which both dispatch scripts run.
 *
 * Builtin imports are rewritten to `process.getBuiltinModule` (builtin-imports.ts), and the
 * `require` that bundled CommonJS needs comes from the same, so no chunk has an ESM import of
 * a builtin. Legal comments (licence headers of bundled packages) of all chunks go to one
 * `charm.mjs.LEGAL.txt`.
 */
import { build, type Metafile } from 'esbuild';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isBuiltin, rewriteBuiltinImports } from './builtin-imports.ts';
import { PackagingError } from './errors.ts';

/** File name of the entry in the bundle directory (dispatch runs it). */
export const ENTRY_FILE = 'charm.mjs';
const LEGAL_FILE = `${ENTRY_FILE}.LEGAL.txt`;

export interface BundleFile {
  /** Path relative to the bundle directory, e.g. `charm.mjs`, `tls-X73IDRW7.mjs`, `charm.mjs.map`. */
  readonly path: string;
  readonly contents: Uint8Array;
}

export interface Bundle {
  /** Every file to ship, sorted by path: `charm.mjs`, lazy and shared chunks, maps, legal notices. */
  readonly files: readonly BundleFile[];
  /** The files a hook always loads: `charm.mjs` and its static imports (no lazy chunk). */
  readonly startup: { readonly files: readonly string[]; readonly bytes: number; readonly inputs: readonly string[] };
  readonly hasSourcemap: boolean;
}

export interface BundleOptions {
  /** esbuild target, e.g. `node24`: match the runtime's major version. */
  readonly target: string;
  readonly sourcemap?: boolean;
}

/**
 * Bundled CommonJS dependencies may `require()` Node builtins; in an ESM bundle esbuild's shim
 * needs a real `require`, which ESM lacks, so give it one (from getBuiltinModule, not an ESM
 * import of node:module: see builtin-imports.ts). Always the first line of every chunk.
 */
const REQUIRE_SHIM = 'const require=process.getBuiltinModule("node:module").createRequire(import.meta.url);';

/** The charm's bundle entry: the tiny `src/main.ts` when it exists, else `src/charm.ts`. */
export function charmEntry(charmDir: string): string {
  for (const name of ['src/main.ts', 'src/charm.ts']) {
    const entry = join(charmDir, name);
    if (existsSync(entry)) return entry;
  }
  throw new PackagingError(`${charmDir}: no src/main.ts or src/charm.ts entrypoint`);
}

type EsbuildMessage = { text: string; location?: { file: string; line: number } | null };

export async function bundleCharm(entryPath: string, options: BundleOptions): Promise<Bundle> {
  const entry = resolve(entryPath);
  // Paths in output (metafile, source maps) are relative to the entry's directory, not this machine.
  const srcDir = dirname(entry);
  // Output paths are only names here (write: false); beside the entry, a source map's `sources` read `charm.ts`.
  const outdir = srcDir;
  let result;
  try {
    result = await build({
      entryPoints: [entry],
      outdir,
      entryNames: basename(ENTRY_FILE, '.mjs'),
      chunkNames: '[name]-[hash]',
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: options.target,
      minify: true,
      legalComments: 'external',
      sourcemap: options.sourcemap ? 'linked' : false,
      banner: { js: REQUIRE_SHIM },
      define: { 'process.env.NODE_ENV': '"production"' },
      metafile: true,
      write: false,
      logLevel: 'silent',
      absWorkingDir: srcDir,
    });
  } catch (e) {
    const errors = (e as { errors?: EsbuildMessage[] }).errors ?? [];
    const detail = errors.map((m) => (m.location ? `${m.location.file}:${m.location.line}: ${m.text}` : m.text)).join('; ');
    throw new PackagingError(`esbuild failed for ${entry}: ${detail || (e as Error).message}`, { cause: e });
  }

  const relative = (path: string) => path.slice(outdir.length + 1);
  const metaOf = (file: string) => result.metafile.outputs[file];
  const files: BundleFile[] = [];
  const legal: string[] = [];
  const decoder = new TextDecoder();
  for (const out of result.outputFiles) {
    const path = relative(out.path);
    if (path.endsWith('.LEGAL.txt')) {
      legal.push(`${path.slice(0, -'.LEGAL.txt'.length)}:\n${decoder.decode(out.contents).trim()}\n`);
    } else if (path.endsWith('.mjs')) {
      const { code, rewritten } = rewriteBuiltinImports(decoder.decode(out.contents), REQUIRE_SHIM);
      // esbuild's own count: a mismatch means the rewrite matched text that is not an import
      // statement (inside a string, say) or missed one; never ship a guess.
      const expected = builtinImportCount(metaOf(path));
      if (rewritten !== expected) throw new PackagingError(`${entry}: ${path}: rewrote ${rewritten} builtin import statements, esbuild reports ${expected}`);
      files.push({ path, contents: new TextEncoder().encode(code) });
    } else {
      files.push({ path, contents: out.contents });
    }
  }
  if (!files.some((f) => f.path === ENTRY_FILE)) throw new PackagingError(`esbuild produced no ${ENTRY_FILE} for ${entry}`);
  if (legal.length > 0) files.push({ path: LEGAL_FILE, contents: new TextEncoder().encode(legal.sort().join('\n')) });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, startup: startupGraph(result.metafile, files), hasSourcemap: files.some((f) => f.path.endsWith('.map')) };
}

function builtinImportCount(output: Metafile['outputs'][string] | undefined): number {
  return (output?.imports ?? []).filter((i) => i.kind === 'import-statement' && i.external === true && isBuiltin(i.path)).length;
}

/** The entry and every chunk reachable from it by static imports: what each hook loads. */
function startupGraph(metafile: Metafile, files: readonly BundleFile[]): Bundle['startup'] {
  const seen = new Set<string>();
  const inputs = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const output = metafile.outputs[file];
    for (const [input, info] of Object.entries(output?.inputs ?? {})) if (info.bytesInOutput > 0) inputs.add(input);
    for (const i of output?.imports ?? []) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(ENTRY_FILE);
  const size = new Map(files.map((f) => [f.path, f.contents.length]));
  return { files: [...seen].sort(), bytes: [...seen].reduce((n, f) => n + (size.get(f) ?? 0), 0), inputs: [...inputs].sort() };
}
