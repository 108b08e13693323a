/**
 * CPU cost of loading a bundled charm (issue 8): process CPU time (user+sys, all threads, from
 * `process.cpuUsage()` at exit through an `--import` probe) of `node dist/charm.mjs` started
 * without a hook context — it loads and evaluates the bundle, then stops at its first check
 * (JUJU_DISPATCH_PATH not set) before any hook tool. CPU time, unlike wall time, stays
 * comparable on a loaded machine. Variants run interleaved: `node -e 0`; the one-file and the
 * split bundle of src/charm.ts (the builds before the tiny entry); the bundle
 * tox-free-scripts/build makes now (lib/packaging/bundle.ts: entry src/main.ts, builtins through
 * getBuiltinModule); each bundle also with NODE_COMPILE_CACHE. bench/hook-startup/entry-options.ts
 * compares more start-up options (CommonJS, V8 snapshot), with CPU measured from outside.
 *
 *   npx node bench/hooks/load-cpu.ts [charm=anbox-stream-agent] [runs=20]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { bundleCharm, charmEntry } from '../../lib/packaging/bundle.ts';

const charm = process.argv[2] ?? 'anbox-stream-agent';
const RUNS = Number(process.argv[3] ?? 20);
const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const work = mkdtempSync(join(tmpdir(), 'load-cpu-'));
const median = (v: readonly number[]): number => { const s = [...v].sort((a, b) => a - b); const m = Math.floor(s.length / 2); return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };

try {
  const common: BuildOptions = {
    entryPoints: [join(ROOT, 'charms', charm, 'src/charm.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node22', minify: true, logLevel: 'warning',
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  };
  await build({ ...common, outfile: join(work, 'one/charm.mjs') });
  await build({ ...common, splitting: true, outdir: join(work, 'split'), entryNames: 'charm', chunkNames: '[name]-[hash]', outExtension: { '.js': '.mjs' } });
  mkdirSync(join(work, 'now'));
  for (const f of (await bundleCharm(charmEntry(join(ROOT, 'charms', charm)), { target: 'node22' })).files) writeFileSync(join(work, 'now', f.path), f.contents);
  const probe = join(work, 'probe.mjs');
  writeFileSync(probe, "process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write(`CPU ${(u.user+u.system)/1000}\\n`)});\n");
  const cache = join(work, 'compile-cache');
  mkdirSync(cache);
  const variants: Array<[string, string[], Record<string, string>]> = [
    ['node -e 0', ['-e', '0'], {}],
    ['one-file bundle', [join(work, 'one/charm.mjs')], {}],
    ['split bundle', [join(work, 'split/charm.mjs')], {}],
    ['main.ts entry (tox-free-scripts/build)', [join(work, 'now/charm.mjs')], {}],
    ['one-file + NODE_COMPILE_CACHE', [join(work, 'one/charm.mjs')], { NODE_COMPILE_CACHE: cache }],
    ['split + NODE_COMPILE_CACHE', [join(work, 'split/charm.mjs')], { NODE_COMPILE_CACHE: cache }],
    ['main.ts entry + NODE_COMPILE_CACHE', [join(work, 'now/charm.mjs')], { NODE_COMPILE_CACHE: cache }],
  ];
  const cpu = new Map<string, number[]>(variants.map(([k]) => [k, []]));
  for (let i = 0; i < RUNS + 3; i++) {
    for (const [name, args, env] of variants) {
      const r = spawnSync(process.execPath, ['--import', probe, ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', ...env } });
      const m = /^CPU ([\d.]+)$/m.exec(r.stderr);
      if (!m) throw new Error(`${name}: no CPU line: ${r.stderr.slice(0, 300)}`);
      if (name !== 'node -e 0' && !r.stderr.includes('JUJU_DISPATCH_PATH')) throw new Error(`${name}: did not stop at the hook-context check: ${r.stderr.slice(0, 300)}`);
      if (i >= 3) cpu.get(name)!.push(Number(m[1]));
    }
  }
  const base = median(cpu.get('node -e 0')!);
  console.log(`\n## Loading ${charm}'s bundle: process CPU ms, median of ${RUNS}\n\n| variant | CPU ms | over node -e 0 |\n|---|---|---|`);
  for (const [name, v] of cpu) console.log(`| ${name} | ${median(v).toFixed(1)} | ${name === 'node -e 0' ? '-' : (median(v) - base).toFixed(1)} |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
