import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOfferTarget, Simulator } from './simulator.ts';

const charms = fileURLToPath(new URL('../../../tests/fixtures/charms/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'jujusim-api-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('parseOfferTarget (contract §4.1)', () => {
  it('splits [model.]app:ep[,ep]', () => {
    expect(parseOfferTarget('infra.nats:client,admin')).toEqual({ model: 'infra', app: 'nats', endpoints: ['client', 'admin'] });
    expect(parseOfferTarget('nats:client')).toEqual({ app: 'nats', endpoints: ['client'] });
    expect(() => parseOfferTarget('nats')).toThrow('invalid offer "nats"');
  });
});

describe('Simulator', () => {
  it('two Simulator objects on one home see each other\'s changes (state.json + lock)', async () => {
    const home = join(root, 'shared');
    const a = await Simulator.open(home);
    const b = await Simulator.open(home);
    try {
      await a.addModel('m');
      await b.deploy(join(charms, 'provider'), 'p', { model: 'm' });
      expect(await a.addUnit('p', 1, { model: 'm' })).toEqual(['p/1']);
      const st = (await b.status('m')) as { applications: { p: { units: Record<string, unknown> } } };
      expect(Object.keys(st.applications.p.units)).toEqual(['p/0', 'p/1']);
      expect(a.hooksRun + b.hooksRun).toBeGreaterThanOrEqual(8);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a refused verb leaves no half-applied state behind', async () => {
    const sim = await Simulator.open(join(root, 'refused'));
    try {
      await sim.addModel('m');
      await sim.deploy(join(charms, 'provider'), 'p');
      await expect(sim.integrate('p', 'nope')).rejects.toThrow();
      await expect(sim.deploy(join(charms, 'provider'), 'p')).rejects.toThrow();
      const st = (await sim.status()) as { applications: Record<string, { units: Record<string, unknown> }> };
      expect(Object.keys(st.applications)).toEqual(['p']);
      expect(Object.keys(st.applications.p!.units)).toEqual(['p/0']);
    } finally {
      await sim.close();
    }
  });

  it('keeps its agent socket in a private 0700 directory removed on close', async () => {
    const sim = await Simulator.open(join(root, 'sock'));
    const dir = dirname(sim.socketPath);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    await sim.close();
    expect(existsSync(dir)).toBe(false);
  });

  it('needs a model in focus for model-scoped verbs', async () => {
    const sim = await Simulator.open(join(root, 'nomodel'));
    try {
      await expect(sim.status()).rejects.toThrow('no model in focus');
    } finally {
      await sim.close();
    }
  });
});
