/**
 * Issue 8 (hook latency): what the agent's charm chunk loads on every reconcile. node:crypto
 * (~8 ms to load) and js-yaml (~5-7 ms to dump cold) must stay out of its static import graph:
 * tokens, keys and hashes load node:crypto at call time (fingerprints and the certificates'
 * inputs digest are memoised), config.yaml is JSON. A dynamic import() (lib/tls, the
 * interface codecs) is not followed: it loads lazily.
 */
import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm;

/** Every file charm.ts loads statically, and every package or builtin those files import. */
function staticGraph(entry: string): { files: string[]; packages: Set<string> } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const spec = m[1] ?? m[2] ?? '';
      if (spec.startsWith('.')) visit(join(dirname(file), spec));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files: [...seen].map((f) => relative(root, f)), packages };
}

describe("the agent's reconcile path", () => {
  const { files, packages } = staticGraph(join(here, 'charm.ts'));

  it('walks the files that fingerprint, write files and render config.yaml (the walk sees imports)', () => {
    expect(files).toEqual(expect.arrayContaining([
      'lib/tls/fingerprint.ts', 'lib/charmkit/certificate-memo.ts', 'lib/charmkit/fingerprint-memo.ts', 'charms/common/src/workload-files.ts',
      'charms/anbox-stream-agent/src/workload-render.ts', 'charms/anbox-stream-agent/src/api-link.ts',
    ]));
    expect(packages).toContain('node:fs');
  });

  it('imports neither node:crypto nor js-yaml', () => {
    expect([...packages].filter((p) => p === 'node:crypto' || p === 'crypto' || p.startsWith('js-yaml'))).toEqual([]);
  });
});
