#!/usr/bin/env node
// jujusim: the Juju simulator's CLI (lib/testing/cli/main.ts). Node >= 22.18 runs the .ts sources
// directly (type stripping); `npx jujusim` puts this project's Node 24 first on PATH.
// The V8 compile cache (os.tmpdir()/node-compile-cache) cuts start-up by about half.
import { enableCompileCache } from 'node:module';

enableCompileCache?.();
const { main } = await import('../lib/testing/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
