/**
 * Issue 6 "Cross-model" with mixed Juju personalities, process level: a 2.9 model has no secret
 * hook tools (contract: 2.9 personality), so the token cannot cross as a secret ID and the nats
 * charm falls back to the legacy `tls://<token>@host:port` URL real Anbox clients expect.
 *  - agent's model on 2.9, nats on 3.6: the requirer cannot read secrets;
 *  - nats on 2.9, agent on 3.6: the offering side cannot grant secrets.
 * Both settle with every unit active, and the real nats-server accepts the agent's config.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AGENT, deployStory } from '../../../tox-free-scripts/demo-story.ts';
import { findNatsServer, NATS_CFG, natsClientOptions, natsConnectError, natsRoundTrip, NatsServer, readAgentConfig } from '../../../tox-free-scripts/demo-nats.ts';
import { machineRoot } from '../../../lib/testing/process/machine.ts';
import { AMS_SERVER, notActive, openWorld, unitFile, type E2eWorld } from './harness.ts';
import { agentCallsAms, closeServer, startAmsStandIn } from './servers.ts';

const NATS_SERVER = findNatsServer();
const V29 = '2.9.49';
const V36 = '3.6.8';

interface UnitView { 'relation-info': Array<{ endpoint: string; 'application-data': Record<string, string>; 'related-units': Record<string, { data: Record<string, string> }> }> }

for (const [natsVersion, anboxVersion] of [[V36, V29], [V29, V36]] as const) {
  describe(`nats model on ${natsVersion}, anbox model on ${anboxVersion}: legacy token URL`, () => {
    let world: E2eWorld;

    beforeAll(async () => {
      world = await openWorld({ parallelism: 2 });
      await deployStory(world.sim, { charms: world.charms, loopback: world.loopback, natsVersion, anboxVersion });
    }, 240_000);

    afterAll(async () => {
      await world?.cleanup();
    });

    it('settles with every unit active', async () => {
      expect(await notActive(world.sim)).toEqual([]);
      const models = await world.sim.models();
      expect(models.find((m) => m.name === 'nats')?.version).toBe(natsVersion);
      expect(models.find((m) => m.name === 'anbox')?.version).toBe(anboxVersion);
    });

    it('the nats unit publishes the legacy URL with the token, and no secret ID', async () => {
      const unit = (await world.sim.showUnit(`${AGENT}/0`, 'anbox')) as Record<string, UnitView>;
      const rel = unit[`${AGENT}/0`]!['relation-info'].find((r) => r.endpoint === 'nats')!;
      expect(rel['application-data']['token_secret_id']).toBeUndefined();
      const url = rel['related-units']['nats/0']!.data['url'];
      expect(url).toMatch(/^tls:\/\/[^@/]+@[0-9.]+:4222$/);
      const config = readAgentConfig(machineRoot(world.home, 'anbox', `${AGENT}/0`));
      const token = config.nats!.token ?? decodeURIComponent(new URL(config.nats!.urls[0]!.replace(/^tls:/, 'https:')).username);
      expect(url).toContain(`//${token}@`);
    });

    it('the real nats-server accepts the agent configured from config.yaml and refuses a wrong token', async () => {
      expect(NATS_SERVER).toBeDefined();
      const server = await NatsServer.start(NATS_SERVER!, unitFile(world, 'nats', 'nats/0', NATS_CFG));
      try {
        const config = readAgentConfig(machineRoot(world.home, 'anbox', `${AGENT}/0`));
        expect(await natsRoundTrip(natsClientOptions(config), 'e2e.legacy', 'legacy ok')).toMatchObject({ received: 'legacy ok', tlsRequired: true });
        expect(await natsConnectError(natsClientOptions(config, { token: 'wrong-token-0123456789abcdef' }))).toBe('AUTHORIZATION_VIOLATION');
      } finally {
        await server.stop();
      }
    });

    it('real mTLS: a TLS server from AMS\'s rendered files accepts the agent\'s client certificate', async () => {
      const config = readAgentConfig(machineRoot(world.home, 'anbox', `${AGENT}/0`));
      const url = new URL(config.ams!.url);
      const server = await startAmsStandIn(unitFile(world, 'anbox', 'ams/0', AMS_SERVER), url.hostname, Number(url.port));
      try {
        expect(await agentCallsAms(config)).toBe(200);
      } finally {
        await closeServer(server);
      }
    });
  });
}
