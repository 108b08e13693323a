/**
 * `jujusim`: the juju 3.6 CLI verbs over a Simulator (lib/testing/process/simulator.ts).
 * Errors print `ERROR <message>` on stderr: exit 2 for flag/argument errors, 1 otherwise.
 */
import { load } from 'js-yaml';
import { Simulator, type SimulatorOptions } from '../process/simulator.ts';
import { SettleTimeoutError } from '../process/runner.ts';
import { parseArgs, parseKeyValues, positiveInt, type FlagSpec } from './args.ts';
import { HELP } from './help.ts';
import { checkFormat, formatJson, formatYaml, UsageError, type OutputFormat } from './output.ts';
import { formatSecretsTabular, type SecretListEntry } from './secrets-format.ts';
import { formatStatusTabular } from './status-format.ts';
import type { StatusView } from './status-view.ts';
import { tabulate } from './table.ts';

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

interface Ctx {
  readonly sim: Simulator;
  readonly io: Io;
  readonly flags: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly args: readonly string[];
  readonly rest: readonly string[];
  readonly model: string | undefined;
  readonly settle: boolean;
}

type Handler = (c: Ctx) => Promise<number | void>;

interface Verb {
  readonly flags: readonly FlagSpec[];
  readonly run: Handler;
  /** [min, max] positional args. */
  readonly arity: readonly [number, number];
}

const FORMAT: FlagSpec = { long: 'format', kind: 'string' };
const GLOBAL: readonly FlagSpec[] = [
  { long: 'model', short: 'm', kind: 'string' },
  { long: 'seed', kind: 'string' },
  { long: 'no-wait', kind: 'bool' },
  { long: 'help', short: 'h', kind: 'bool' },
];

function str(c: Ctx, flag: string): string | undefined {
  const v = c.flags[flag];
  return typeof v === 'string' ? v : undefined;
}

function render(value: unknown, format: OutputFormat): string {
  return format === 'json' ? formatJson(value) : formatYaml(value);
}

const opts = (c: Ctx): { model?: string; settle: boolean } => (c.model === undefined ? { settle: c.settle } : { model: c.model, settle: c.settle });

const VERBS: Record<string, Verb> = {
  'add-model': {
    flags: [{ long: 'agent-version', kind: 'string' }],
    arity: [1, 1],
    run: async (c) => {
      const v = str(c, 'agent-version');
      const m = await c.sim.addModel(c.args[0]!, v === undefined ? {} : { agentVersion: v });
      c.io.stderr(`Added '${m.name}' model on jujusim/localhost with credential 'jujusim' for user 'admin'\n`);
    },
  },
  models: {
    flags: [FORMAT],
    arity: [0, 0],
    run: async (c) => {
      const format = checkFormat(str(c, 'format') ?? 'tabular', ['tabular', 'yaml', 'json']);
      const models = await c.sim.models();
      const current = c.sim.currentModel;
      if (format !== 'tabular') {
        const doc = { models: models.map((m) => ({ name: `admin/${m.name}`, 'short-name': m.name, 'model-uuid': m.uuid, 'agent-version': m.version })), ...(current ? { 'current-model': current } : {}) };
        c.io.stdout(render(doc, format));
        return;
      }
      c.io.stdout('Controller: jujusim\n\n' + tabulate([['Model', 'Cloud/Region', 'Type', 'Status', 'Version'],
        ...models.map((m) => [`${m.name}${m.name === current ? '*' : ''}`, 'localhost/localhost', 'lxd', 'available', m.version])]));
    },
  },
  switch: {
    flags: [],
    arity: [1, 1],
    run: async (c) => {
      const before = c.sim.currentModel;
      await c.sim.switch(c.args[0]!);
      c.io.stderr(`${before ?? '(none)'} -> ${c.args[0]}\n`);
    },
  },
  deploy: {
    flags: [{ long: 'num-units', short: 'n', kind: 'string' }, { long: 'config', kind: 'strings' }],
    arity: [1, 2],
    run: async (c) => {
      const config = parseKeyValues((c.flags.config as string[] | undefined) ?? [], '--config');
      const units = positiveInt(str(c, 'num-units'), '-n', 1);
      const app = await c.sim.deploy(c.args[0]!, c.args[1], { ...opts(c), units, config });
      const charm = (await c.sim.read((e) => (e.status(c.sim.modelOrCurrent(c.model)) as StatusView).applications?.[app]?.['charm-name'])) ?? app;
      c.io.stderr(`Located local charm "${charm}", revision 0\nDeploying "${app}" from local charm "${charm}", revision 0 on ubuntu@22.04/stable\n`);
    },
  },
  'add-unit': {
    flags: [{ long: 'num-units', short: 'n', kind: 'string' }],
    arity: [1, 1],
    run: async (c) => { await c.sim.addUnit(c.args[0]!, positiveInt(str(c, 'num-units'), '-n', 1), opts(c)); },
  },
  'remove-unit': {
    flags: [],
    arity: [1, Infinity],
    run: async (c) => {
      for (const u of c.args) {
        await c.sim.removeUnit(u, opts(c));
        c.io.stderr(`will remove unit ${u}\n`);
      }
    },
  },
  'remove-application': {
    flags: [],
    arity: [1, Infinity],
    run: async (c) => {
      for (const a of c.args) {
        await c.sim.removeApplication(a, opts(c));
        c.io.stderr(`will remove application ${a}\n`);
      }
    },
  },
  integrate: {
    flags: [{ long: 'via', kind: 'string' }],
    arity: [2, 2],
    run: async (c) => { await c.sim.integrate(c.args[0]!, c.args[1]!, opts(c)); },
  },
  'remove-relation': {
    flags: [],
    arity: [1, 2],
    run: async (c) => {
      const a = c.args.length === 1 && /^\d+$/.test(c.args[0]!) ? Number(c.args[0]) : c.args[0]!;
      await c.sim.removeRelation(a, c.args[1], opts(c));
    },
  },
  offer: {
    flags: [],
    arity: [1, 2],
    run: async (c) => {
      const o = await c.sim.offer(c.args[0]!, c.args[1], opts(c));
      c.io.stdout(`Application "${o.app}" endpoints [${o.endpoints.join(' ')}] available at "${o.url}"\n`);
    },
  },
  consume: {
    flags: [],
    arity: [1, 2],
    run: async (c) => {
      const name = await c.sim.consume(c.args[0]!, c.args[1], opts(c));
      c.io.stderr(`Added ${c.args[0]} as ${name}\n`);
    },
  },
  config: {
    flags: [FORMAT],
    arity: [1, Infinity],
    run: async (c) => {
      const [app, ...items] = c.args as [string, ...string[]];
      const sets = items.filter((i) => i.includes('='));
      if (sets.length > 0) {
        if (sets.length !== items.length) throw new UsageError('cannot get a value and set values in one command');
        await c.sim.setConfig(app, parseKeyValues(sets), opts(c));
        return;
      }
      const shown = await c.sim.read((e) => configView(e.toJSON(), c.sim.modelOrCurrent(c.model), app));
      if (items.length === 1) {
        const setting = (shown.settings as Record<string, { value?: unknown }>)[items[0]!];
        if (!setting) throw new UsageError(`key "${items[0]}" not found in "${app}" application config or charm settings.`, 1);
        c.io.stdout(setting.value === undefined ? '' : `${String(setting.value)}\n`);
        return;
      }
      c.io.stdout(render(shown, checkFormat(str(c, 'format') ?? 'yaml', ['yaml', 'json'])));
    },
  },
  run: {
    flags: [FORMAT, { long: 'wait', kind: 'string' }, { long: 'string-args', kind: 'bool' }],
    arity: [2, Infinity],
    run: async (c) => {
      const [unit, action, ...kv] = c.args as [string, string, ...string[]];
      const raw = parseKeyValues(kv, 'action parameter');
      const params: Record<string, unknown> = {};
      // juju run parses parameter values as YAML unless --string-args
      for (const [k, v] of Object.entries(raw)) params[k] = c.flags['string-args'] ? v : yamlScalar(v);
      const { id, result } = await c.sim.runAction(unit, action, params, opts(c));
      const task = Number(id);
      c.io.stderr(`Running operation ${task} with 1 task\n  - task ${task} on unit-${unit.replace('/', '-')}\n\nWaiting for task ${task}...\n`);
      return printActionResult(c, id, result);
    },
  },
  exec: {
    flags: [{ long: 'unit', short: 'u', kind: 'string' }, FORMAT],
    arity: [0, Infinity],
    run: async (c) => {
      const unit = str(c, 'unit');
      if (!unit) throw new UsageError('you must specify a target, either through --all, --machine, --application or --unit');
      const command = [...c.args, ...c.rest];
      if (command.length === 0) throw new UsageError('no commands specified');
      const r = await c.sim.exec(unit, command, opts(c));
      c.io.stdout(r.stdout);
      c.io.stderr(r.stderr);
      return r.exitCode;
    },
  },
  status: {
    flags: [FORMAT, { long: 'relations', kind: 'bool' }, { long: 'integrations', kind: 'bool' }],
    arity: [0, Infinity],
    run: async (c) => {
      const format = checkFormat(str(c, 'format') ?? 'tabular', ['tabular', 'yaml', 'json']);
      const st = (await c.sim.status(c.model)) as StatusView;
      c.io.stdout(format === 'tabular' ? formatStatusTabular(st, { relations: Boolean(c.flags.relations || c.flags.integrations) }) : render(stripHidden(st), format));
    },
  },
  secrets: {
    flags: [FORMAT, { long: 'owner', kind: 'string' }, { long: 'revisions', kind: 'bool' }],
    arity: [0, 0],
    run: async (c) => {
      const format = checkFormat(str(c, 'format') ?? 'tabular', ['tabular', 'yaml', 'json']);
      const list = ((await c.sim.secrets(c.model)) ?? {}) as Record<string, SecretListEntry>;
      c.io.stdout(format === 'tabular' ? formatSecretsTabular(list) : render(list, format));
    },
  },
  'show-secret': {
    flags: [FORMAT, { long: 'reveal', kind: 'bool' }, { long: 'revisions', kind: 'bool' }],
    arity: [0, 1],
    run: async (c) => {
      if (c.args.length === 0) throw new UsageError('secret ID is required');
      if (c.flags.reveal && c.flags.revisions) throw new UsageError('specify either --revisions or --reveal but not both');
      const format = checkFormat(str(c, 'format') ?? 'yaml', ['yaml', 'json']);
      const shown = await c.sim.showSecret(c.args[0]!, { ...(c.model ? { model: c.model } : {}), reveal: Boolean(c.flags.reveal), revisions: Boolean(c.flags.revisions) });
      c.io.stdout(render(shown, format));
    },
  },
  'show-unit': {
    flags: [FORMAT],
    arity: [1, Infinity],
    run: async (c) => {
      const format = checkFormat(str(c, 'format') ?? 'yaml', ['yaml', 'json']);
      const merged: Record<string, unknown> = {};
      for (const u of c.args) Object.assign(merged, (await c.sim.showUnit(u, c.model)) as Record<string, unknown>);
      c.io.stdout(render(merged, format));
    },
  },
  resolve: {
    flags: [{ long: 'no-retry', kind: 'bool' }],
    arity: [1, Infinity],
    run: async (c) => {
      for (const u of c.args) await c.sim.resolve(u, { ...opts(c), noRetry: Boolean(c.flags['no-retry']) });
    },
  },
  'debug-log': {
    flags: [{ long: 'replay', kind: 'bool' }, { long: 'lines', short: 'n', kind: 'string' }, { long: 'tail', kind: 'bool' }],
    arity: [0, 0],
    run: async (c) => {
      const lines = await c.sim.debugLog(c.model ?? c.sim.currentModel);
      // juju debug-log shows the last 10 lines then follows; there is nothing to follow here
      const shown = c.flags.replay ? lines : lines.slice(-positiveInt(str(c, 'lines'), '-n', 10));
      c.io.stdout(shown.map((l) => `${l}\n`).join(''));
    },
  },
  wait: {
    flags: [{ long: 'timeout', kind: 'string' }],
    arity: [0, 0],
    run: async (c) => {
      const t = str(c, 'timeout');
      const secs = t === undefined ? undefined : parseDurationSeconds(t);
      await c.sim.wait(secs === undefined ? {} : { timeoutMs: secs * 1000 });
    },
  },
};
const ALIASES: Record<string, string> = { relate: 'integrate', 'list-secrets': 'secrets', resolved: 'resolve', 'list-models': 'models' };

function yamlScalar(v: string): unknown {
  try {
    return load(v);
  } catch {
    return v;
  }
}

/** `--timeout 30`, `30s`, `2m`, `1h` (juju takes Go durations; bare numbers are seconds here). */
export function parseDurationSeconds(t: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(t);
  if (!m) throw new UsageError(`invalid value "${t}" for option --timeout: time: invalid duration "${t}"`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n / 1000 : m[2] === 'm' ? n * 60 : m[2] === 'h' ? n * 3600 : n;
}

/** Juju's status JSON has no integrations list; ours carries one for the tabular form only. */
function stripHidden(st: StatusView): unknown {
  const { relations: _hidden, ...rest } = st;
  return rest;
}

interface ActionResultView { status?: string; message?: string; results?: Record<string, unknown>; stdout?: string; stderr?: string; 'return-code'?: number }

/** juju 3.6 `run` plain output: results as YAML on stdout, action stdout/stderr after them. */
function printActionResult(c: Ctx, id: string, raw: unknown): number {
  const r = (raw ?? {}) as ActionResultView;
  const results = { ...(r.results ?? {}) };
  const stdout = r.stdout ?? (typeof results.stdout === 'string' ? results.stdout : '');
  const stderr = r.stderr ?? (typeof results.stderr === 'string' ? results.stderr : '');
  const code = r['return-code'] ?? (results['return-code'] === undefined ? undefined : Number(results['return-code']));
  delete results.stdout;
  delete results.stderr;
  delete results['return-code'];
  const format = str(c, 'format');
  if (format) {
    c.io.stdout(render(raw, checkFormat(format, ['yaml', 'json'])));
  } else {
    if (Object.keys(results).length > 0) c.io.stdout(formatYaml(results));
    if (stdout) c.io.stdout(stdout.endsWith('\n') ? stdout : `${stdout}\n`);
    if (stderr) c.io.stderr(stderr.endsWith('\n') ? stderr : `${stderr}\n`);
  }
  if (r.status === 'completed') return 0;
  c.io.stderr(`ERROR the following task failed:\n id "${id}" with return code ${code ?? 1}\n\nuse 'juju show-task' to inspect the failure\n`);
  return 1;
}

/** `juju config APP` YAML: application, charm, settings with value/default/source/type. */
export function configView(world: unknown, model: string, app: string): Record<string, unknown> {
  type AppJson = { charm: { name: string; config: Record<string, { type: string; default?: unknown; description?: string }> }; config: Record<string, unknown> };
  const a = (world as { models?: Record<string, { apps?: Record<string, AppJson> }> }).models?.[model]?.apps?.[app];
  if (!a) throw new UsageError(`application "${app}" not found`, 1);
  const settings: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(a.charm.config).sort(([x], [y]) => x.localeCompare(y))) {
    const user = Object.hasOwn(a.config, key);
    const value = user ? a.config[key] : spec.default;
    settings[key] = {
      ...(spec.default !== undefined ? { default: spec.default } : {}),
      ...(spec.description ? { description: spec.description } : {}),
      source: user ? 'user' : spec.default !== undefined ? 'default' : 'unset',
      type: spec.type,
      ...(value !== undefined ? { value } : {}),
    };
  }
  return { application: app, charm: a.charm.name, settings };
}

/** Runs one jujusim command line; returns the exit code. */
export async function main(argv: readonly string[], io: Io = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }, options: SimulatorOptions & { home?: string } = {}): Promise<number> {
  let sim: Simulator | undefined;
  try {
    const verbIndex = argv.findIndex((a, i) => !a.startsWith('-') && !(i > 0 && ['--seed', '-m', '--model'].includes(argv[i - 1]!)));
    const name = verbIndex >= 0 ? argv[verbIndex]! : undefined;
    const verbName = name === undefined ? undefined : (ALIASES[name] ?? name);
    const verb = verbName === undefined ? undefined : VERBS[verbName];
    if (!verb) {
      if (name === undefined || name === 'help' || argv.includes('--help') || argv.includes('-h')) { io.stdout(HELP); return 0; }
      throw new UsageError(`juju: "${name}" is not a juju command. See "jujusim --help".`, 1);
    }
    const parsed = parseArgs([...argv.slice(0, verbIndex), ...argv.slice(verbIndex + 1)], [...GLOBAL, ...verb.flags]);
    if (parsed.flags.help) { io.stdout(HELP); return 0; }
    const [min, max] = verb.arity;
    if (parsed.positional.length < min) throw new UsageError(`missing arguments for ${verbName}; see "jujusim --help"`);
    if (parsed.positional.length > max) throw new UsageError(`unrecognized args: [${parsed.positional.slice(max).map((a) => JSON.stringify(a)).join(' ')}]`);
    const seed = typeof parsed.flags.seed === 'string' ? Number(parsed.flags.seed) : options.seed;
    if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError(`invalid value "${String(parsed.flags.seed)}" for option --seed: not an integer`);
    sim = await Simulator.open(options.home, { ...options, ...(seed === undefined ? {} : { seed }) });
    const model = typeof parsed.flags.model === 'string' ? parsed.flags.model : undefined;
    const code = await verb.run({ sim, io, flags: parsed.flags, args: parsed.positional, rest: parsed.rest, model, settle: !parsed.flags['no-wait'] });
    return code ?? 0;
  } catch (e) {
    const err = e as Error & { exitCode?: number };
    io.stderr(`ERROR ${err.message}\n`);
    if (e instanceof SettleTimeoutError) return 1;
    return e instanceof UsageError ? err.exitCode ?? 2 : 1;
  } finally {
    await sim?.close();
  }
}
