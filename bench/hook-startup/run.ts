/**
 * Whole-process wall time of a do-nothing hook of a bundled charm entrypoint vs `node -e 0`
 * (issue 2 "Done when"; goal: within 1.5x of bare Node start).
 *
 *   npx node bench/hook-startup/run.ts [runs=20]
 *
 * The charm (charm.ts) is bundled with esbuild into a temp dir, as ESM and as CommonJS, and
 * run as `update-status` with a fake `status-set` (a `#!/bin/sh` script) on PATH: one hook
 * tool call, like a real do-nothing hook. A second charm (typical-charm.ts) makes the 10 tool
 * calls of the Python `ops` baseline in tooling.md (~320 ms there). Every command runs with a minimal hook-like
 * environment: NODE_EXTRA_CA_CERTS is not set (this sandbox sets it and it doubles Node
 * start-up; a Juju hook does not have it, tooling.md). Runs are interleaved after a warm-up,
 * so load on the machine hits every variant alike; medians are printed.
 */
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.argv[2] ?? 20);
const WARMUP = 3;

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function time(args: readonly string[], env: Readonly<Record<string, string>>): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return ms;
}

const dir = mkdtempSync(join(tmpdir(), 'hook-startup-'));
try {
  const entry = fileURLToPath(new URL('./charm.ts', import.meta.url));
  const esm = join(dir, 'charm.mjs');
  const cjs = join(dir, 'charm.cjs');
  const typical = join(dir, 'typical.cjs');
  const common: BuildOptions = { entryPoints: [entry], bundle: true, platform: 'node', target: 'node22', logLevel: 'silent' };
  await build({ ...common, format: 'esm', outfile: esm });
  await build({ ...common, format: 'cjs', outfile: cjs });
  await build({ ...common, entryPoints: [fileURLToPath(new URL('./typical-charm.ts', import.meta.url))], format: 'cjs', outfile: typical });

  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const marker = join(dir, 'status-set.calls');
  // One script answers every tool by its name ($0), in the contract's JSON formats.
  const fake = join(dir, 'fake-tool');
  writeFileSync(fake, `#!/bin/sh
case "\${0##*/}" in
  status-set) if [ "$JUJU_HOOK_NAME" = update-status ]; then printf '%s\\n' "$*" >> '${marker}'; fi ;;
  relation-ids) echo '["nats:1"]' ;;
  relation-list) echo '["agent/0"]' ;;
  is-leader) echo 'true' ;;
  relation-get) echo '{"ca":"PEM"}' ;;
  secret-get) echo '{"token":"t0k3n"}' ;;
  relation-set) cat > /dev/null ;;
esac
`);
  chmodSync(fake, 0o755);
  for (const tool of ['status-set', 'relation-ids', 'relation-list', 'is-leader', 'relation-get', 'secret-get', 'relation-set', 'juju-log']) {
    symlinkSync(fake, join(bin, tool));
  }

  const env: Record<string, string> = {
    PATH: `${bin}:/usr/bin:/bin`,
    JUJU_DISPATCH_PATH: 'hooks/update-status', JUJU_HOOK_NAME: 'update-status', JUJU_UNIT_NAME: 'bench/0',
    JUJU_MODEL_NAME: 'bench', JUJU_MODEL_UUID: '8a0b6c4e-1d2f-4a3b-9c8d-7e6f5a4b3c2d', JUJU_VERSION: '3.6.1',
    JUJU_CONTEXT_ID: 'bench-ctx',
  };
  const cacheEnv = { ...env, NODE_COMPILE_CACHE: join(dir, 'compile-cache') };
  const relationEnv = {
    ...env, JUJU_DISPATCH_PATH: 'hooks/nats-relation-changed', JUJU_HOOK_NAME: 'nats-relation-changed',
    JUJU_RELATION: 'nats', JUJU_RELATION_ID: 'nats:1', JUJU_REMOTE_UNIT: 'agent/0', JUJU_REMOTE_APP: 'agent',
  };
  const variants: ReadonlyArray<[string, readonly string[], Readonly<Record<string, string>>]> = [
    ['node -e 0', ['-e', '0'], env],
    ['do-nothing hook, ESM bundle', [esm], env],
    ['do-nothing hook, CJS bundle', [cjs], env],
    ['do-nothing hook, CJS + NODE_COMPILE_CACHE', [cjs], cacheEnv],
    ['typical hook (10 tool calls), CJS bundle', [typical], relationEnv],
  ];
  const samples = variants.map(() => [] as number[]);
  for (let i = 0; i < WARMUP + RUNS; i++) {
    variants.forEach(([, args, e], v) => {
      const ms = time(args, e);
      if (i >= WARMUP) samples[v]?.push(ms);
    });
  }
  const calls = readFileSync(marker, 'utf8').trim().split('\n');
  const hooks = 3 * (WARMUP + RUNS); // the three do-nothing variants
  if (calls.length !== hooks || calls.some((c) => c !== 'active')) throw new Error(`expected ${hooks} status-set calls, got ${calls.length}`);

  const medians = samples.map(median);
  const bare = medians[0] ?? 1;
  console.log(`node ${process.version}; bundle ${(readFileSync(esm).length / 1024).toFixed(1)} KiB; median of ${RUNS} after ${WARMUP} warm-up; NODE_EXTRA_CA_CERTS unset`);
  variants.forEach(([label], v) => {
    const ms = medians[v] ?? 0;
    console.log(`${label.padEnd(44)} ${ms.toFixed(1).padStart(7)} ms   ${(ms / bare).toFixed(2)}x`);
  });
  console.log('goal: hook <= 1.5x of node -e 0');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
