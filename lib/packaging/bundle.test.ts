import { describe, it, expect, afterAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENTRY_FILE, bundleCharm, charmEntry, type Bundle } from './bundle.ts';
import { REPO_ROOT } from './runtime.ts';

const work = mkdtempSync(join(tmpdir(), 'bundle-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A charm-shaped fixture: a tiny entry that loads the rest lazily (like charms/<name>/src/main.ts). */
function fixture(): string {
  const dir = mkdtempSync(join(work, 'charm-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src/charm.ts'), 'export const unused = 1;\n');
  writeFileSync(join(dir, 'src/main.ts'), [
    "import { basename } from 'node:path';",
    "const lazy = process.argv[2] === 'lazy' ? await import('./lazy.ts') : undefined;",
    "console.log(basename('/a/entry'), lazy ? lazy.run() : 'not loaded');",
  ].join('\n'));
  writeFileSync(join(dir, 'src/lazy.ts'), [
    "import { execFileSync } from 'node:child_process';",
    "import * as os from 'node:os';",
    "export const run = (): string => `${execFileSync('echo', ['lazy'], { encoding: 'utf8' }).trim()} ${typeof os.tmpdir()}`;",
  ].join('\n'));
  return dir;
}

function writeOut(bundle: Bundle): string {
  const out = mkdtempSync(join(work, 'out-'));
  for (const f of bundle.files) writeFileSync(join(out, f.path), f.contents);
  return out;
}

const text = (bundle: Bundle, path: string) => new TextDecoder().decode(bundle.files.find((f) => f.path === path)?.contents);

describe('bundleCharm', () => {
  it('prefers src/main.ts as the entry and falls back to src/charm.ts', () => {
    const dir = fixture();
    expect(charmEntry(dir)).toBe(join(dir, 'src/main.ts'));
    rmSync(join(dir, 'src/main.ts'));
    expect(charmEntry(dir)).toBe(join(dir, 'src/charm.ts'));
    rmSync(join(dir, 'src/charm.ts'));
    expect(() => charmEntry(dir)).toThrow(/no src\/main.ts or src\/charm.ts/);
  });

  it('puts a dynamic import in a lazy chunk that runs only when loaded, with no ESM import of a builtin anywhere', async () => {
    const bundle = await bundleCharm(charmEntry(fixture()), { target: 'node22' });
    const chunks = bundle.files.filter((f) => f.path.endsWith('.mjs')).map((f) => f.path);
    expect(chunks).toContain(ENTRY_FILE);
    expect(chunks.some((c) => c.startsWith('lazy-'))).toBe(true);
    expect(bundle.startup.files).toEqual([ENTRY_FILE]);
    expect(bundle.startup.inputs).toEqual(['main.ts']);
    for (const c of chunks) expect(text(bundle, c)).not.toMatch(/from\s*"(node:)?(path|os|child_process)"/);
    const out = writeOut(bundle);
    const node = (...args: string[]) => spawnSync(process.execPath, [join(out, ENTRY_FILE), ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
    expect(node().stdout.trim()).toBe('entry not loaded');
    expect(node('lazy').stdout.trim()).toBe('entry lazy string');
  });

  it('gives source maps that name the sources relative to src/, one per chunk', async () => {
    const bundle = await bundleCharm(charmEntry(fixture()), { target: 'node22', sourcemap: true });
    expect(bundle.hasSourcemap).toBe(true);
    expect(JSON.parse(text(bundle, `${ENTRY_FILE}.map`)).sources).toEqual(['main.ts']);
    const lazy = bundle.files.find((f) => f.path.startsWith('lazy-') && f.path.endsWith('.mjs'))!.path;
    expect(JSON.parse(text(bundle, `${lazy}.map`)).sources).toEqual(['lazy.ts']);
    expect(text(bundle, lazy)).toContain(`//# sourceMappingURL=${lazy}.map`);
  });

  it("keeps a real charm's start-up to lib/juju's dispatch path: the charm, lib/tls and execa load lazily", async () => {
    const bundle = await bundleCharm(charmEntry(join(REPO_ROOT, 'charms/nats')), { target: 'node24' });
    const outside = bundle.startup.inputs.filter((i) => !i.startsWith('../../../lib/juju/') && i !== 'main.ts' && i !== '../../../lib/packaging/compile-cache.ts');
    expect(outside).toEqual([]);
    expect(bundle.startup.inputs).toContain('../../../lib/juju/dispatch.ts');
    const lazy = bundle.files.filter((f) => f.path.endsWith('.mjs') && !bundle.startup.files.includes(f.path));
    expect(lazy.some((f) => f.path.startsWith('charm-'))).toBe(true);
    expect(lazy.some((f) => f.path.startsWith('execa-'))).toBe(true);
    expect(lazy.some((f) => new TextDecoder().decode(f.contents).includes('reflect-metadata'))).toBe(true);
  }, 60_000);
});
