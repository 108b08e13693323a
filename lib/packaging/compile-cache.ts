/**
 * Runtime side of the bundle layout (bundle.ts), for a charm's `src/main.ts`: wraps the lazy
 * loader of the charm so that Node's on-disk V8 code cache is on while the charm's chunks load.
 *
 * - Only then: a hook that dispatch settles without the charm (fixpoint skip) neither reads
 *   nor writes the cache. The tiny entry gained nothing measurable from it (bench/hook-startup/
 *   entry-options.ts); loading the charm's chunks costs ~10% less CPU with it.
 * - Where: `.node-compile-cache/` beside the bundle's entry, i.e. `$JUJU_CHARM_DIR/src/` in a
 *   packed charm and `charms/<name>/dist/` (git-ignored) in a checkout. Inside the charm
 *   directory, which is root's on a unit, and never /tmp: whoever can write the cache can
 *   plant compiled code. Node checks each entry against a hash of the source, writes through
 *   a temporary file and a rename, and keys the directory by Node version, so stale or
 *   concurrent entries are ignored, never run.
 * - A cache is only an optimisation: any failure to enable it is ignored.
 */
export function withCompileCache<T>(entryUrl: string, load: () => Promise<T>): () => Promise<T> {
  return () => {
    try {
      // getBuiltinModule, not an import: the entry stays free of ESM builtin facades (builtin-imports.ts).
      const { fileURLToPath } = process.getBuiltinModule('node:url');
      process.getBuiltinModule('node:module').enableCompileCache(fileURLToPath(new URL('.node-compile-cache', entryUrl)));
    } catch {
      // no cache: the hook only runs slower
    }
    return load();
  };
}
