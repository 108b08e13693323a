/**
 * Minimal reproductions of what the fuzzers found in the charms (charms/* are not ours to
 * edit). Each is `it.failing` while the bug exists, so the suite stays green and the test
 * turns red, asking to be flipped to `it`, once the charm is fixed.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import type { CharmHarness } from '../../../charms/common/src/testing/charm-harness.ts';
import type { WorldState } from '../../../lib/testing/engine/state.ts';
import { AGENT, cleanup, newStory, run } from './story.ts';

/** Write `data` into `unit`'s bag (its app bag with `app`) on the relation of `endpoint`, as that unit would. */
function inject(h: CharmHarness, model: string, unit: string, endpoint: string, data: Record<string, string>, app = false): void {
  const state = h.engine.toJSON() as WorldState;
  const rel = Object.values(state.relations).find((r) => r.ends.some((e) => e.model === model && e.app === unit.split('/')[0] && e.endpoint === endpoint))!;
  const ctx = h.engine.openContext(model, unit);
  const r = h.engine.runTool(ctx.contextId, 'relation-set', ['-r', String(rel.ids[model]), ...(app ? ['--app'] : []), '--file', '-'], { stdin: JSON.stringify(data) });
  h.engine.finishHook(ctx.contextId, { exitCode: r.exitCode });
  expect(r.exitCode).toBe(0);
}

function bag(h: CharmHarness, model: string, owner: string, endpoint: string): Record<string, string> {
  const state = h.engine.toJSON() as WorldState;
  const rel = Object.values(state.relations).find((r) => r.ends.some((e) => e.model === model && owner.startsWith(`app:${model}/${e.app}`) && e.endpoint === endpoint))!;
  return rel.bags[owner] ?? {};
}

/** Only the named app's charm runs; the other side keeps what was injected. */
const only = (app: string) => ({ skip: (hook: { unit: string }) => !hook.unit.startsWith(`${app}/`) });

describe('findings (charm bugs found by the fuzzers)', () => {
  let h: CharmHarness | undefined;
  afterEach(() => cleanup(h));

  it('SECURITY: an invalid secrets_supported flag from AMS makes the agent publish its API token inline', async () => {
    h = newStory();
    await run(h);
    expect(bag(h, 'cloud', `app:cloud/${AGENT}`, 'client')['token']).toBeUndefined();
    inject(h, 'cloud', 'ams/0', 'agent', { secrets_supported: 'maybe' });
    await run(h, only(AGENT));
    // A garbage flag is not "cannot read secrets": the token must stay behind its secret id.
    expect(bag(h, 'cloud', `app:cloud/${AGENT}`, 'client')['token']).toBeUndefined();
  }, 60_000);

  it('an invalid nats app bag leaves the agent\'s working NATS configuration unchanged', async () => {
    h = newStory();
    await run(h);
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const before = readFileSync(join(h.unitDir('cloud', `${AGENT}/0`, 'agent'), 'config.yaml'), 'utf8');
    inject(h, 'msg', 'nats/0', 'client', { ca_cert: 'not a certificate' }, true);
    await run(h, only(AGENT));
    expect(readFileSync(join(h.unitDir('cloud', `${AGENT}/0`, 'agent'), 'config.yaml'), 'utf8')).toBe(before);
  }, 60_000);

  it('an invalid agent-api app bag leaves AMS\'s agent API items and config-items.yaml (0600) unchanged', async () => {
    h = newStory();
    await run(h);
    const { readFileSync, statSync } = await import('node:fs');
    const { join } = await import('node:path');
    const file = join(h.unitDir('cloud', 'ams/0', 'ams'), 'server/config-items.yaml');
    const before = readFileSync(file, 'utf8');
    inject(h, 'cloud', `${AGENT}/0`, 'client', { url: 'http://not-https' }, true);
    await run(h, only('ams'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(before);
  }, 60_000);
});
