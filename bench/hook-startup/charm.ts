/**
 * A do-nothing charm for the start-up benchmark: every hook reconciles to `active`, which is
 * one `status-set` call. Bundled by run.ts with esbuild, like a real charm's entrypoint.
 */
import { active, defineCharm, main } from '../../lib/juju/index.ts';

// No top-level await, so the same file bundles as CommonJS too (see run.ts).
void main(defineCharm({ reconcile: () => active() }));
