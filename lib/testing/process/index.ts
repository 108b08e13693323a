/**
 * The simulator's process transport (public barrel): hooks run as processes with the hook tools
 * on PATH as executables talking to a unix socket, as on a real unit agent (contract §0.1, §1.1).
 * Most users want `Simulator`; the pieces are exported for tests and benchmarks.
 */
export { Simulator, parseOfferTarget } from './simulator.ts';
export type { CommandResult, EngineFactory, SimulatorOptions, VerbOptions } from './simulator.ts';
export { HookRunner, SettleTimeoutError } from './runner.ts';
export type { RunnerOptions } from './runner.ts';
export { discoverHandler, hookEnv, startCommand, startHook } from './executor.ts';
export type { ExecutionRecord, ExecutorEnv, HandlerKind, RunningHook } from './executor.ts';
export { ToolServer } from './server.ts';
export type { ServerToolOptions, ToolBackend } from './server.ts';
export { ensureClient } from './client-build.ts';
export type { ClientExecutable } from './client-build.ts';
export { syncToolsDir } from './tools-dir.ts';
export { defaultHome } from './state-store.ts';
export { loadCharm, loadCharmDir, CharmLoadError } from '../charm-loader.ts';
