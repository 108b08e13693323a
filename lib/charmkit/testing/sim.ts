/**
 * Test helpers for charms built on lib/charmkit, over the simulator engine in-process
 * (lib/testing/in-process.ts). No Juju rule lives here: hooks run through lib/juju dispatch.
 */
import { dispatch, type CharmDefinition } from '../../juju/dispatch.ts';
import { MemoryBank } from '../../juju/memory/store.ts';
import type { CharmSpec, Engine, HookInvocation } from '../../testing/engine/api.ts';
import { settle, type HookRun, type InProcessDispatch } from '../../testing/in-process.ts';
import type { SecretView } from '../../testing/engine/views.ts';

/** Route each hook to the charm definition of its application's charm name. */
export function dispatcher(charms: Readonly<Record<string, CharmDefinition | ((hook: HookInvocation) => CharmDefinition)>>, memory: MemoryBank = new MemoryBank()): InProcessDispatch {
  // Each unit keeps its hook memory between hooks, as a unit's charm directory does.
  return (env, runner, hook) => {
    const def = charms[hook.charm.name];
    if (!def) throw new Error(`no in-process charm named "${hook.charm.name}"`);
    return dispatch(typeof def === 'function' ? def(hook) : def, { env, runner, stderr: () => undefined, memory: memory.forEnv(env) });
  };
}

/** settle, then fail loudly if any hook failed (with the failing hook's name). */
export async function settleOk(engine: Engine, run: InProcessDispatch): Promise<HookRun[]> {
  const ran = await settle(engine, run);
  const failed = ran.filter((r) => r.exitCode !== 0);
  if (failed.length) {
    const log = engine.debugLog().filter((l) => /ERROR/.test(l)).slice(-5).join('\n');
    throw new Error(`hooks failed: ${failed.map((f) => `${f.hook.unit} ${f.hook.name}`).join(', ')}\n${log}`);
  }
  return ran;
}

/** Every secret of a model with its id. */
export function secretList(engine: Engine, model: string): Array<SecretView & { id: string }> {
  const all = engine.secrets(model) as Record<string, SecretView>;
  return Object.entries(all).map(([id, v]) => ({ id, ...v }));
}

/** One secret by label (and owner, for unit-owned secrets sharing a label), revealed. */
export function revealSecret(engine: Engine, model: string, label: string, owner?: string): (SecretView & { id: string }) | undefined {
  const s = secretList(engine, model).find((x) => x.label === label && (owner === undefined || x.owner === owner));
  if (!s) return undefined;
  const shown = engine.showSecret(model, s.id, { reveal: true }) as Record<string, SecretView>;
  return { id: s.id, ...shown[s.id]! };
}

/** Spec for a small test charm. */
export function spec(name: string, parts: Partial<Omit<CharmSpec, 'name'>>): CharmSpec {
  return { name, provides: {}, requires: {}, peers: {}, config: {}, actions: {}, ...parts };
}
