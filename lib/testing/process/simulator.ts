/**
 * The programmatic face of the process transport: one state directory, the juju verbs, and the
 * unit agents that run hooks as processes with the hook tools on PATH. The `jujusim` CLI is a thin
 * layer over this class; tests and the demo drive it directly.
 *
 * Every verb takes the home lock, reloads state.json if another process changed it, applies the
 * verb to the engine, runs hooks until settled (unless `settle: false`; there is no background
 * agent), and saves. So CLI processes and Simulator objects on one home can be mixed freely.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddModelOptions, CharmSpec, DeployOptions, Engine, EngineOptions, HookInvocation } from '../engine/api.ts';
import { loadCharm } from '../charm-loader.ts';
import { ensureClient, type ClientExecutable } from './client-build.ts';
import { startCommand, type ExecutionRecord } from './executor.ts';
import { HookRunner } from './runner.ts';
import { ToolServer, type ToolBackend } from './server.ts';
import { appendLog, defaultHome, HomeLock, readState, statePath, toolsRoot, writeState } from './state-store.ts';
import { ensureMachineBin, machineRoot } from './machine.ts';
import { syncToolsDir } from './tools-dir.ts';

export interface EngineFactory {
  create(options: EngineOptions): Engine;
  load(json: unknown, options: EngineOptions): Engine;
}

export interface SimulatorOptions {
  /** Shuffles the interleaving of hooks across units (same seed, same run). */
  readonly seed?: number;
  /** Hooks of different units run at once (default 1: deterministic). */
  readonly parallelism?: number;
  readonly now?: () => number;
  /** Hook-tool client: compiled C (default) or the Node fallback. */
  readonly client?: 'c' | 'node';
  /** Engine implementation (default: lib/testing/engine/index.ts). */
  readonly engineFactory?: EngineFactory;
  /** Called after every hook run. */
  readonly onHook?: (inv: HookInvocation, record: ExecutionRecord) => void;
}

export interface VerbOptions {
  /** Run hooks until settled after the verb (default true). */
  readonly settle?: boolean;
  readonly timeoutMs?: number;
}

export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function defaultEngineFactory(): Promise<EngineFactory> {
  const spec = '../engine/index.ts'; // resolved at run time: written by the engine's author
  const mod = (await import(spec)) as { createEngine: (o: EngineOptions) => Engine; loadEngine: (j: unknown, o: EngineOptions) => Engine };
  return { create: (o) => mod.createEngine(o), load: (j, o) => mod.loadEngine(j, o) };
}

export class Simulator {
  readonly home: string;
  readonly #options: SimulatorOptions;
  readonly #factory: EngineFactory;
  readonly #lock: HomeLock;
  readonly #server: ToolServer;
  readonly #runner: HookRunner;
  readonly #client: ClientExecutable;
  readonly #linkedModels = new Set<string>();
  readonly #socketDir: string;
  #engine: Engine;
  #currentModel: string | undefined;
  /** Inode of the state.json we last read or wrote: a different one means another writer. */
  #stateIno = -1;

  private constructor(home: string, options: SimulatorOptions, factory: EngineFactory, client: ClientExecutable) {
    this.home = home;
    this.#options = options;
    this.#factory = factory;
    this.#client = client;
    this.#lock = new HomeLock(home);
    this.#engine = factory.create(this.#engineOptions());
    // A private 0700 directory: only this user's processes can reach the agent socket
    // (real Juju uses an abstract socket plus JUJU_AGENT_TOKEN for the same purpose).
    this.#socketDir = mkdtempSync(join(tmpdir(), 'jujusim-'));
    const socketPath = join(this.#socketDir, 'agent.sock');
    this.#server = new ToolServer(socketPath, () => this.#engine as unknown as ToolBackend);
    this.#runner = new HookRunner({
      engine: () => this.#engine,
      socketPath,
      toolsDirFor: (model) => this.toolsDir(model),
      machineFor: (inv) => this.machine(inv.model, inv.unit),
      parallelism: options.parallelism ?? 1,
      onHook: (inv, record) => {
        appendLog(this.home, 'hooks.log', `${new Date().toISOString()} ${inv.model} ${inv.unit} ${inv.kind} ${inv.name} ${record.handler} exit=${record.exitCode} ${record.durationMs.toFixed(1)}ms`);
        options.onHook?.(inv, record);
      },
    });
  }

  /** Opens (or creates) the simulator state in `home` (default $JUJUSIM_HOME or ./.jujusim). */
  static async open(home: string = defaultHome(), options: SimulatorOptions = {}): Promise<Simulator> {
    const factory = options.engineFactory ?? (await defaultEngineFactory());
    const client = ensureClient(options.client ? { prefer: options.client } : {});
    const sim = new Simulator(home, options, factory, client);
    await sim.#server.start();
    await sim.#locked(async () => { sim.#reload(); });
    return sim;
  }

  async close(): Promise<void> {
    await this.#server.close();
    rmSync(this.#socketDir, { recursive: true, force: true });
  }

  /** The client kind in use (`c` or `node`). */
  get clientKind(): 'c' | 'node' { return this.#client.kind; }
  /** The hook-tool socket of this simulator (JUJU_AGENT_SOCKET_ADDRESS of its hooks). */
  get socketPath(): string { return this.#server.socketPath; }
  /** Hook-tool calls answered by this simulator's socket. */
  get toolCalls(): number { return this.#server.calls; }
  /** Hooks run by this simulator object. */
  get hooksRun(): number { return this.#runner.count; }
  /** The in-memory engine (read views; reloaded on each verb). */
  get engine(): Engine { return this.#engine; }
  get currentModel(): string | undefined { return this.#currentModel; }

  /** Tools dir of a model: its personality's tool names, symlinked to the client. */
  toolsDir(model: string): string {
    const dir = join(toolsRoot(this.home), model);
    if (!this.#linkedModels.has(model)) {
      syncToolsDir(dir, this.#client.path, this.#engine.toolNames(model));
      this.#linkedModels.add(model);
    }
    return dir;
  }

  /** The emulated machine of a unit: its workload root and the stand-in service commands. */
  machine(model: string, unit: string): { machineRoot: string; machineBin: string } {
    return { machineRoot: machineRoot(this.home, model, unit), machineBin: ensureMachineBin(this.home) };
  }

  #engineOptions(): EngineOptions {
    const o: { seed?: number; now?: () => number } = {};
    if (this.#options.seed !== undefined) o.seed = this.#options.seed;
    if (this.#options.now) o.now = this.#options.now;
    return o;
  }

  #reload(): void {
    let ino = -1;
    try { ino = statSync(statePath(this.home)).ino; } catch { /* no state yet */ }
    if (ino === this.#stateIno) return;
    const state = readState(this.home);
    this.#engine = state ? this.#factory.load(state.engine, this.#engineOptions()) : this.#factory.create(this.#engineOptions());
    this.#currentModel = state?.currentModel;
    this.#stateIno = ino;
    this.#linkedModels.clear();
  }

  #save(): void {
    const state = this.#currentModel === undefined
      ? { format: 1 as const, engine: this.#engine.toJSON() }
      : { format: 1 as const, currentModel: this.#currentModel, engine: this.#engine.toJSON() };
    writeState(this.home, state);
    this.#stateIno = statSync(statePath(this.home)).ino;
  }

  async #locked<T>(fn: () => Promise<T>): Promise<T> {
    await this.#lock.acquire();
    try {
      return await fn();
    } finally {
      this.#lock.release();
    }
  }

  /** Applies `fn` under the lock on fresh state, settles unless told not to, saves. */
  async mutate<T>(fn: (engine: Engine) => T | Promise<T>, options: VerbOptions = {}): Promise<T> {
    return this.#locked(async () => {
      this.#reload();
      let result: T;
      try {
        result = await fn(this.#engine);
      } catch (e) {
        this.#stateIno = Number.NaN; // the verb may have half-applied in memory: reload from disk next time
        throw e;
      }
      try {
        if (options.settle !== false) await this.#runner.settle(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
      } finally {
        this.#save();
      }
      return result;
    });
  }

  /** Runs `fn` on fresh state without saving (read views). */
  async read<T>(fn: (engine: Engine) => T): Promise<T> {
    return this.#locked(async () => { this.#reload(); return fn(this.#engine); });
  }

  /** The model a verb applies to: `-m MODEL` or the current one. */
  modelOrCurrent(model?: string): string {
    const m = model ?? this.#currentModel;
    if (!m) throw new Error('no model in focus; use add-model or switch, or pass -m MODEL');
    return m;
  }

  // ---------------------------------------------------------------- verbs (juju 3.6 names)

  async addModel(name: string, options: AddModelOptions = {}): Promise<{ name: string; uuid: string; version: string }> {
    return this.mutate((e) => {
      const m = e.addModel(name, options);
      this.#currentModel = name; // juju add-model switches to the new model
      return m;
    }, { settle: false });
  }

  async models(): Promise<Array<{ name: string; uuid: string; version: string }>> {
    return this.read((e) => e.models());
  }

  async switch(model: string): Promise<void> {
    await this.mutate((e) => {
      if (!e.models().some((m) => m.name === model)) throw new Error(`model "${model}" not found`);
      this.#currentModel = model;
    }, { settle: false });
  }

  async deploy(charm: string | CharmSpec, app?: string, options: DeployOptions & VerbOptions & { model?: string } = {}): Promise<string> {
    const spec = typeof charm === 'string' ? await loadCharm(charm, { home: this.home }) : charm;
    const deployOptions: { units?: number; config?: DeployOptions['config'] } = {};
    if (options.units !== undefined) deployOptions.units = options.units;
    if (options.config !== undefined) deployOptions.config = options.config;
    const name = app ?? spec.name;
    await this.mutate((e) => e.deploy(this.modelOrCurrent(options.model), spec, name, deployOptions), options);
    return name;
  }

  async addUnit(app: string, count = 1, options: VerbOptions & { model?: string } = {}): Promise<string[]> {
    return this.mutate((e) => e.addUnit(this.modelOrCurrent(options.model), app, count), options);
  }

  async removeUnit(unit: string, options: VerbOptions & { model?: string } = {}): Promise<void> {
    await this.mutate((e) => e.removeUnit(this.modelOrCurrent(options.model), unit), options);
  }

  async removeApplication(app: string, options: VerbOptions & { model?: string } = {}): Promise<void> {
    await this.mutate((e) => e.removeApplication(this.modelOrCurrent(options.model), app), options);
  }

  async integrate(a: string, b: string, options: VerbOptions & { model?: string } = {}): Promise<number> {
    return this.mutate((e) => e.integrate(this.modelOrCurrent(options.model), a, b), options);
  }

  async removeRelation(a: string | number, b?: string, options: VerbOptions & { model?: string } = {}): Promise<void> {
    await this.mutate((e) => e.removeRelation(this.modelOrCurrent(options.model), a, b), options);
  }

  /** `offer [model.]app:ep[,ep] [name]`; returns the offer URL. */
  async offer(target: string, offerName?: string, options: VerbOptions & { model?: string } = {}): Promise<{ url: string; app: string; endpoints: string[] }> {
    const parsed = parseOfferTarget(target);
    const model = parsed.model ?? this.modelOrCurrent(options.model);
    const url = await this.mutate((e) => e.offer(model, parsed.app, parsed.endpoints, offerName), options);
    return { url, app: parsed.app, endpoints: parsed.endpoints };
  }

  async consume(url: string, alias?: string, options: VerbOptions & { model?: string } = {}): Promise<string> {
    return this.mutate((e) => e.consume(this.modelOrCurrent(options.model), url, alias), options);
  }

  async setConfig(app: string, values: Readonly<Record<string, string | number | boolean | null>>, options: VerbOptions & { model?: string } = {}): Promise<void> {
    await this.mutate((e) => e.setConfig(this.modelOrCurrent(options.model), app, values), options);
  }

  async setLeader(unit: string, options: VerbOptions & { model?: string } = {}): Promise<void> {
    await this.mutate((e) => e.setLeader(this.modelOrCurrent(options.model), unit), options);
  }

  async resolve(unit: string, options: VerbOptions & { model?: string; noRetry?: boolean } = {}): Promise<void> {
    await this.mutate((e) => e.resolve(this.modelOrCurrent(options.model), unit, { noRetry: options.noRetry ?? false }), options);
  }

  async advanceTime(ms: number, options: VerbOptions = {}): Promise<void> {
    await this.mutate((e) => e.advanceTime(ms), options);
  }

  /** `juju run UNIT ACTION k=v`: enqueues, settles, returns the action id and result. */
  async runAction(unit: string, action: string, params: Readonly<Record<string, unknown>> = {}, options: VerbOptions & { model?: string } = {}): Promise<{ id: string; result: unknown }> {
    const model = this.modelOrCurrent(options.model);
    return this.mutate(async (e) => {
      const id = e.enqueueAction(model, unit, action, params);
      await this.#runner.settle(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
      return { id, result: this.#engine.actionResult(model, id) };
    }, options);
  }

  /** `juju exec --unit UNIT -- COMMAND...`: runs a shell command in a hook context of the unit. */
  async exec(unit: string, command: readonly string[], options: VerbOptions & { model?: string } = {}): Promise<CommandResult> {
    const model = this.modelOrCurrent(options.model);
    return this.mutate(async (e) => {
      const inv = e.openContext(model, unit);
      const running = startCommand(inv, { socketPath: this.#server.socketPath, toolsDir: this.toolsDir(model), ...this.machine(model, unit) }, command.join(' '));
      const record = await running.done;
      this.#engine.finishHook(inv.contextId, record);
      return { exitCode: record.exitCode, stdout: record.stdout ?? '', stderr: record.stderr ?? '' };
    }, options);
  }

  /** Runs hooks until every queue is empty (`juju wait`-like). */
  async wait(options: { timeoutMs?: number } = {}): Promise<void> {
    await this.mutate(() => undefined, options);
  }

  // ---------------------------------------------------------------- read views (contract §5)

  async status(model?: string): Promise<unknown> { return this.read((e) => e.status(this.modelOrCurrent(model))); }
  async secrets(model?: string): Promise<unknown> { return this.read((e) => e.secrets(this.modelOrCurrent(model))); }
  async showSecret(idOrName: string, options: { model?: string; reveal?: boolean; revisions?: boolean } = {}): Promise<unknown> {
    return this.read((e) => e.showSecret(this.modelOrCurrent(options.model), idOrName, { reveal: options.reveal ?? false, revisions: options.revisions ?? false }));
  }
  async showUnit(unit: string, model?: string): Promise<unknown> { return this.read((e) => e.showUnit(this.modelOrCurrent(model), unit)); }
  async debugLog(model?: string): Promise<string[]> { return this.read((e) => e.debugLog(model)); }
  async actionResult(id: string, model?: string): Promise<unknown> { return this.read((e) => e.actionResult(this.modelOrCurrent(model), id)); }
}

/** `[model.]app:ep[,ep]` (contract §4.1). */
export function parseOfferTarget(target: string): { model?: string; app: string; endpoints: string[] } {
  const m = /^(?:([^.:]+)\.)?([^.:]+):([^:]+)$/.exec(target);
  if (!m) throw new Error(`invalid offer "${target}": expected [<model-name>.]<application-name>:<endpoint-name>[,...]`);
  const endpoints = m[3]!.split(',').filter(Boolean);
  if (endpoints.length === 0) throw new Error(`invalid offer "${target}": no endpoints`);
  return m[1] === undefined ? { app: m[2]!, endpoints } : { model: m[1], app: m[2]!, endpoints };
}
