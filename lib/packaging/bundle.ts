/**
 * Bundles a charm's `src/charm.ts` and everything it imports into one ESM file with esbuild, so the
 * charm needs no node_modules on the machine. Legal comments (licence headers of bundled packages)
 * go to a separate `.LEGAL.txt` that ships beside the bundle.
 */
import { build } from 'esbuild';
import { dirname } from 'node:path';
import { PackagingError } from './errors.ts';

export interface Bundle {
  readonly code: Uint8Array;
  /** Licence comments esbuild extracted; absent when the bundle has none. */
  readonly legal?: Uint8Array;
  readonly sourcemap?: Uint8Array;
}

export interface BundleOptions {
  /** esbuild target, e.g. `node24`: match the shipped runtime's major version. */
  readonly target: string;
  readonly sourcemap?: boolean;
}

/**
 * Bundled CommonJS dependencies may `require()` Node builtins; in an ESM bundle esbuild's shim
 * needs a real `require`, which ESM lacks, so give it one.
 */
const REQUIRE_SHIM = "import{createRequire as __charmCreateRequire}from'node:module';const require=__charmCreateRequire(import.meta.url);";

export async function bundleCharm(entry: string, options: BundleOptions): Promise<Bundle> {
  const outfile = `${dirname(entry)}/charm.mjs`;
  let result;
  try {
    result = await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: options.target,
      minify: true,
      legalComments: 'external',
      sourcemap: options.sourcemap ? 'external' : false,
      banner: { js: REQUIRE_SHIM },
      define: { 'process.env.NODE_ENV': '"production"' },
      write: false,
      logLevel: 'silent',
      // Paths in output (source maps) are relative to the entry's directory, not this machine.
      absWorkingDir: dirname(entry),
    });
  } catch (e) {
    const errors = (e as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }).errors ?? [];
    const detail = errors.map((m) => (m.location ? `${m.location.file}:${m.location.line}: ${m.text}` : m.text)).join('; ');
    throw new PackagingError(`esbuild failed for ${entry}: ${detail || (e as Error).message}`, { cause: e });
  }
  const pick = (suffix: string) => result.outputFiles.find((f) => f.path === outfile + suffix)?.contents;
  const code = pick('');
  if (!code) throw new PackagingError(`esbuild produced no ${outfile}`);
  const legal = pick('.LEGAL.txt');
  const sourcemap = pick('.map');
  return { code, ...(legal && legal.length > 0 ? { legal } : {}), ...(sourcemap ? { sourcemap } : {}) };
}
