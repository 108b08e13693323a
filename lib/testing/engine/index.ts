/** The simulator engine: `createEngine` / `loadEngine` behind the `Engine` facade (api.ts). */
export type * from './api.ts';
export { createEngine, loadEngine, SimEngine } from './engine.ts';
export { seededRandom } from './random.ts';
export { DEFAULT_AGENT_VERSION } from './version.ts';
export type { StatusView, SecretView, ActionView, RelationRow } from './views.ts';
export type { ToolIO } from '../tools/io.ts';
