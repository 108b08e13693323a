/**
 * Keep lib/juju's import graph lean (tooling.md: execa ~50 ms, ajv/x509/js-yaml more): a charm
 * entrypoint bundled with esbuild must contain no byte of those packages.
 */
import { describe, expect, it } from '@jest/globals';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

describe('lib/juju import graph', () => {
  it('a bundled charm entrypoint pulls in no third-party package', async () => {
    const index = fileURLToPath(new URL('./index.ts', import.meta.url));
    const result = await build({
      stdin: { contents: `import { defineCharm, main, active } from ${JSON.stringify(index)}; await main(defineCharm({ reconcile: () => active() }));`, resolveDir: '/', loader: 'ts' },
      bundle: true, platform: 'node', format: 'esm', target: 'node22', write: false, metafile: true, logLevel: 'silent',
    });
    const output = Object.values(result.metafile.outputs)[0];
    const thirdParty = Object.entries(output?.inputs ?? {}).filter(([path, info]) => path.includes('node_modules') && info.bytesInOutput > 0).map(([path]) => path);
    expect(thirdParty).toEqual([]);
  });
});
