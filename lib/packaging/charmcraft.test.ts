import { describe, it, expect, afterAll } from '@jest/globals';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { charmFileName, loadCharmProject, parseCharmcraft } from './charmcraft.ts';
import { PackagingError } from './errors.ts';

const root = mkdtempSync(join(tmpdir(), 'charmcraft-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const emptyDir = () => mkdtempSync(join(root, 'd-'));
const base = { name: 'nats', type: 'charm', summary: 's', description: 'd' };
const parse = (raw: Record<string, unknown>) => parseCharmcraft(raw, 'charmcraft.yaml', emptyDir());

describe('parseCharmcraft bases', () => {
  it('reads the long form: one target per bases entry, run-on as given', () => {
    const p = parse({ ...base, bases: [{ 'build-on': [{ name: 'ubuntu', channel: '22.04' }], 'run-on': [{ name: 'ubuntu', channel: '22.04', architectures: ['amd64'] }, { name: 'ubuntu', channel: '24.04' }] }] });
    expect(p.targets).toEqual([[{ name: 'ubuntu', channel: '22.04', architectures: ['amd64'] }, { name: 'ubuntu', channel: '24.04', architectures: ['amd64'] }]]);
  });

  it('reads the short form, defaulting architectures to amd64', () => {
    const p = parse({ ...base, bases: [{ name: 'ubuntu', channel: '22.04' }, { name: 'ubuntu', channel: '24.04', architectures: ['amd64'] }] });
    expect(p.targets).toEqual([[{ name: 'ubuntu', channel: '22.04', architectures: ['amd64'] }], [{ name: 'ubuntu', channel: '24.04', architectures: ['amd64'] }]]);
  });

  it('reads base + platforms (charmcraft 3): bare arch keys and base:arch build-for', () => {
    const p = parse({ ...base, base: 'ubuntu@22.04', platforms: { amd64: null, other: { 'build-on': ['ubuntu@24.04:amd64'], 'build-for': ['ubuntu@24.04:amd64'] } } });
    expect(p.targets).toEqual([[{ name: 'ubuntu', channel: '22.04', architectures: ['amd64'] }], [{ name: 'ubuntu', channel: '24.04', architectures: ['amd64'] }]]);
  });

  it('rejects an unquoted channel, which YAML reads as a number', () => {
    expect(() => parse({ ...base, bases: [{ name: 'ubuntu', channel: 22.04 }] })).toThrow(/channel must be a string \(quote it/);
  });

  it('rejects a charm with no bases at all', () => {
    expect(() => parse(base)).toThrow(PackagingError);
  });
});

describe('parseCharmcraft metadata', () => {
  const withBases = { ...base, bases: [{ name: 'ubuntu', channel: '22.04' }] };

  it('keeps only metadata keys, maps title/links to legacy names, expands endpoint short form', () => {
    const p = parse({ ...withBases, title: 'NATS', links: { source: 'https://s', documentation: 'https://d' }, parts: { charm: {} }, provides: { client: 'nats' }, requires: { ca: { interface: 'tls-certificates', limit: 1 } } });
    expect(p.metadata).toEqual({
      name: 'nats', summary: 's', description: 'd', 'display-name': 'NATS', source: 'https://s', docs: 'https://d',
      provides: { client: { interface: 'nats' } }, requires: { ca: { interface: 'tls-certificates', limit: 1 } },
    });
  });

  it('turns a single links.contact into a maintainers list', () => {
    expect(parse({ ...withBases, links: { contact: 'Team <team@example.com>' } }).metadata['maintainers']).toEqual(['Team <team@example.com>']);
  });

  it.each(['name', 'summary', 'description'])('requires %s', (key) => {
    const raw: Record<string, unknown> = { ...withBases };
    delete raw[key];
    expect(() => parse(raw)).toThrow(new RegExp(`'${key}' must be a non-empty string`));
  });

  it('rejects an endpoint without an interface, naming it', () => {
    expect(() => parse({ ...withBases, requires: { db: { limit: 1 } } })).toThrow("endpoint 'requires.db' has no 'interface'");
  });

  it('rejects an invalid charm name', () => {
    expect(() => parse({ ...withBases, name: 'Bad_Name' })).toThrow(/not a valid charm name/);
  });
});

describe('parseCharmcraft config and actions', () => {
  const withBases = { ...base, bases: [{ name: 'ubuntu', channel: '22.04' }] };

  it('passes config and actions through unchanged', () => {
    const config = { options: { port: { type: 'int', default: 4222 }, debug: { type: 'boolean', default: false } } };
    const actions = { rotate: { description: 'Rotate the CA.' } };
    const p = parse({ ...withBases, config, actions });
    expect(p.config).toEqual(config);
    expect(p.actions).toEqual(actions);
  });

  it('rejects an unknown option type and a default of the wrong type', () => {
    expect(() => parse({ ...withBases, config: { options: { x: { type: 'list' } } } })).toThrow(/option 'x' needs a type/);
    expect(() => parse({ ...withBases, config: { options: { x: { type: 'int', default: '1' } } } })).toThrow(/default "1" is not of type int/);
  });

  it('falls back to legacy config.yaml beside charmcraft.yaml', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'config.yaml'), 'options:\n  x:\n    type: string\n');
    writeFileSync(join(dir, 'charmcraft.yaml'), 'name: nats\ntype: charm\nsummary: s\ndescription: d\nbases: [{name: ubuntu, channel: "22.04"}]\n');
    expect(loadCharmProject(dir).config).toEqual({ options: { x: { type: 'string' } } });
  });
});

describe('charmFileName', () => {
  it('follows charmcraft: name then base-channel-arch per run-on base', () => {
    expect(charmFileName('nats', [{ name: 'ubuntu', channel: '22.04', architectures: ['amd64'] }])).toBe('nats_ubuntu-22.04-amd64.charm');
    expect(charmFileName('a', [{ name: 'ubuntu', channel: '22.04', architectures: ['amd64', 'arm64'] }, { name: 'ubuntu', channel: '24.04', architectures: ['amd64'] }]))
      .toBe('a_ubuntu-22.04-amd64-arm64_ubuntu-24.04-amd64.charm');
  });
});
