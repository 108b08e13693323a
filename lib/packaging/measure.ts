/**
 * Measures what README.md reports: hook start-up of a packed charm's `dispatch` (fake hook tools,
 * no `node` on PATH, NODE_EXTRA_CA_CERTS unset as in a real hook), the bare runtime, and with
 * `--sea` the single-executable-application alternative built from the same bundle.
 *
 *   npx node lib/packaging/measure.ts [--runs N] [--sea] [charm-dir]
 *
 * Packs the charm dir (default: the fixture charm; tests/integration/packaging/bench-charm has
 * the imports of a real hook) into a temp dir first. `--sea` runs
 * `npx --yes postject@1.0.0-alpha.6` (not a project dependency: fetched on demand, evaluation only).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { packCharm } from './pack.ts';
import { REPO_ROOT } from './runtime.ts';
import { unpackCharm } from './unpack.ts';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 41;
const seaAt = args.indexOf('--sea');
const withSea = seaAt >= 0;
if (withSea) args.splice(seaAt, 1);

const work = mkdtempSync(join(tmpdir(), 'charm-measure-'));
const charmDir = resolve(args[0] ?? join(REPO_ROOT, 'tests/integration/packaging/fixture-charm'));
const charmFile = (await packCharm(charmDir, { outDir: work, sourceDateEpoch: 0 }))[0]!.file;
const charm = join(work, 'charm');
unpackCharm(charmFile, charm);

// PATH: silent fake hook tools + the system commands except node.
const tools = join(work, 'tools');
const sys = join(work, 'sys');
mkdirSync(tools);
mkdirSync(sys);
for (const t of ['juju-log', 'status-set']) writeFileSync(join(tools, t), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
for (const dir of ['/usr/bin', '/bin']) {
  for (const name of readdirSync(dir)) {
    try {
      if (name !== 'node' && name !== 'nodejs') symlinkSync(join(dir, name), join(sys, name));
    } catch {
      // already linked from the other directory
    }
  }
}
const env = { PATH: `${tools}:${sys}`, JUJU_DISPATCH_PATH: 'hooks/install', JUJU_UNIT_NAME: 'fixture/0' };

/** Runs every command once per round, round after round, so load from other processes hits all alike. */
type Command = readonly [string, readonly string[], Readonly<Record<string, string>>?];

function measure(commands: readonly Command[]): Array<{ median: number; p90: number }> {
  const times: number[][] = commands.map(() => []);
  for (let i = 0; i < runs; i++) {
    commands.forEach(([cmd, cmdArgs, extraEnv], k) => {
      const t = process.hrtime.bigint();
      const r = spawnSync(cmd, cmdArgs, { cwd: charm, env: { ...env, ...extraEnv }, stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}`);
      times[k]!.push(Number(process.hrtime.bigint() - t) / 1e6);
    });
  }
  return times.map((ts) => {
    ts.sort((a, b) => a - b);
    return { median: Math.round(ts[Math.floor(runs / 2)]!), p90: Math.round(ts[Math.floor(runs * 0.9)]!) };
  });
}

const compileCache = join(work, 'compile-cache');
const rows: Array<[string, number, Command]> = [
  ['runtime/node -e 0', statSync(join(charm, 'runtime/node')).size, [join(charm, 'runtime/node'), ['-e', '0']]],
  ['dispatch (hooks/install: juju-log + status-set)', statSync(charmFile).size, [join(charm, 'dispatch'), []]],
  // What a charm calling module.enableCompileCache() would get (the cache is warm after round 1).
  ['dispatch + NODE_COMPILE_CACHE', statSync(charmFile).size, [join(charm, 'dispatch'), [], { NODE_COMPILE_CACHE: compileCache }]],
];

if (withSea) {
  // Same charm code as a SEA: Node 24 SEAs take a CommonJS main script.
  const src = join(charmDir, 'src/charm.ts');
  await build({ entryPoints: [src], outfile: join(work, 'sea/charm.cjs'), bundle: true, platform: 'node', format: 'cjs', target: 'node24', minify: true, logLevel: 'silent' });
  for (const codeCache of [false, true]) {
    const name = `sea-${codeCache ? 'codecache' : 'plain'}`;
    const cfg = join(work, 'sea', `${name}.json`);
    writeFileSync(cfg, JSON.stringify({ main: join(work, 'sea/charm.cjs'), output: join(work, 'sea', `${name}.blob`), disableExperimentalSEAWarning: true, useCodeCache: codeCache }));
    execFileSync(join(charm, 'runtime/node'), ['--experimental-sea-config', cfg], { stdio: 'ignore' });
    const exe = join(charm, name);
    copyFileSync(join(charm, 'runtime/node'), exe);
    execFileSync('npx', ['--yes', 'postject@1.0.0-alpha.6', exe, 'NODE_SEA_BLOB', join(work, 'sea', `${name}.blob`), '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { stdio: 'ignore' });
    rows.push([`SEA${codeCache ? ' + code cache' : ''} (same hook)`, statSync(exe).size, [exe, []]]);
  }
}

/**
 * CPU time (user + sys of the process tree) per run, from bash's `times`: far less sensitive to
 * other load on the machine than wall time, which is what a hook's start-up mostly is.
 */
function cpuPerRun([cmd, cmdArgs, extraEnv]: Command): number {
  const script = 'for ((i=0;i<$0;i++)); do "$@" >/dev/null 2>&1 || exit 1; done; times';
  const out = execFileSync('/bin/bash', ['--norc', '--noprofile', '-c', script, String(runs), cmd, ...cmdArgs], { cwd: charm, env: { ...env, ...extraEnv }, encoding: 'utf8' });
  const children = out.trim().split('\n')[1] ?? '';
  const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
  return Math.round((secs * 1000) / runs);
}

const results = measure(rows.map((r) => r[2]));
const cpu = rows.map((r) => cpuPerRun(r[2]));
console.log(`runs per row: ${runs}; NODE_EXTRA_CA_CERTS unset; node ${execFileSync(join(charm, 'runtime/node'), ['--version'], { encoding: 'utf8' }).trim()}`);
console.log('| what | bytes | wall median ms | wall p90 ms | CPU ms/run |');
console.log('|---|---|---|---|---|');
rows.forEach(([what, bytes], i) => console.log(`| ${what} | ${bytes} | ${results[i]!.median} | ${results[i]!.p90} | ${cpu[i]} |`));
rmSync(work, { recursive: true, force: true });
