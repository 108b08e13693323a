/**
 * The deployment story of the demo (and of the process-level e2e tests): a `nats` model offering
 * `nats:client`, an `anbox` model with ams and anbox-stream-agent consuming that offer, every
 * relation integrated, run through the simulator's programmatic API. Each step reports the
 * `jujusim` command a user would type for it, so the demo can print them.
 *
 * Unit addresses: the simulator's default 10.x addresses are not on this machine, so each unit
 * is given its own loopback address (127.x.y.z) before its first hook runs; rendered configs
 * then listen where a real server can bind. `jujusim` has no verb for this (real Juju takes
 * addresses from the machine), so it is reported as a note, not as a command.
 */
import type { Simulator } from '../lib/testing/process/simulator.ts';

export const CHARM_NAMES = ['nats', 'ams', 'anbox-stream-agent'] as const;
export type CharmName = (typeof CHARM_NAMES)[number];
export const AGENT = 'anbox-stream-agent';

/** Config that makes every self-signed key EC P-384 instead of the RSA 4096 default (speed). */
export const EC_P384_CONFIG: Readonly<Record<CharmName, Readonly<Record<string, string>>>> = {
  nats: { 'ca-key-algorithm': 'ec-p384' },
  ams: { key_algorithm: 'ec-p384' },
  'anbox-stream-agent': { key_algorithm: 'ec-p384' },
};

/** No key config: the charms' own default, RSA 4096 with SHA-256 (the published Anbox default). */
export const DEFAULT_KEYS_CONFIG: Readonly<Record<CharmName, Readonly<Record<string, string>>>> = { nats: {}, ams: {}, 'anbox-stream-agent': {} };

export interface StoryOptions {
  /** Charm directory or `.charm` file per charm. */
  readonly charms: Readonly<Record<CharmName, string>>;
  /** Agent version of the `nats` model (default: the simulator's 3.6). */
  readonly natsVersion?: string;
  /** Agent version of the `anbox` model (default: the simulator's 3.6). */
  readonly anboxVersion?: string;
  /** Units of each application (default 1). */
  readonly units?: number;
  /** Deploy-time config per charm (default EC P-384 keys). */
  readonly config?: Readonly<Record<CharmName, Readonly<Record<string, string | number | boolean>>>>;
  /** Second and third octets of the loopback addresses (127.A.B.n), so parallel runs do not clash. */
  readonly loopback?: readonly [number, number];
  /** Called with each `jujusim ...` command as a user would type it, and with notes (`# ...`). */
  readonly onCommand?: (line: string) => void;
  /** Called before each step with a short progress line. */
  readonly onProgress?: (line: string) => void;
  /** Settle timeout per step (default 240 s). */
  readonly timeoutMs?: number;
  /** Display form of a charm path in the printed commands (default: the path itself). */
  readonly displayPath?: (path: string) => string;
}

export interface StoryResult {
  readonly offerUrl: string;
  /** SAAS name of the nats offer in the anbox model. */
  readonly saas: string;
  /** Loopback address given to each unit (`plan.map`, keyed `model/unit`); add units through it. */
  readonly plan: LoopbackPlan;
  readonly units: Readonly<Record<CharmName, readonly string[]>>;
}

/** Assigns 127.A.B.2, .3, ... in the order units appear. */
export class LoopbackPlan {
  readonly #prefix: string;
  #next = 2;
  readonly map = new Map<string, string>();

  constructor(octets: readonly [number, number] = [0, 0]) {
    this.#prefix = `127.${octets[0]}.${octets[1]}.`;
  }

  assign(model: string, unit: string): string {
    const key = `${model}/${unit}`;
    let addr = this.map.get(key);
    if (!addr) {
      if (this.#next > 254) throw new Error('loopback plan: out of addresses');
      addr = `${this.#prefix}${this.#next++}`;
      this.map.set(key, addr);
    }
    return addr;
  }
}

/**
 * Adds units without running hooks, gives them loopback addresses, then settles: the first
 * hook of each new unit already sees its address.
 */
export async function addUnitsOnLoopback(sim: Simulator, model: string, app: string, count: number, plan: LoopbackPlan, timeoutMs?: number): Promise<string[]> {
  const units = await sim.addUnit(app, count, { model, settle: false });
  await sim.mutate((e) => { for (const u of units) e.setUnitAddress(model, u, plan.assign(model, u)); }, { settle: false });
  await sim.wait(timeoutMs === undefined ? {} : { timeoutMs });
  return units;
}

function unitsOf(sim: Simulator, model: string, app: string): string[] {
  const status = sim.engine.status(model) as { applications?: Record<string, { units?: Record<string, unknown> }> };
  return Object.keys(status.applications?.[app]?.units ?? {}).sort();
}

function configArgs(config: Readonly<Record<string, string | number | boolean>>): string {
  return Object.entries(config).map(([k, v]) => ` --config ${k}=${v}`).join('');
}

export async function deployStory(sim: Simulator, options: StoryOptions): Promise<StoryResult> {
  const say = options.onCommand ?? (() => {});
  const progress = options.onProgress ?? (() => {});
  const show = options.displayPath ?? ((p: string) => p);
  const n = options.units ?? 1;
  const config = options.config ?? EC_P384_CONFIG;
  const plan = new LoopbackPlan(options.loopback);
  const wait = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };

  const deploy = async (model: string, charm: CharmName): Promise<string[]> => {
    const cfg = config[charm];
    say(`jujusim deploy ${show(options.charms[charm])} ${charm}${n > 1 ? ` -n ${n}` : ''}${configArgs(cfg)}`);
    await sim.deploy(options.charms[charm], charm, { model, units: n, config: cfg, settle: false });
    const units = unitsOf(sim, model, charm);
    await sim.mutate((e) => { for (const u of units) e.setUnitAddress(model, u, plan.assign(model, u)); }, { settle: false });
    return units;
  };
  const addModel = async (name: string, version: string | undefined): Promise<void> => {
    say(`jujusim add-model ${name}${version ? ` --agent-version ${version}` : ''}`);
    await sim.addModel(name, version ? { agentVersion: version } : {});
  };

  progress(`model nats${options.natsVersion ? ` (Juju ${options.natsVersion})` : ''}: deploying nats`);
  await addModel('nats', options.natsVersion);
  const natsUnits = await deploy('nats', 'nats');
  say(`# (unit addresses set to loopback: ${natsUnits.map((u) => `${u}=${plan.map.get(`nats/${u}`)}`).join(', ')})`);
  say('jujusim wait -m nats');
  await sim.wait(wait);

  progress('offering nats:client');
  say('jujusim offer nats:client');
  const offer = await sim.offer('nats:client', undefined, { model: 'nats', ...wait });

  progress(`model anbox${options.anboxVersion ? ` (Juju ${options.anboxVersion})` : ''}: deploying ams and anbox-stream-agent`);
  await addModel('anbox', options.anboxVersion);
  const amsUnits = await deploy('anbox', 'ams');
  const agentUnits = await deploy('anbox', AGENT);
  say(`# (unit addresses set to loopback: ${[...amsUnits, ...agentUnits].map((u) => `${u}=${plan.map.get(`anbox/${u}`)}`).join(', ')})`);
  say('jujusim wait -m anbox');
  await sim.wait(wait);

  progress('consuming the nats offer and integrating');
  say(`jujusim consume ${offer.url}`);
  const saas = await sim.consume(offer.url, undefined, { model: 'anbox', ...wait });
  const relate = async (a: string, b: string): Promise<void> => {
    say(`jujusim integrate ${a} ${b}`);
    await sim.integrate(a, b, { model: 'anbox', ...wait });
  };
  await relate(`${AGENT}:nats`, saas);
  await relate(`${AGENT}:ams`, 'ams:rest-api');
  await relate('ams:agent', `${AGENT}:client`);
  say('jujusim wait');
  await sim.wait(wait);
  return { offerUrl: offer.url, saas, plan, units: { nats: natsUnits, ams: amsUnits, [AGENT]: agentUnits } };
}
