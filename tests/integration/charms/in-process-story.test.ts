/**
 * The three charms together, in-process against the simulator engine: nats offered from its
 * own model (`offer nats:client`, contract §4.1), consumed by anbox-stream-agent in the AMS
 * model, AMS related to the agent both ways. Juju personalities: both 3.6, agent model on
 * 2.9 (no secrets: the legacy `tls://<token>@host:port` URL), nats on 2.9 (it cannot grant
 * secrets: legacy URL again), and 3.6 with a seeded shuffle of the hook order.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { certificateFingerprint } from '../../../lib/tls/fingerprint.ts';
import { parseTrustStore } from '../../../charms/ams/src/workload.ts';
import { CharmHarness } from '../../../charms/common/src/testing/charm-harness.ts';

const EC = { key_algorithm: 'ec-p384' } as const;
const AGENT = 'anbox-stream-agent';

interface Story { readonly h: CharmHarness; readonly url: string }

async function story(natsVersion: string, amsVersion: string, options: { seed?: number; units?: number; amsUnits?: number } = {}): Promise<Story> {
  const units = options.units ?? 2;
  const h = new CharmHarness(options.seed === undefined ? {} : { seed: options.seed });
  h.engine.addModel('msg', { agentVersion: natsVersion });
  h.engine.addModel('cloud', { agentVersion: amsVersion });
  h.deploy('msg', 'nats', { units, config: { 'ca-key-algorithm': 'ec-p384' } });
  h.deploy('cloud', 'ams', { units: options.amsUnits ?? 1, config: EC });
  h.deploy('cloud', AGENT, { units, config: EC });
  const url = h.engine.offer('msg', 'nats', ['client']);
  h.engine.consume('cloud', url, 'nats');
  h.engine.integrate('cloud', `${AGENT}:nats`, 'nats:client');
  h.engine.integrate('cloud', 'ams:rest-api', `${AGENT}:ams`);
  h.engine.integrate('cloud', 'ams:agent', `${AGENT}:client`);
  await h.settle();
  return { h, url };
}

const agentConfig = (h: CharmHarness, unit: string) =>
  load(readFileSync(join(h.unitDir('cloud', unit, 'agent'), 'config.yaml'), 'utf8')) as { nats: { urls: string[]; token: string; ca: string }; ams: { fingerprint: string } };

function natsToken(h: CharmHarness, unit = 'nats/0'): string {
  const cfg = readFileSync(join(h.unitDir('msg', unit, 'nats'), 'nats.cfg'), 'utf8');
  const m = /token:\s*"([^"]+)"/.exec(cfg);
  if (!m?.[1]) throw new Error('no token in nats.cfg');
  return m[1];
}

describe.each([
  ['3.6.8', '3.6.8', 'secret'],
  ['3.6.8', '2.9.44', 'legacy URL'],
  ['2.9.44', '3.6.8', 'legacy URL'],
])('nats on %s offered to ams + anbox-stream-agent on %s (token via %s)', (natsVersion, amsVersion, via) => {
  let h: CharmHarness | undefined;
  afterEach(() => h?.cleanup());

  it('settles with every unit active; the agent is configured from both relations, AMS trusts exactly the agents', async () => {
    const s = await story(natsVersion, amsVersion);
    h = s.h;
    expect(h.failures).toEqual([]);
    for (const [unit, status] of Object.entries({ ...h.statuses('msg'), ...h.statuses('cloud') })) {
      expect(`${unit} ${status}`).toMatch(new RegExp(`^${unit.replace('/', '\\/')} active`));
    }
    const token = natsToken(h);
    for (const unit of [`${AGENT}/0`, `${AGENT}/1`]) {
      const cfg = agentConfig(h, unit);
      expect(cfg.nats.token).toBe(token);
      expect(cfg.nats.urls).toHaveLength(2);
      for (const u of cfg.nats.urls) expect(u).toMatch(/^tls:\/\/[0-9.]+:4222$/); // credentials never in the rendered URLs
      expect(readFileSync(cfg.nats.ca, 'utf8')).toMatch(/-----BEGIN CERTIFICATE-----/);
    }
    const trusted = parseTrustStore(readFileSync(join(h.unitDir('cloud', 'ams/0', 'ams'), 'server/trusted-clients.yaml'), 'utf8')).map((e) => e.fingerprint).sort();
    const agents = [0, 1].map((n) => certificateFingerprint(readFileSync(join(h!.unitDir('cloud', `${AGENT}/${n}`, 'agent'), 'certs/client.crt'), 'utf8'), 'plain')).sort();
    expect(trusted).toEqual(agents);

    // No credential or private key in any hook-tool argv, log line or status (both models).
    const apiToken = (load(readFileSync(join(h.unitDir('cloud', `${AGENT}/0`, 'agent'), 'config.yaml'), 'utf8')) as { api: { token: string } }).api.token;
    const argv = h.engine.toolCalls().map((c) => c.args.join(' ')).join('\n');
    const seen = [argv, h.engine.debugLog().join('\n'), JSON.stringify({ ...h.statuses('msg'), ...h.statuses('cloud') })];
    for (const text of seen) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(apiToken);
      expect(text).not.toMatch(/PRIVATE KEY-----\s*[A-Za-z0-9+/]{20}/);
    }

    // Every secret is readable in `juju secrets`: a label and a description (design.md "Secrets").
    for (const model of ['msg', 'cloud']) {
      if (!h.engine.toolNames(model).includes('secret-add')) continue;
      for (const [id, v] of Object.entries(h.engine.secrets(model) as Record<string, { label?: string; description?: string }>)) {
        expect(`${id} ${v.label ?? ''}`).toMatch(/ [a-z]/);
        expect(`${id} ${v.description ?? ''}`).toMatch(/ \S/);
      }
    }

    const bags = h.databagValues({ crossAppOnly: true });
    expect(bags.filter((v) => v.includes('PRIVATE KEY'))).toEqual([]);
    if (via === 'secret') {
      expect(bags.filter((v) => v.includes(token))).toEqual([]);
      if (natsVersion.startsWith('3') && amsVersion.startsWith('3')) expect(h.databagValues().filter((v) => v.includes('PRIVATE KEY'))).toEqual([]);
    } else {
      expect(bags.some((v) => v.startsWith(`tls://${token}@`))).toBe(true); // the published charm's legacy form
    }
  }, 120_000);
});

describe('cross-model story, lifecycle', () => {
  let h: CharmHarness | undefined;
  afterEach(() => h?.cleanup());

  it('settles with 3 units of each under a seeded shuffle of the hook order (3.6 both sides)', async () => {
    h = (await story('3.6.8', '3.6.8', { seed: 42, units: 3, amsUnits: 3 })).h;
    expect(h.failures).toEqual([]);
    expect(Object.values({ ...h.statuses('msg'), ...h.statuses('cloud') }).every((s) => s.startsWith('active'))).toBe(true);
    // Every AMS unit trusts exactly the three agents (each renders its own trust store).
    const agents = [0, 1, 2].map((n) => certificateFingerprint(readFileSync(join(h!.unitDir('cloud', `${AGENT}/${n}`, 'agent'), 'certs/client.crt'), 'utf8'), 'plain')).sort();
    for (const n of [0, 1, 2]) {
      const trusted = parseTrustStore(readFileSync(join(h.unitDir('cloud', `ams/${n}`, 'ams'), 'server/trusted-clients.yaml'), 'utf8')).map((e) => e.fingerprint).sort();
      expect(trusted).toEqual(agents);
    }

    // Re-running hooks (update-status, upgrade-charm on every app) writes nothing anywhere.
    const calls = h.engine.toolCalls().length;
    const commands = JSON.stringify([...h.commands.entries()]);
    h.engine.advanceTime(6 * 60 * 1000);
    for (const [model, app] of [['msg', 'nats'], ['cloud', 'ams'], ['cloud', AGENT]] as const) h.engine.refresh(model, app);
    expect((await h.settle()).length).toBeGreaterThan(0);
    expect(h.failures).toEqual([]);
    const writes = h.engine.toolCalls().slice(calls).filter((c) => ['relation-set', 'secret-add', 'secret-set', 'state-set', 'secret-grant', 'secret-revoke', 'leader-set'].includes(c.tool));
    expect(writes.map((c) => `${c.unit} ${c.hook} ${c.tool}`)).toEqual([]);
    expect(JSON.stringify([...h.commands.entries()])).toBe(commands);
  }, 120_000);

  it('removing the leaders keeps the CAs and the API token; the agent moves to the remaining AMS unit', async () => {
    h = (await story('3.6.8', '3.6.8', { amsUnits: 2 })).h;
    const caBefore = (await h.action('cloud', 'ams/1', 'get-ca-certificate')).results['ca-certificate'];
    const tokenBefore = (load(readFileSync(join(h.unitDir('cloud', `${AGENT}/1`, 'agent'), 'config.yaml'), 'utf8')) as { api: { token: string } }).api.token;
    h.engine.removeUnit('cloud', 'ams/0');
    h.engine.removeUnit('cloud', `${AGENT}/0`);
    await h.settle();
    expect(h.failures).toEqual([]);
    expect(h.statuses('cloud')).toEqual({ 'ams/1': 'active: 1 client trusted', [`${AGENT}/1`]: 'active' });
    expect((await h.action('cloud', 'ams/1', 'get-ca-certificate')).results['ca-certificate']).toBe(caBefore);
    const cfg = load(readFileSync(join(h.unitDir('cloud', `${AGENT}/1`, 'agent'), 'config.yaml'), 'utf8')) as { api: { token: string }; ams: { fingerprint: string } };
    expect(cfg.api.token).toBe(tokenBefore);
    const ams1 = readFileSync(join(h.unitDir('cloud', 'ams/1', 'ams'), 'server/server.crt'), 'utf8').split(/(?<=-----END CERTIFICATE-----\n)/)[0]!;
    expect(cfg.ams.fingerprint).toBe(certificateFingerprint(ams1, 'plain'));
    // AMS now calls the new agent leader's API.
    const items = readFileSync(join(h.unitDir('cloud', 'ams/1', 'ams'), 'server/config-items.yaml'), 'utf8');
    const agent1 = certificateFingerprint(readFileSync(join(h.unitDir('cloud', `${AGENT}/1`, 'agent'), 'certs/client.crt'), 'utf8'), 'plain');
    expect(items).toContain(agent1);
  }, 120_000);

  it('removing the nats relation blocks the agent; rotate-token reaches the agent; unit and relation removal leave no stale trust', async () => {
    h = (await story('3.6.8', '3.6.8')).h;
    const before = natsToken(h);
    const rotate = await h.action('msg', 'nats/0', 'rotate-token');
    expect(rotate.status).toBe('completed');
    await h.settle();
    expect(h.failures).toEqual([]);
    const after = natsToken(h);
    expect(after).not.toBe(before);
    expect(agentConfig(h, `${AGENT}/0`).nats.token).toBe(after);

    h.engine.removeUnit('cloud', `${AGENT}/1`);
    await h.settle();
    const trustFile = join(h.unitDir('cloud', 'ams/0', 'ams'), 'server/trusted-clients.yaml');
    expect(parseTrustStore(readFileSync(trustFile, 'utf8'))).toHaveLength(1);

    h.engine.removeRelation('cloud', `${AGENT}:nats`, 'nats:client');
    h.engine.removeRelation('cloud', 'ams:rest-api', `${AGENT}:ams`);
    await h.settle();
    expect(h.failures).toEqual([]);
    expect(parseTrustStore(readFileSync(trustFile, 'utf8'))).toEqual([]);
    expect(h.statuses('cloud')[`${AGENT}/0`]).toMatch(/^blocked: missing relation "ams".*missing relation "nats"/);
  }, 120_000);
});
