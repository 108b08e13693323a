import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { CharmLoadError, extractCharmZip, loadCharm, loadCharmDir, zipModes } from './charm-loader.ts';

const fixtures = fileURLToPath(new URL('../../tests/fixtures/charms/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'jujusim-loader-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function dir(name: string, files: Record<string, string>): string {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  for (const [f, body] of Object.entries(files)) writeFileSync(join(d, f), body);
  return d;
}

describe('loadCharmDir', () => {
  it('reads charmcraft.yaml with metadata, config options and actions inline', () => {
    const spec = loadCharmDir(join(fixtures, 'provider'));
    expect(spec).toMatchObject({
      name: 'provider', provides: { data: { interface: 'demo' } }, requires: {}, peers: {},
      config: { token: { type: 'string', default: 'first-token' }, 'fail-marker': { type: 'string', default: '' } },
      dir: join(fixtures, 'provider'),
    });
    expect(spec.actions.rotate?.params).toEqual({ token: { type: 'string' } });
  });

  it('reads metadata.yaml + config.yaml + actions.yaml', () => {
    const spec = loadCharmDir(join(fixtures, 'requirer'));
    expect(spec).toMatchObject({ name: 'requirer', requires: { data: { interface: 'demo' } }, config: { 'fail-marker': { type: 'string' } } });
    expect(Object.keys(spec.actions)).toEqual(['show-token-digest']);
  });

  it('accepts the short `endpoint: interface` form, limits and scopes', () => {
    const d = dir('short', { 'metadata.yaml': 'name: s\nprovides:\n  web: http\nrequires:\n  db: {interface: pg, limit: 1, scope: container}\npeers:\n  p: {interface: s-peers}\n' });
    expect(loadCharmDir(d)).toMatchObject({ provides: { web: { interface: 'http' } }, requires: { db: { interface: 'pg', limit: 1, scope: 'container' } }, peers: { p: { interface: 's-peers' } }, config: {}, actions: {} });
  });

  it('rejects missing metadata, a missing name, unknown option types and bad endpoints', () => {
    expect(() => loadCharmDir(dir('none', {}))).toThrow(CharmLoadError);
    expect(() => loadCharmDir(dir('noname', { 'metadata.yaml': 'provides: {}\n' }))).toThrow('missing charm name');
    expect(() => loadCharmDir(dir('badtype', { 'metadata.yaml': 'name: x\n', 'config.yaml': 'options:\n  a: {type: list}\n' }))).toThrow('unknown type "list"');
    expect(() => loadCharmDir(dir('badep', { 'metadata.yaml': 'name: x\nprovides:\n  a: {limit: 1}\n' }))).toThrow('missing interface');
  });
});

describe('loadCharm with a .charm zip', () => {
  const dispatch = readFileSync(join(fixtures, 'provider', 'dispatch'));
  const zip = zipSync({
    'metadata.yaml': [new TextEncoder().encode('name: zipped\nprovides:\n  data: {interface: demo}\n'), { os: 3, attrs: 0o100644 << 16 }],
    dispatch: [dispatch, { os: 3, attrs: 0o100755 << 16 }],
    'hooks/': [new Uint8Array(0), {}],
  });
  const file = join(root, 'zipped_ubuntu-22.04-amd64.charm');
  writeFileSync(file, zip);

  it('reads unix modes from the central directory', () => {
    expect(zipModes(zip).get('dispatch')).toBe(0o755);
  });

  it('unpacks once into <home>/charms/<name>-<hash>/ keeping dispatch executable', async () => {
    const home = join(root, 'home');
    const spec = await loadCharm(file, { home });
    expect(spec.name).toBe('zipped');
    expect(spec.dir).toMatch(new RegExp(`^${home}/charms/zipped_ubuntu-22.04-amd64-[0-9a-f]{12}$`));
    expect(statSync(join(spec.dir!, 'dispatch')).mode & 0o111).not.toBe(0);
    expect((await loadCharm(file, { home })).dir).toBe(spec.dir);
  });

  it('refuses an entry escaping the charm directory (zip slip)', async () => {
    const evil = join(root, 'evil.charm');
    writeFileSync(evil, zipSync({ 'metadata.yaml': new TextEncoder().encode('name: e\n'), '../escape': new Uint8Array(1) }));
    await expect(loadCharm(evil, { home: join(root, 'home2') })).rejects.toThrow(/escapes the charm directory|outside/);
    expect(() => extractCharmZip(evil, join(root, 'direct-evil'))).toThrow('escapes the charm directory');
  });

  it('the built-in fflate extractor (used when lib/packaging is absent) keeps the exec bit too', () => {
    const dest = join(root, 'direct');
    extractCharmZip(file, dest);
    expect(statSync(join(dest, 'dispatch')).mode & 0o777).toBe(0o755);
    expect(loadCharmDir(dest).name).toBe('zipped');
  });

  it('says when the path does not exist', async () => {
    await expect(loadCharm(join(root, 'nope'), { home: root })).rejects.toThrow('not found');
  });
});
