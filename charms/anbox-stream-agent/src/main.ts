/**
 * The bundle's entry (lib/packaging/bundle.ts; issue 8, hook latency): only lib/juju's dispatch
 * path loads with it. dispatch decides first, from the hook and the unit's hook memory, and loads
 * the charm (charm.ts and all it imports, a lazy chunk) only when the hook needs it, with Node's
 * compile cache on for that load (lib/packaging/compile-cache.ts). `node src/charm.ts` still runs
 * the charm directly.
 */
import { main } from '../../../lib/juju/dispatch.ts';
import { withCompileCache } from '../../../lib/packaging/compile-cache.ts';

void main(withCompileCache(import.meta.url, () => import('./charm.ts').then((m) => m.charm)));
