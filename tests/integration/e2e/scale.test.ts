/**
 * Issue 6 "Done when": 3 units of each charm, with the seed shuffle (hook interleaving across
 * units shuffled, two hooks at a time), process level. The heavy variant: one per suite.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createHash, X509Certificate } from 'node:crypto';
import { parseTrustStore } from '../../../charms/ams/src/workload-render.ts';
import { AGENT, deployStory, type StoryResult } from '../../../tox-free-scripts/demo-story.ts';
import { findNatsServer, NATS_CFG, natsClientOptions, natsRoundTrip, NatsServer, readAgentConfig } from '../../../tox-free-scripts/demo-nats.ts';
import { machineRoot } from '../../../lib/testing/process/machine.ts';
import { AMS_SERVER, NATS_SERVER_DIR, notActive, openWorld, readUnitFile, unitFile, type E2eWorld } from './harness.ts';

const SEED = 20261122;
const NATS_SERVER = findNatsServer();

let world: E2eWorld;
let story: StoryResult;

const fingerprintOf = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
const agentFingerprint = (unit: string): string => fingerprintOf(readFileSync(readAgentConfig(machineRoot(world.home, 'anbox', unit)).tls.cert, 'utf8'));
const trusted = (amsUnit: string): string[] => parseTrustStore(readUnitFile(world, 'anbox', amsUnit, `${AMS_SERVER}/trusted-clients.yaml`)).map((e) => e.fingerprint).sort();

beforeAll(async () => {
  world = await openWorld({ seed: SEED, parallelism: 2 });
  story = await deployStory(world.sim, { charms: world.charms, loopback: world.loopback, units: 3, timeoutMs: 400_000 });
}, 420_000);

afterAll(async () => {
  await world?.cleanup();
});

describe(`3 units of each charm, seed ${SEED}`, () => {
  it('settles with every unit active', async () => {
    expect(story.units).toEqual({ nats: ['nats/0', 'nats/1', 'nats/2'], ams: ['ams/0', 'ams/1', 'ams/2'], [AGENT]: [`${AGENT}/0`, `${AGENT}/1`, `${AGENT}/2`] });
    expect(await notActive(world.sim)).toEqual([]);
  });

  it('one CA across the nats units, and every agent unit has it and every nats URL', () => {
    const ca = readUnitFile(world, 'nats', 'nats/0', `${NATS_SERVER_DIR}/ca.pem`);
    for (const u of story.units.nats) expect(readUnitFile(world, 'nats', u, `${NATS_SERVER_DIR}/ca.pem`)).toBe(ca);
    const urls = story.units.nats.map((u) => `tls://${story.plan.map.get(`nats/${u}`)}:4222`).sort();
    for (const u of story.units[AGENT]) {
      const config = readAgentConfig(machineRoot(world.home, 'anbox', u));
      expect([...config.nats!.urls].sort()).toEqual(urls);
      expect(readFileSync(config.nats!.ca!, 'utf8')).toContain(ca.trim());
    }
  });

  it('every AMS unit trusts exactly the three agent certificates', () => {
    const expected = story.units[AGENT].map(agentFingerprint).sort();
    expect(new Set(expected).size).toBe(3);
    for (const u of story.units.ams) expect(trusted(u)).toEqual(expected);
  });

  it('an agent on one nats unit\'s server: the real nats-server from nats/1\'s nats.cfg accepts agent/2', async () => {
    expect(NATS_SERVER).toBeDefined();
    const server = await NatsServer.start(NATS_SERVER!, unitFile(world, 'nats', 'nats/1', NATS_CFG));
    try {
      const config = readAgentConfig(machineRoot(world.home, 'anbox', `${AGENT}/2`));
      const url = `tls://${server.listen.host}:${server.listen.port}`;
      expect(await natsRoundTrip(natsClientOptions(config, { url }), 'e2e.scale', 'three')).toMatchObject({ received: 'three', tlsRequired: true });
    } finally {
      await server.stop();
    }
  });

  it('removing the agent leader: its certificate leaves every AMS unit, the others stay trusted, the agent CA is kept', async () => {
    const status = (await world.sim.status('anbox')) as { applications: Record<string, { units: Record<string, { leader?: boolean }> }> };
    const leader = Object.entries(status.applications[AGENT]!.units).find(([, u]) => u.leader)![0];
    const caSecret = async () => Object.entries((await world.sim.secrets('anbox')) as Record<string, { label?: string; owner: string; revision: number }>)
      .filter(([, s]) => s.owner === AGENT && s.label === 'ca').map(([id, s]) => `${id}@${s.revision}`);
    const caBefore = await caSecret();
    expect(caBefore).toHaveLength(1);
    const gone = agentFingerprint(leader);
    const staying = story.units[AGENT].filter((u) => u !== leader).map(agentFingerprint).sort();
    await world.sim.removeUnit(leader, { model: 'anbox' });
    expect(await notActive(world.sim)).toEqual([]);
    for (const u of story.units.ams) expect(trusted(u)).toEqual(staying);
    expect(staying).not.toContain(gone);
    expect(await caSecret()).toEqual(caBefore);
  }, 120_000);
});
