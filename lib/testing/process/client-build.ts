/**
 * Provides the hook-tool client executable: jujuc.c compiled with `cc -O2` on first use into a
 * cache keyed by the source hash (so edits recompile and concurrent builders never clash), or,
 * when no C compiler exists, a sh wrapper running the Node client (jujuc-client.mjs, same protocol).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ClientExecutable {
  readonly path: string;
  readonly kind: 'c' | 'node';
}

const HERE = fileURLToPath(new URL('.', import.meta.url));
const C_SOURCE = join(HERE, 'jujuc.c');
const NODE_CLIENT = join(HERE, 'jujuc-client.mjs');

/** `node_modules/.cache/jujusim` of this checkout, else `$TMPDIR/jujusim-cache`. */
export function defaultCacheDir(): string {
  if (process.env.JUJUSIM_CACHE_DIR) return process.env.JUJUSIM_CACHE_DIR;
  const nm = fileURLToPath(new URL('../../../node_modules/', import.meta.url));
  return existsSync(nm) ? join(nm, '.cache', 'jujusim') : join(tmpdir(), 'jujusim-cache');
}

function hashOf(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** Writes via a unique temp name then renames, so a concurrent reader never sees half a file. */
function atomicWrite(path: string, content: string, mode: number): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}

function compileC(cacheDir: string): string | undefined {
  const source = readFileSync(C_SOURCE, 'utf8');
  const out = join(cacheDir, `jujuc-${hashOf(source)}`);
  if (existsSync(out)) return out;
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', tmp, C_SOURCE], { stdio: ['ignore', 'ignore', 'pipe'] });
    renameSync(tmp, out);
    return out;
  } catch {
    return undefined;
  }
}

function nodeWrapper(cacheDir: string): string {
  const script = `#!/bin/sh\nexec '${process.execPath}' '${NODE_CLIENT}' "$0" "$@"\n`;
  const out = join(cacheDir, `jujuc-node-${hashOf(script, readFileSync(NODE_CLIENT, 'utf8'))}.sh`);
  if (!existsSync(out)) atomicWrite(out, script, 0o755);
  chmodSync(out, 0o755);
  return out;
}

/**
 * The client to symlink tool names to. `prefer: 'node'` (or env JUJUSIM_CLIENT=node) skips the
 * C build, which tests use to cover the fallback.
 */
export function ensureClient(options: { cacheDir?: string; prefer?: 'c' | 'node' } = {}): ClientExecutable {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  mkdirSync(cacheDir, { recursive: true });
  const prefer = options.prefer ?? (process.env.JUJUSIM_CLIENT === 'node' ? 'node' : 'c');
  if (prefer === 'c') {
    const c = compileC(cacheDir);
    if (c) return { path: c, kind: 'c' };
  }
  return { path: nodeWrapper(cacheDir), kind: 'node' };
}
