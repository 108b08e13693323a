/**
 * Test-only: run the real charm definitions in-process against the simulator engine
 * (lib/testing/engine + lib/testing/in-process.ts). Each unit gets its own workload
 * directory under a temp root, and service commands (`snap restart`, `amc config trust …`)
 * go to recording fakes, so tests can read the rendered files and the calls made.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dispatch, type CharmContext, type CharmDefinition } from '../../../../lib/juju/dispatch.ts';
import { MemoryBank } from '../../../../lib/juju/memory/store.ts';
import type { Engine, HookInvocation } from '../../../../lib/testing/engine/api.ts';
import { createEngine } from '../../../../lib/testing/engine/index.ts';
import { loadCharmDir } from '../../../../lib/testing/charm-loader.ts';
import { settle, type HookRun } from '../../../../lib/testing/in-process.ts';
import { createAmsCharm } from '../../../ams/src/charm.ts';
import { AmsWorkload, type AmsControl } from '../../../ams/src/workload.ts';
import { createAgentCharm } from '../../../anbox-stream-agent/src/charm.ts';
import { AgentWorkload } from '../../../anbox-stream-agent/src/workload.ts';
import { createNatsCharm } from '../../../nats/src/charm.ts';
import { NATS_SERVER_DIR } from '../../../nats/src/workload.ts';

const CHARMS_DIR = resolve(fileURLToPath(import.meta.url), '../../../..');
export const charmDir = (name: string): string => join(CHARMS_DIR, name);

export interface FailedHook { readonly unit: string; readonly hook: string; readonly stderr: string }

export class CharmHarness {
  readonly engine: Engine;
  readonly root: string;
  readonly charms = new Map<string, CharmDefinition>();
  /** Service commands per workload dir, e.g. `trust add <fp>`, `restart`. */
  readonly commands = new Map<string, string[]>();
  readonly failures: FailedHook[] = [];
  /** Each unit's hook memory (lib/juju/memory), kept between hooks as its charm directory would. */
  readonly memory = new MemoryBank();
  readonly ran: HookRun[] = [];

  constructor(options: { seed?: number } = {}) {
    this.engine = createEngine(options.seed === undefined ? {} : { seed: options.seed });
    this.root = mkdtempSync(join(tmpdir(), 'charm-harness-'));
    this.charms.set('ams', createAmsCharm({ workload: (ctx) => new AmsWorkload({ dir: this.workloadDir(ctx, 'ams'), control: this.#amsControl(this.workloadDir(ctx, 'ams')) }) }));
    this.charms.set('anbox-stream-agent', createAgentCharm({
      workload: (ctx) => {
        const dir = this.workloadDir(ctx, 'agent');
        return new AgentWorkload({ dir, control: { restart: async () => { this.#record(dir, 'restart'); } } });
      },
    }));
    this.charms.set('nats', createNatsCharm({
      root: (ctx) => this.workloadDir(ctx, 'nats'),
      commands: (ctx) => {
        const dir = this.workloadDir(ctx, 'nats');
        return async (argv) => { this.#record(dir, argv.join(' ')); };
      },
    }));
  }

  /** `<root>/<model>/<unit>/<kind>`: one filesystem per unit (nats: the CHARM_WORKLOAD_ROOT prefix). */
  workloadDir(ctx: Pick<CharmContext, 'hook'> | { model: string; unit: string }, kind: 'ams' | 'agent' | 'nats'): string {
    const model = 'hook' in ctx ? ctx.hook.modelName : ctx.model;
    const unit = 'hook' in ctx ? ctx.hook.unit.name : ctx.unit;
    return join(this.root, model, unit.replace('/', '-'), kind);
  }

  unitDir(model: string, unit: string, kind: 'ams' | 'agent' | 'nats'): string {
    const dir = this.workloadDir({ model, unit }, kind);
    return kind === 'nats' ? join(dir, NATS_SERVER_DIR) : dir;
  }

  #record(dir: string, command: string): void {
    const list = this.commands.get(dir) ?? [];
    list.push(command);
    this.commands.set(dir, list);
  }

  #amsControl(dir: string): AmsControl {
    return {
      restart: async () => { this.#record(dir, 'restart'); },
      trustClient: async (e) => { this.#record(dir, `trust add ${e.fingerprint}`); },
      untrustClient: async (fp) => { this.#record(dir, `trust remove ${fp}`); },
      setConfigItem: async (name) => { this.#record(dir, `config set ${name}`); },
    };
  }

  deploy(model: string, name: string, options: { units?: number; config?: Record<string, string | number | boolean>; app?: string } = {}): void {
    this.engine.deploy(model, loadCharmDir(charmDir(name)), options.app ?? name, {
      ...(options.units ? { units: options.units } : {}),
      ...(options.config ? { config: options.config } : {}),
    });
  }

  /** Run hooks until none is runnable. A failed hook is recorded (tests assert there is none). */
  async settle(): Promise<HookRun[]> {
    const ran = await settle(this.engine, (env, runner, hook: HookInvocation) => {
      const charm = this.charms.get(hook.charm.name);
      if (!charm) throw new Error(`no charm definition for ${hook.charm.name}`);
      let stderr = '';
      return dispatch(charm, { env, runner, memory: this.memory.forEnv(env), stderr: (line) => { stderr += `${line}\n`; } }).then((code) => {
        if (code !== 0) this.failures.push({ unit: hook.unit, hook: hook.name, stderr });
        return code;
      });
    });
    this.ran.push(...ran);
    return ran;
  }

  /** Workload status of every unit of a model: `{ 'ams/0': 'active: 2 clients trusted' }`. */
  statuses(model: string): Record<string, string> {
    const view = this.engine.status(model) as { applications: Record<string, { units?: Record<string, { 'workload-status': { current: string; message?: string } }> }> };
    const out: Record<string, string> = {};
    for (const app of Object.values(view.applications)) {
      for (const [unit, u] of Object.entries(app.units ?? {})) {
        const s = u['workload-status'];
        out[unit] = s.message ? `${s.current}: ${s.message}` : s.current;
      }
    }
    return out;
  }

  /**
   * Every relation databag value in the model state (for the no-secret-in-a-databag checks).
   * `crossAppOnly` skips peer relations: on 2.9 lib/secrets keeps app-scoped secrets in the
   * peer app bag by design, which only the app's own units can read.
   */
  databagValues(options: { crossAppOnly?: boolean } = {}): string[] {
    const state = this.engine.toJSON() as { relations: Record<string, { peer: boolean; bags: Record<string, Record<string, string>> }> };
    return Object.values(state.relations)
      .filter((r) => !(options.crossAppOnly && r.peer))
      .flatMap((r) => Object.values(r.bags).flatMap((b) => Object.values(b)));
  }

  /** Run an action and settle; returns the action result view. */
  async action(model: string, unit: string, name: string, params: Record<string, unknown> = {}): Promise<{ status: string; results: Record<string, unknown>; message?: string }> {
    const id = this.engine.enqueueAction(model, unit, name, params);
    await this.settle();
    return this.engine.actionResult(model, id) as { status: string; results: Record<string, unknown>; message?: string };
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
