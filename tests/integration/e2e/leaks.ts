/**
 * Where a credential must never show up (design.md "Security is the product"; contract: relation
 * data is readable by every related unit, status and debug-log by every model user): collects
 * every secret value and every rendered private key, and searches the views for them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../../../lib/testing/process/simulator.ts';

/** Every credential in the models' secret contents (see addValue). */
export async function secretValues(sim: Simulator, models: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const model of models) {
    const list = (await sim.secrets(model)) as Record<string, unknown>;
    for (const id of Object.keys(list)) {
      const shown = (await sim.showSecret(id, { model, reveal: true })) as Record<string, { content?: Record<string, string> }>;
      for (const v of Object.values(Object.values(shown)[0]?.content ?? {})) addValue(out, v);
    }
  }
  return [...out];
}

/** Private keys the charms rendered under the machine roots (files whose text holds PRIVATE KEY). */
export function renderedPrivateKeys(machinesDir: string): string[] {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = statSync(path);
      if (st.isDirectory()) { if (name !== 'data') walk(path); continue; }
      // Regular files only: a unit's warm-worker FIFOs (lib/juju/worker) would block a read forever.
      if (!st.isFile() || st.size > 200_000) continue;
      const text = readFileSync(path, 'utf8');
      if (text.includes('PRIVATE KEY-----')) addValue(out, text);
    }
  };
  walk(machinesDir);
  return [...out];
}

/**
 * Adds a credential: a non-PEM value whole; from PEM text only the private-key blocks (whole and
 * each base64 line: one copied line of a key is a leak too). Certificates are public.
 */
function addValue(out: Set<string>, v: unknown): void {
  if (typeof v !== 'string') return;
  if (!v.includes('-----BEGIN')) {
    if (v.length >= 12) out.add(v);
    return;
  }
  for (const m of v.matchAll(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g)) {
    out.add(m[0]);
    for (const line of m[0].split('\n')) if (line.length >= 40 && !line.startsWith('-----')) out.add(line);
  }
}

/** Which of `values` occur in `text` (abbreviated for the failure message), plus any PEM private key header. */
export function leaksIn(text: string, values: readonly string[]): string[] {
  const found = values.filter((v) => text.includes(v)).map((v) => `${v.slice(0, 12)}...`);
  if (/PRIVATE KEY-----/.test(text)) found.push('a PEM private key');
  return found;
}
