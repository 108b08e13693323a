/**
 * Benchmark hook for lib/packaging/measure.ts: the imports and work of a typical hook
 * (shared/tooling.md "What a hook process costs"): execa, ajv compile, js-yaml, two hook tools
 * (contract §2.10 juju-log, §2.9 status-set). No top-level await, so it also bundles as a
 * CommonJS single executable application for the comparison.
 */
import { execa } from 'execa';
import { Ajv } from 'ajv';
import { dump, load } from 'js-yaml';

async function main(): Promise<void> {
  const schema = { type: 'object', properties: { a: { type: 'number' } }, required: ['a'] };
  const valid = new Ajv().compile(schema)(load(dump({ a: 1 })));
  await execa('juju-log', ['--', `schema valid: ${String(valid)}`]);
  await execa('status-set', ['active', 'ok']);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
