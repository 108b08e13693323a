/**
 * Start-up options for a charm's bundle entry (issue 8), measured: process CPU (user + sys, from
 * bash's `time`, so all of Node's threads and its exit count) and wall time of
 * `node <entry>` started without a hook context, so it loads the entry, runs main, and stops at
 * the first check (JUJU_DISPATCH_PATH not set) before any hook tool: the fixed cost every hook
 * pays. Variants run interleaved after 3 warm-up rounds (which also fill the compile caches);
 * medians; NODE_EXTRA_CA_CERTS unset.
 *
 *   npx node bench/hook-startup/entry-options.ts [charm=anbox-stream-agent] [runs=20]
 *
 * Variants:
 * - before: the build before the tiny entry (src/charm.ts as the entry, --splitting);
 * - main.ts, ESM builtin imports: the tiny entry as plain esbuild prints it;
 * - main.ts, adopted: lib/packaging/bundle.ts (builtins through process.getBuiltinModule);
 *   also with NODE_COMPILE_CACHE set (the env var a dispatch could export);
 * - one CommonJS file of the same dispatch path (no chunks, no ESM loader): a lower bound
 *   that cannot load the charm's ESM chunks without a second copy of lib/juju;
 * - V8 startup snapshot of that CommonJS file (`--build-snapshot`, run with `--snapshot-blob`);
 * and, apart, what loading the charm's lazy chunks costs, cold and with the compile cache that
 * main.ts turns on for that load (lib/packaging/compile-cache.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleCharm, charmEntry } from '../../lib/packaging/bundle.ts';

const charm = process.argv[2] ?? 'anbox-stream-agent';
const RUNS = Number(process.argv[3] ?? 20);
const WARMUP = 3;
const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const NODE = process.execPath;
const work = mkdtempSync(join(tmpdir(), 'entry-options-'));
const median = (v: readonly number[]): number => { const s = [...v].sort((a, b) => a - b); const m = Math.floor(s.length / 2); return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };

interface Variant {
  readonly name: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Text the run must print on stderr (proof it got where it should), if any. */
  readonly expect?: string;
}

/** One run: wall and CPU in ms, from bash's `time` around the command alone. */
function once(v: Variant): { wall: number; cpu: number } {
  const script = 'TIMEFORMAT="%3R %3U %3S"; { time "$@" >/dev/null 2>"$ERR"; } 2>&1';
  const err = join(work, 'stderr');
  const r = spawnSync('/bin/bash', ['--norc', '--noprofile', '-c', script, 'bench', NODE, ...v.args], {
    encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', ERR: err, ...v.env },
  });
  const m = /^([\d.]+) ([\d.]+) ([\d.]+)$/m.exec(r.stdout);
  if (!m) throw new Error(`${v.name}: no timing in ${JSON.stringify(r.stdout)} ${r.stderr}`);
  if (v.expect) {
    const got = spawnSync('cat', [err], { encoding: 'utf8' }).stdout;
    if (!got.includes(v.expect)) throw new Error(`${v.name}: expected "${v.expect}" on stderr, got: ${got.slice(0, 300)}`);
  }
  return { wall: Number(m[1]) * 1000, cpu: (Number(m[2]) + Number(m[3])) * 1000 };
}

function measure(title: string, variants: readonly Variant[]): void {
  const wall = variants.map(() => [] as number[]);
  const cpu = variants.map(() => [] as number[]);
  for (let i = 0; i < WARMUP + RUNS; i++) {
    variants.forEach((v, k) => {
      const t = once(v);
      if (i >= WARMUP) { wall[k]!.push(t.wall); cpu[k]!.push(t.cpu); }
    });
  }
  const base = median(cpu[0]!);
  console.log(`\n## ${title} (median of ${RUNS}, interleaved, after ${WARMUP} warm-up rounds)\n`);
  console.log('| variant | wall ms | CPU ms | CPU over first row |');
  console.log('|---|---|---|---|');
  variants.forEach((v, k) => console.log(`| ${v.name} | ${median(wall[k]!).toFixed(1)} | ${median(cpu[k]!).toFixed(1)} | ${k === 0 ? '-' : (median(cpu[k]!) - base).toFixed(1)} |`));
}

const esm = { bundle: true, platform: 'node', format: 'esm', target: 'node22', minify: true, logLevel: 'warning', splitting: true, entryNames: 'charm', chunkNames: '[name]-[hash]', outExtension: { '.js': '.mjs' }, banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" } } as const;

try {
  const dir = join(ROOT, 'charms', charm);
  await build({ ...esm, entryPoints: [join(dir, 'src/charm.ts')], outdir: join(work, 'before') });
  await build({ ...esm, entryPoints: [charmEntry(dir)], outdir: join(work, 'esm-imports') });
  const adopted = join(work, 'adopted');
  mkdirSync(adopted);
  for (const f of (await bundleCharm(charmEntry(dir), { target: 'node22' })).files) writeFileSync(join(adopted, f.path), f.contents);

  // The dispatch path alone as one CommonJS file, and a snapshot of it. A snapshot's main may not
  // import() (no ESM loader inside it), so the charm cannot load from here: start-up figure only.
  const dispatchTs = JSON.stringify(join(ROOT, 'lib/juju/dispatch.ts'));
  const cjs = join(work, 'dispatch.cjs');
  await build({ stdin: { contents: `import { main } from ${dispatchTs}; void main(async () => { throw new Error('no charm here'); });`, resolveDir: ROOT, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', target: 'node24', minify: true, logLevel: 'warning', outfile: cjs });
  const snapEntry = join(work, 'snapshot-entry.cjs');
  await build({ stdin: { contents: `import { startupSnapshot } from 'node:v8'; import { main } from ${dispatchTs}; startupSnapshot.setDeserializeMainFunction(() => void main(async () => { throw new Error('no charm here'); }));`, resolveDir: ROOT, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', target: 'node24', minify: true, logLevel: 'warning', outfile: snapEntry });
  const blob = join(work, 'dispatch.blob');
  const started = performance.now();
  execFileSync(NODE, ['--snapshot-blob', blob, '--build-snapshot', snapEntry], { cwd: work, stdio: 'pipe' });
  const snapshotBuildMs = performance.now() - started;

  const stop = 'JUJU_DISPATCH_PATH';
  measure(`${charm}: entry start-up to the first hook-context check`, [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'before: src/charm.ts entry (split)', args: [join(work, 'before/charm.mjs')], expect: stop },
    { name: 'main.ts entry, ESM imports of builtins', args: [join(work, 'esm-imports/charm.mjs')], expect: stop },
    { name: 'main.ts entry, adopted (bundle.ts)', args: [join(adopted, 'charm.mjs')], expect: stop },
    { name: 'adopted + NODE_COMPILE_CACHE (warm)', args: [join(adopted, 'charm.mjs')], env: { NODE_COMPILE_CACHE: join(work, 'cache-env') }, expect: stop },
    { name: 'dispatch path as one CJS file (no charm)', args: [cjs], expect: stop },
    { name: 'one CJS file + NODE_COMPILE_CACHE (warm)', args: [cjs], env: { NODE_COMPILE_CACHE: join(work, 'cache-cjs') }, expect: stop },
    { name: 'V8 snapshot of that CJS file', args: ['--snapshot-blob', blob], expect: stop },
  ]);
  console.log(`\nsnapshot: built in ${snapshotBuildMs.toFixed(0)} ms (must use the very node binary that runs it); two builds give different bytes, so a .charm holding one would not be reproducible`);

  // The lazy load a hook that runs the reconcile adds: the charm chunk and its static imports.
  const charmChunk = readdirSync(adopted).find((f) => /^charm-.*\.mjs$/.test(f));
  if (!charmChunk) throw new Error('no lazy charm chunk');
  const loadCharm = `await import(${JSON.stringify(join(adopted, charmChunk))})`;
  const withCache = `process.getBuiltinModule('node:module').enableCompileCache(${JSON.stringify(join(work, 'cache-lazy'))});${loadCharm}`;
  measure(`${charm}: loading the charm's lazy chunk`, [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'import the charm chunk, cold', args: ['--input-type=module', '-e', loadCharm] },
    { name: 'same, compile cache on first (main.ts)', args: ['--input-type=module', '-e', withCache] },
  ]);
} finally {
  rmSync(work, { recursive: true, force: true });
}
