/**
 * Packs the fixture charm for real (esbuild bundle + the shipped Node runtime) and checks what
 * `juju deploy ./x.charm` relies on: layout, YAML, modes, and that `dispatch` runs the charm on
 * the bundled runtime with no `node` anywhere on PATH (contract §1.1, §1.2).
 *
 * The stripped runtime is cached in node_modules/.cache/charm-runtime, so after the first run on
 * a machine each pack costs about half a second.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { unzipSync } from 'fflate';
import { load } from 'js-yaml';
import { packCharm } from '../../../lib/packaging/pack.ts';
import type { PackedCharm } from '../../../lib/packaging/pack.ts';
import { REPO_ROOT, prepareRuntime } from '../../../lib/packaging/runtime.ts';
import type { Runtime } from '../../../lib/packaging/runtime.ts';
import { listZip } from '../../../lib/packaging/zip-listing.ts';
import { unpackCharm } from '../../../lib/packaging/unpack.ts';

const FIXTURE = join(REPO_ROOT, 'tests/integration/packaging/fixture-charm');
const EPOCH = 1_700_000_000;
const EXPECTED_FILES = ['packaging-fixture_ubuntu-22.04-amd64.charm', 'packaging-fixture_ubuntu-24.04-amd64.charm'];

type Yaml = Record<string, unknown>;
const work = mkdtempSync(join(tmpdir(), 'pack-it-'));
let runtime: Runtime;
let first: PackedCharm[];
let second: PackedCharm[];
let files: Record<string, Uint8Array>;

const yamlOf = (name: string): Yaml => load(new TextDecoder().decode(files[name])) as Yaml;

beforeAll(async () => {
  runtime = prepareRuntime();
  first = await packCharm(FIXTURE, { outDir: join(work, 'a'), sourceDateEpoch: EPOCH, runtime });
  // Second pack prepares the runtime again from its options (cache hit), like a fresh process.
  second = await packCharm(FIXTURE, { outDir: join(work, 'b'), sourceDateEpoch: EPOCH, runtime: {} });
  // Inflating the 108 MB runtime in JavaScript takes seconds: the dispatch tests check it instead.
  files = unzipSync(readFileSync(first[0]!.file), { filter: (f) => f.name !== 'runtime/node' });
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('packCharm: artifacts', () => {
  it('names one artifact per base entry the way charmcraft does', () => {
    expect(first.map((p) => basename(p.file))).toEqual(EXPECTED_FILES);
    expect(first.map((p) => p.size)).toEqual(first.map((p) => statSync(p.file).size));
  });

  it('is reproducible: packing twice gives identical bytes', () => {
    for (const [i, p] of first.entries()) {
      expect(readFileSync(p.file).equals(readFileSync(second[i]!.file))).toBe(true);
    }
  });

  it('changes bytes when SOURCE_DATE_EPOCH changes (so the comparison above can fail)', async () => {
    const other = await packCharm(FIXTURE, { outDir: join(work, 'c'), sourceDateEpoch: EPOCH + 86400, runtime });
    expect(readFileSync(other[0]!.file).equals(readFileSync(first[0]!.file))).toBe(false);
  });

  it('ships a source map and enables it in dispatch when asked', async () => {
    const [withMap] = await packCharm(FIXTURE, { outDir: join(work, 'map'), sourceDateEpoch: EPOCH, runtime, sourcemap: true });
    const bytes = readFileSync(withMap!.file);
    expect(listZip(bytes).map((e) => e.path)).toContain('src/charm.mjs.map');
    const got = unzipSync(bytes, { filter: (f) => f.name === 'dispatch' || f.name === 'src/charm.mjs.map' });
    expect(new TextDecoder().decode(got['dispatch'])).toContain('--enable-source-maps');
    expect(JSON.parse(new TextDecoder().decode(got['src/charm.mjs.map'])).sources).toEqual(['charm.ts']);
  });

  it('holds exactly the expected entries with 0755 for dispatch and runtime, 0644 otherwise', () => {
    expect(listZip(readFileSync(first[0]!.file)).map((e) => [e.path, e.mode!.toString(8)])).toEqual([
      ['actions.yaml', '644'],
      ['config.yaml', '644'],
      ['dispatch', '755'],
      ['manifest.yaml', '644'],
      ['metadata.yaml', '644'],
      ['runtime/README', '644'],
      ['runtime/node', '755'],
      ['src/charm.mjs', '644'],
    ]);
  });

});

describe('packCharm: YAML Juju reads', () => {
  it('metadata.yaml has name, summary, description and every endpoint with its interface', () => {
    const md = yamlOf('metadata.yaml');
    expect(md['name']).toBe('packaging-fixture');
    expect(typeof md['summary']).toBe('string');
    expect(typeof md['description']).toBe('string');
    expect(md['provides']).toEqual({ website: { interface: 'http' } });
    expect(md['requires']).toEqual({ db: { interface: 'pgsql', limit: 1 } });
    expect(md['peers']).toEqual({ cluster: { interface: 'fixture-cluster' } });
    for (const key of ['bases', 'config', 'actions', 'type', 'links', 'title']) expect(md).not.toHaveProperty(key);
  });

  it('config.yaml has typed options with defaults', () => {
    expect(yamlOf('config.yaml')['options']).toEqual({
      greeting: { type: 'string', default: 'hello', description: 'Word written into the status message.' },
      port: { type: 'int', default: 8080, description: 'Port the workload would listen on.' },
      verbose: { type: 'boolean', default: false, description: 'Log more.' },
    });
  });

  it('actions.yaml has the action with its params', () => {
    expect(yamlOf('actions.yaml')['say']).toEqual({ description: 'Log a message.', params: { message: { type: 'string', description: 'What to say.' } }, required: ['message'] });
  });

  it('manifest.yaml lists the run-on bases and the fixed timestamp', () => {
    const mf = yamlOf('manifest.yaml');
    expect(mf['bases']).toEqual([{ name: 'ubuntu', channel: '22.04', architectures: ['amd64'] }]);
    expect(mf['charmcraft-started-at']).toBe('2023-11-14T22:13:20.000Z');
    expect(typeof mf['charmcraft-version']).toBe('string');
    const second = unzipSync(readFileSync(first[1]!.file), { filter: (f) => f.name === 'manifest.yaml' });
    const other = load(new TextDecoder().decode(second['manifest.yaml'])) as Yaml;
    expect(other['bases']).toEqual([{ name: 'ubuntu', channel: '24.04', architectures: ['amd64'] }]);
  });
});

const hasUnzip = spawnSync('unzip', ['-v']).status === 0;

describe('system unzip', () => {
  (hasUnzip ? it : it.skip)('extracts (checking CRCs) dispatch and runtime as executable', () => {
    const dest = join(work, 'unzip');
    execFileSync('unzip', ['-q', first[0]!.file, '-d', dest]);
    expect(statSync(join(dest, 'dispatch')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dest, 'runtime/node')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dest, 'metadata.yaml')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(dest, 'metadata.yaml')).equals(Buffer.from(files['metadata.yaml']!))).toBe(true);
  });
});

/** A PATH of fake hook tools plus every /usr/bin and /bin command except node. */
function hookPath(): { path: string; calls: string } {
  const tools = join(work, 'tools');
  const sys = join(work, 'sys-without-node');
  mkdirSync(tools, { recursive: true });
  mkdirSync(sys, { recursive: true });
  const calls = join(work, 'calls.log');
  for (const tool of ['juju-log', 'status-set']) {
    writeFileSync(join(tools, tool), '#!/bin/sh\nprintf "%s %s | %s\\n" "$(basename "$0")" "$*" "$JUJU_DISPATCH_PATH" >> "$CALLS"\n', { mode: 0o755 });
  }
  for (const dir of ['/usr/bin', '/bin']) {
    for (const name of readdirSync(dir)) {
      if (name === 'node' || name === 'nodejs' || existsSync(join(sys, name))) continue;
      symlinkSync(join(dir, name), join(sys, name));
    }
  }
  return { path: `${tools}:${sys}`, calls };
}

describe('dispatch from the packed charm', () => {
  let charm: string;
  let env: Record<string, string>;
  let calls: string;

  beforeAll(() => {
    charm = join(work, 'deployed');
    unpackCharm(first[0]!.file, charm);
    const p = hookPath();
    calls = p.calls;
    env = { PATH: p.path, CALLS: calls, JUJU_UNIT_NAME: 'packaging-fixture/0' };
  });

  it('holds the stripped runtime byte for byte', () => {
    expect(readFileSync(join(charm, 'runtime/node')).equals(readFileSync(runtime.path))).toBe(true);
  });

  it('has no node on its PATH', () => {
    const r = spawnSync('/bin/sh', ['-c', 'command -v node'], { env });
    expect(r.status).not.toBe(0);
    expect(r.stdout.toString()).toBe('');
  });

  it('runs the charm on the bundled runtime for JUJU_DISPATCH_PATH=hooks/install', () => {
    rmSync(calls, { force: true });
    execFileSync(join(charm, 'dispatch'), [], { cwd: charm, env: { ...env, JUJU_DISPATCH_PATH: 'hooks/install' } });
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toEqual([
      `juju-log -- packaging-fixture: install on node ${runtime.version} at ${charm}/runtime/node | hooks/install`,
      'status-set active ran install | hooks/install',
    ]);
  });

  it('runs through a hooks/<name> symlink without JUJU_DISPATCH_PATH (pre-dispatch agents)', () => {
    rmSync(calls, { force: true });
    mkdirSync(join(charm, 'hooks'), { recursive: true });
    symlinkSync('../dispatch', join(charm, 'hooks/start'));
    execFileSync('hooks/start', [], { cwd: charm, env });
    expect(readFileSync(calls, 'utf8')).toContain('status-set active ran start | hooks/start');
  });

  it('fails the hook when a hook tool fails', () => {
    const failing = join(work, 'failing-tools');
    mkdirSync(failing, { recursive: true });
    writeFileSync(join(failing, 'status-set'), '#!/bin/sh\necho "ERROR boom" >&2\nexit 1\n', { mode: 0o755 });
    const r = spawnSync(join(charm, 'dispatch'), [], { cwd: charm, env: { ...env, PATH: `${failing}:${env['PATH']}`, JUJU_DISPATCH_PATH: 'hooks/install' } });
    expect(r.status).not.toBe(0);
    expect(r.stderr.toString()).toContain('ERROR boom');
  });
});

describe('tox-free-scripts/pack', () => {
  it('packs a named charm dir and prints each artifact path and size, same bytes as packCharm', () => {
    const out = join(work, 'script');
    const stdout = execFileSync(join(REPO_ROOT, 'tox-free-scripts/pack'), ['--out-dir', out, FIXTURE], {
      cwd: REPO_ROOT, env: { ...process.env, SOURCE_DATE_EPOCH: String(EPOCH) }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const [i, line] of lines.entries()) {
      const [path, size] = line.split('\t');
      expect(basename(path!)).toBe(EXPECTED_FILES[i]);
      expect(size).toMatch(new RegExp(`^${first[i]!.size} bytes \\(\\d+\\.\\d MB\\)$`));
      expect(readFileSync(join(out, EXPECTED_FILES[i]!)).equals(readFileSync(first[i]!.file))).toBe(true);
    }
  }, 60_000);
});
