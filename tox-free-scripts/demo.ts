/**
 * The demo deployment (run by `tox-free-scripts/demo`, i.e. `npm run demo`): the deployment story
 * of demo-story.ts on a fresh simulator home, then the real nats-server from the rendered config
 * with the agent connecting over TLS with its token, then the views a user would look at.
 *
 *   node tox-free-scripts/demo.ts [--charms DIR | --charm-dirs] [--home DIR] [--headless] [--ec]
 *
 * --charms DIR     deploy DIR/<name>_ubuntu-22.04-amd64.charm (what `tox-free-scripts/pack` makes)
 * --charm-dirs     deploy charms/<name>/ (dev dispatch + dist/charm.mjs from `tox-free-scripts/build`)
 * --home DIR       simulator state (default $JUJUSIM_HOME or ./.jujusim); wiped at start (only if
 *                  it is empty or holds a state.json)
 * --parallelism N  hooks of different units run at once (default 2)
 * --loopback A.B   unit addresses 127.A.B.2, .3, ... (default 0.0; also DEMO_LOOPBACK)
 * --headless       machine-readable `DEMO <key> k=v ...` lines instead of the tour (also DEMO_HEADLESS=1)
 * --ec             EC P-384 keys (config ca-key-algorithm / key_algorithm) instead of the charms'
 *                  RSA 4096 default: about 10 s faster; the demo test uses it
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { load } from 'js-yaml';
import { Simulator } from '../lib/testing/process/simulator.ts';
import { machineRoot } from '../lib/testing/process/machine.ts';
import { AGENT, CHARM_NAMES, DEFAULT_KEYS_CONFIG, deployStory, EC_P384_CONFIG, type CharmName } from './demo-story.ts';
import { findNatsServer, NATS_CFG, natsClientOptions, natsConnectError, natsRoundTrip, NatsServer, natsTlsFiles, plaintextProbe, readAgentConfig } from './demo-nats.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const JUJUSIM = join(REPO, 'bin/jujusim.js');
const BASE = 'ubuntu-22.04-amd64';

const { values: args } = parseArgs({
  options: {
    charms: { type: 'string' },
    'charm-dirs': { type: 'boolean', default: false },
    home: { type: 'string' },
    headless: { type: 'boolean', default: process.env['DEMO_HEADLESS'] === '1' },
    ec: { type: 'boolean', default: false },
    parallelism: { type: 'string', default: '2' },
    loopback: { type: 'string', default: process.env['DEMO_LOOPBACK'] ?? '0.0' },
  },
});
const headless = args.headless ?? false;
const home = resolve(args.home ?? process.env['JUJUSIM_HOME'] ?? '.jujusim');
const started = Date.now();
/** A path as the user would type it: relative to the current directory when inside it. */
const shown = (p: string): string => { const r = relative(process.cwd(), p); return r === '' ? '.' : r.startsWith('..') ? p : `./${r}`; };
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;

/** `DEMO key k=v ...` in headless mode (values with spaces quoted). */
function key(name: string, fields: Record<string, string | number | boolean>): void {
  if (!headless) return;
  const kv = Object.entries(fields).map(([k, v]) => `${k}=${/[\s"]/.test(String(v)) ? JSON.stringify(String(v)) : String(v)}`);
  console.log(['DEMO', name, ...kv].join(' '));
}
const progress = (line: string) => { if (headless) key('step', { at: elapsed(), what: line }); else console.log(`\n==> ${line}  [${elapsed()}]`); };
const command = (line: string) => { if (!headless) console.log(line.startsWith('#') ? `    ${line}` : `    $ ${line}`); };
const tell = (line: string) => { if (!headless) console.log(`    ${line}`); };

function charmPaths(): Record<CharmName, string> {
  const out = {} as Record<CharmName, string>;
  for (const name of CHARM_NAMES) {
    const path = args['charm-dirs'] ? join(REPO, 'charms', name) : join(resolve(args.charms ?? join(REPO, 'build')), `${name}_${BASE}.charm`);
    if (!existsSync(path)) throw new Error(`${path} is missing: run tox-free-scripts/pack (or build and pass --charm-dirs)`);
    out[name] = path;
  }
  return out;
}

/** `jujusim ARGS` as the user would run it, on this home; returns stdout (throws on failure). */
function jujusim(...argv: string[]): Promise<string> {
  return new Promise((ok, fail) => {
    const env = { ...process.env, JUJUSIM_HOME: home };
    const child = spawn(process.execPath, [JUJUSIM, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? ok(out) : fail(new Error(`jujusim ${argv.join(' ')} exited ${code}: ${err}`))));
  });
}

async function view(...argv: string[]): Promise<string> {
  const out = await jujusim(...argv);
  if (!headless) {
    console.log(`\n$ jujusim ${argv.join(' ')}`);
    process.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
  }
  return out;
}

interface UnitStatus { 'workload-status'?: { current?: string; message?: string } }
interface Status { applications?: Record<string, { units?: Record<string, UnitStatus> }> }

async function checkUnits(sim: Simulator): Promise<boolean> {
  let allActive = true;
  for (const model of ['nats', 'anbox']) {
    const status = (await sim.status(model)) as Status;
    for (const app of Object.values(status.applications ?? {})) {
      for (const [unit, s] of Object.entries(app.units ?? {})) {
        const current = s['workload-status']?.current ?? 'unknown';
        const message = s['workload-status']?.message ?? '';
        if (current !== 'active') allActive = false;
        key('unit', { model, unit, workload: current, message });
        tell(`${model}: ${unit} is ${current}${message ? ` (${message})` : ''}`);
      }
    }
  }
  key('all-active', { value: allActive });
  return allActive;
}

async function realNats(token: string | undefined): Promise<boolean> {
  const natsRoot = machineRoot(home, 'nats', 'nats/0');
  const cfgPath = join(natsRoot, NATS_CFG);
  const cfgText = readFileSync(cfgPath, 'utf8');
  const files = natsTlsFiles(cfgText);
  const inRoot = files.length === 3 && files.every((f) => f.startsWith(`${natsRoot}/`) && existsSync(f));
  key('nats-cfg', { path: cfgPath, tlsFiles: files.length, tlsFilesInMachineRoot: inRoot });
  tell(`rendered ${shown(cfgPath)}: tls {} names ${files.length} files, ${inRoot ? 'all inside nats/0\'s machine root' : 'NOT all inside the machine root'}`);
  const binary = findNatsServer();
  if (!binary) throw new Error('nats-server not found (apt-get install nats-server)');
  const server = await NatsServer.start(binary, cfgPath);
  try {
    key('nats-server', { state: 'started', binary, listen: `${server.listen.host}:${server.listen.port}` });
    tell(`$ ${binary} -c ${shown(cfgPath)} -m 0      # -m 0: no monitoring port`);
    tell(`nats-server is listening on ${server.listen.host}:${server.listen.port} (TLS required)`);

    const agentRoot = machineRoot(home, 'anbox', `${AGENT}/0`);
    const agentConfig = readAgentConfig(agentRoot);
    const auth = agentConfig.nats?.token ? 'token' : agentConfig.nats?.urls.some((u) => /@/.test(u)) ? 'url-token' : 'none';
    tell(`agent config ${shown(join(agentRoot, 'var/snap/anbox-stream-agent/common/config.yaml'))}: nats urls ${agentConfig.nats?.urls.map((u) => u.replace(/\/\/[^@/]*@/, '//***@')).join(',')}, CA file, ${auth === 'token' ? 'token (from the Juju secret)' : auth}`);
    const ok = await natsRoundTrip(natsClientOptions(agentConfig));
    const connected = ok.received === 'hello from the agent' && ok.tlsRequired;
    const sameToken = token !== undefined && agentConfig.nats?.token === token;
    key('nats-connect', { result: connected ? 'ok' : 'failed', tls: ok.tlsRequired, auth, tokenMatchesSecret: sameToken, server: ok.server, received: ok.received });
    tell(`agent client connected over TLS (CA verified) with its token, published and received: "${ok.received}"`);

    const wrong = await natsConnectError(natsClientOptions(agentConfig, { token: randomBytes(16).toString('hex') }));
    key('nats-wrong-token', { result: wrong ? 'refused' : 'ACCEPTED', error: wrong ?? '' });
    tell(`a client with a wrong token is refused: ${wrong ?? 'ACCEPTED (bug!)'}`);

    const plain = await plaintextProbe(server.listen.host, server.listen.port, agentConfig.nats?.token ?? 'x');
    const plainRefused = /"tls_required":true/.test(plain) && !/PONG|\+OK|TIMED_OUT/.test(plain);
    key('nats-plaintext', { result: plainRefused ? 'refused' : 'ACCEPTED' });
    tell(`a plaintext client is refused${plainRefused ? '' : ' -- NOT (bug!)'}`);
    return connected && wrong !== undefined && plainRefused;
  } finally {
    await server.stop();
    key('nats-server', { state: 'stopped' });
    tell('nats-server stopped');
  }
}

interface SecretRow { owner?: string; label?: string; description?: string }

async function secretRows(model: string): Promise<Record<string, SecretRow>> {
  return (load(await jujusim('secrets', '-m', model, '--format', 'yaml')) ?? {}) as Record<string, SecretRow>;
}

/** The nats model's token secret (label `nats-token`) and its value, read with --reveal (not printed). */
async function natsToken(): Promise<{ id?: string; token?: string }> {
  const id = Object.entries(await secretRows('nats')).find(([, row]) => row.label === 'nats-token')?.[0];
  if (!id) return {};
  const revealed = (load(await jujusim('show-secret', id, '-m', 'nats', '--reveal')) ?? {}) as Record<string, { content?: Record<string, string> }>;
  const token = Object.values(revealed)[0]?.content?.['token'];
  return token === undefined ? { id } : { id, token };
}

async function secretViews(tokenId: string | undefined, token: string | undefined): Promise<boolean> {
  let ok = true;
  for (const model of ['nats', 'anbox']) {
    await view('secrets', '-m', model);
    for (const [id, row] of Object.entries(await secretRows(model))) {
      if (!row.label || !row.description) ok = false;
      key('secret', { model, id, owner: row.owner ?? '', label: row.label ?? '', description: row.description ?? '' });
    }
  }
  if (!headless) console.log('\n    (labels and descriptions: add --format yaml)');
  if (!tokenId || token === undefined) {
    key('show-secret', { id: 'none', label: 'nats-token', values: 'MISSING' });
    return false;
  }
  const shown = await view('show-secret', tokenId, '-m', 'nats');
  const hidden = !/content:/.test(shown) && !shown.includes(token);
  key('show-secret', { id: tokenId, label: 'nats-token', values: hidden ? 'hidden' : 'SHOWN' });
  if (!headless) console.log('    (values stay hidden unless --reveal)');
  return ok && hidden;
}

/** Wipes `home` only if it looks like a simulator home (or is empty): a mistyped JUJUSIM_HOME must not cost a directory. */
function wipeHome(): void {
  if (!existsSync(home)) return;
  const entries = readdirSync(home);
  if (entries.length > 0 && !entries.includes('state.json')) {
    throw new Error(`${home} is not empty and holds no state.json: refusing to wipe it (set JUJUSIM_HOME to a simulator home or a new directory)`);
  }
  rmSync(home, { recursive: true, force: true });
}

function loopbackOctets(): [number, number] {
  const m = /^(\d{1,3})\.(\d{1,3})$/.exec(args.loopback ?? '0.0');
  if (!m || Number(m[1]) > 255 || Number(m[2]) > 255) throw new Error(`--loopback ${args.loopback}: expected A.B (two octets of 127.A.B.n)`);
  return [Number(m[1]), Number(m[2])];
}

async function main(): Promise<number> {
  const charms = charmPaths();
  const ec = args.ec ?? false;
  wipeHome();
  key('start', { home, keys: ec ? 'ec-p384' : 'rsa4096', charms: args['charm-dirs'] ? 'dirs' : 'packed' });
  if (!headless) {
    console.log(`Demo deployment on the Juju simulator (state: ${shown(home)}, wiped first).`);
    console.log(ec ? 'Keys: EC P-384 (--ec: config ca-key-algorithm / key_algorithm); the charms default to RSA 4096.' : 'Keys: the charms\' default, RSA 4096 + SHA-256 (--ec for EC P-384, faster).');
  }
  const sim = await Simulator.open(home, { parallelism: Math.max(1, Number(args.parallelism) || 1) });
  let healthy = false;
  try {
    const story = await deployStory(sim, {
      charms,
      config: ec ? EC_P384_CONFIG : DEFAULT_KEYS_CONFIG,
      loopback: loopbackOctets(),
      onProgress: progress,
      onCommand: command,
      displayPath: shown,
    });
    key('offer', { url: story.offerUrl, saas: story.saas });
    progress('checking every unit');
    healthy = await checkUnits(sim);
  } finally {
    await sim.close();
  }
  if (!healthy) {
    await view('status', '-m', 'nats', '--relations');
    await view('status', '-m', 'anbox', '--relations');
    const log = await jujusim('debug-log', '-m', 'anbox', '--replay');
    console.error(log.split('\n').filter((l) => /ERROR|WARNING/.test(l)).slice(-20).join('\n'));
    key('done', { result: 'failed', seconds: elapsed() });
    return 1;
  }
  const token = await natsToken();
  progress('the real nats-server from the rendered nats.cfg, and the agent connecting to it');
  const natsOk = await realNats(token.token);
  progress('what a user sees: status --relations of both models');
  await view('status', '-m', 'nats', '--relations');
  await view('status', '-m', 'anbox', '--relations');
  progress('secrets: listed with labels, values hidden');
  const secretsOk = await secretViews(token.id, token.token);
  const ok = natsOk && secretsOk;
  key('done', { result: ok ? 'ok' : 'failed', seconds: elapsed(), home });
  if (!headless) {
    const h = shown(home);
    // jujusim's own default home is ./.jujusim: no variable needed when the demo used it.
    const prefix = home === resolve('.jujusim') ? '' : `JUJUSIM_HOME=${h} `;
    console.log(`\n==> ${ok ? 'done' : 'FAILED'} in ${elapsed()}. The deployment is left in ${h}; explore it with:`);
    for (const c of ['status -m anbox --relations', 'show-unit anbox-stream-agent/0 -m anbox', 'secrets -m nats --format yaml', 'debug-log -m anbox --replay', 'run nats/0 get-ca-certificate -m nats', 'add-unit anbox-stream-agent -m anbox']) {
      console.log(`    ${prefix}npx jujusim ${c}`);
    }
    console.log(`    rendered files: ${h}/machines/<model>/<unit>/var/snap/...   (npm run demo starts over)`);
  }
  return ok ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (e: unknown) => {
  console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  key('done', { result: 'failed', seconds: elapsed() });
  process.exitCode = 1;
});
