/**
 * Hooks that do not touch certificates must not pay for @peculiar/x509 (~100 ms, tooling.md).
 * Charms import these modules statically, so their import graphs must not reach provider.ts.
 */
import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function graph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const src = readFileSync(file, 'utf8');
  for (const m of src.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'/gm)) {
    const rel = m[1] ?? m[2];
    if (rel) graph(join(dirname(file), rel), seen);
  }
  return seen;
}

describe('x509-free modules', () => {
  it.each(['pem.ts', 'fingerprint.ts', 'files.ts', 'errors.ts', 'state.ts'])('%s does not load provider.ts (x509)', (f) => {
    const files = [...graph(join(here, f))].map((p) => p.slice(here.length + 1));
    expect(files).not.toContain('provider.ts');
  });

  it('the barrel does (sanity check that the graph walk sees imports)', () => {
    expect([...graph(join(here, 'index.ts'))].map((p) => p.slice(here.length + 1))).toContain('provider.ts');
  });
});
