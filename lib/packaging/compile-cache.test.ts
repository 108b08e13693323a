import { describe, it, expect, afterAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const helper = fileURLToPath(new URL('./compile-cache.ts', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'compile-cache-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** An entry shaped like charms/<name>/src/main.ts, in its own directory, run by a fresh Node. */
function runEntry(): { dir: string; out: string[] } {
  const dir = mkdtempSync(join(work, 'bundle-'));
  writeFileSync(join(dir, 'lazy.mjs'), 'export const charm = "loaded";\n');
  writeFileSync(join(dir, 'entry.mjs'), [
    `import { withCompileCache } from ${JSON.stringify(helper)};`,
    "const { getCompileCacheDir } = process.getBuiltinModule('node:module');",
    "const load = withCompileCache(import.meta.url, () => import('./lazy.mjs').then((m) => m.charm));",
    'console.log(String(getCompileCacheDir()));',
    'console.log(await load());',
    'console.log(getCompileCacheDir());',
  ].join('\n'));
  const r = spawnSync(process.execPath, [join(dir, 'entry.mjs')], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
  if (r.status !== 0) throw new Error(r.stderr);
  return { dir, out: r.stdout.trim().split('\n') };
}

describe('withCompileCache', () => {
  it('turns the cache on only when the charm loads, beside the entry, and returns what the loader gives', () => {
    const { dir, out } = runEntry();
    expect(out[0]).toBe('undefined');
    expect(out[1]).toBe('loaded');
    expect(out[2]!.startsWith(join(dir, '.node-compile-cache'))).toBe(true);
    // Written at exit, for the module loaded after enabling it.
    expect(existsSync(join(dir, '.node-compile-cache'))).toBe(true);
    const [versioned] = readdirSync(join(dir, '.node-compile-cache'));
    expect(readdirSync(join(dir, '.node-compile-cache', versioned!)).length).toBeGreaterThan(0);
  });
});
