/**
 * Leaks: after the story (story.ts, Juju 3.6 both sides) plus every action (token rotation,
 * certificate regeneration, CA queries) and a fault-injected rerun of a hook, sweep the
 * simulator's whole state (engine toJSON: databags, leader settings, unit state, statuses,
 * debug-log, action results, the recorded argv of every hook-tool call), the charms' stderr
 * and every rendered workload file. No private key (PEM `PRIVATE KEY`) or token may appear
 * anywhere except in its Juju secret and in 0600 files (key files, config files).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CharmHarness } from '../../../charms/common/src/testing/charm-harness.ts';
import type { WorldState } from '../../../lib/testing/engine/state.ts';
import { decodeContent } from './projection.ts';
import { AGENT, cleanup, FaultyRunner, newStory, run } from './story.ts';

const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Every sensitive string the charms hold: secret contents that are keys or credentials. */
function sensitiveValues(state: WorldState): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of Object.values(state.secrets)) {
    for (const rev of Object.values(s.revisions)) {
      for (const [k, v] of Object.entries(decodeContent(rev.content) ?? {})) {
        const name = `secret ${s.owner} ${s.label ?? ''} ${k}`;
        if (PRIVATE_KEY.test(v)) {
          // The key itself and a recognisable piece of its body (catches re-wrapped or escaped copies).
          out.set(v.trim(), name);
          const body = v.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
          out.set(body.slice(0, 48), `${name} (body)`);
        } else if (!/-----BEGIN CERTIFICATE-----/.test(v) && v.length >= 8) {
          out.set(v, name); // tokens, passwords
        }
      }
    }
  }
  return out;
}

function files(root: string): Array<{ path: string; mode: number; text: string }> {
  const out: Array<{ path: string; mode: number; text: string }> = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.push({ path: relative(root, p), mode: statSync(p).mode & 0o777, text: readFileSync(p, 'utf8') });
    }
  };
  walk(root);
  return out;
}

describe('leak sweep after the story, its actions and a failed hook', () => {
  let h: CharmHarness;
  let stderr: string[];
  let state: WorldState;
  let sensitive: Map<string, string>;
  let failedHooks: string[] = [];

  beforeAll(async () => {
    h = newStory();
    stderr = [];
    stderr.push(...(await run(h)).stderr);
    for (const [model, unit, action] of [
      ['msg', 'nats/0', 'rotate-token'], ['msg', 'nats/0', 'get-ca-certificate'], ['msg', 'nats/1', 'regenerate-certificates'],
      ['cloud', 'ams/0', 'get-ca-certificate'], ['cloud', 'ams/0', 'regenerate-certificates'],
      ['cloud', `${AGENT}/0`, 'get-ca-certificate'], ['cloud', `${AGENT}/1`, 'regenerate-certificates'],
    ] as const) {
      h.engine.enqueueAction(model, unit, action, {});
      stderr.push(...(await run(h)).stderr);
    }
    // A hook that fails late (after it read every secret): its error line must not carry them.
    h.engine.setConfig('cloud', AGENT, { region: 'cloud-1' });
    const faulted = await run(h, { wrap: (runner, hook, attempt) => (attempt === 0 && hook.unit === `${AGENT}/0` ? new FaultyRunner(runner, 20) : runner) });
    failedHooks = faulted.failed;
    stderr.push(...faulted.stderr);
    state = h.engine.toJSON() as WorldState;
    sensitive = sensitiveValues(state);
  }, 120_000);

  afterAll(() => cleanup(h));

  it('found the credentials to look for (keys of every unit, both tokens)', () => {
    const names = [...sensitive.values()].join('\n');
    expect(names).toMatch(/tls-keys/);
    expect(names).toMatch(/ ca key/);
    expect(names).toMatch(/nats-token/);
    expect(names).toMatch(/api-token/);
    expect(sensitive.size).toBeGreaterThan(10);
    // The late fault did fail a hook, and dispatch wrote its (redacted) error line.
    expect(failedHooks).toEqual([`${AGENT}/0 config-changed`]);
    expect(stderr.join('\n')).toMatch(/injected fault/);
  });

  it('nothing sensitive in the engine state outside the secrets store', () => {
    const { secrets: _secrets, ...rest } = state;
    const sections: Record<string, unknown> = {
      relations: rest.relations,
      log: rest.log,
      toolCalls: rest.toolCalls,
      ...Object.fromEntries(Object.values(rest.models).flatMap((m) => [
        [`${m.name} actions`, m.actions],
        ...Object.values(m.apps).flatMap((a) => [
          [`${m.name}/${a.name} leader settings`, a.leaderSettings],
          [`${m.name}/${a.name} app status`, a.status],
          ...Object.values(a.units).map((u) => [`${m.name}/${u.name} state+status`, { state: u.state, workload: u.workload, agent: u.agent }]),
        ]),
      ])),
      stderr,
    };
    const found: string[] = [];
    for (const [where, value] of Object.entries(sections)) {
      const text = JSON.stringify(value);
      const unescaped = text.replace(/\\n/g, '\n');
      if (PRIVATE_KEY.test(unescaped)) found.push(`${where}: PEM PRIVATE KEY`);
      for (const [v, name] of sensitive) if (text.includes(v) || unescaped.includes(v)) found.push(`${where}: ${name}`);
    }
    expect(found).toEqual([]);
    // The sweep really covered the whole state (no accidental empty section).
    expect(state.toolCalls.length).toBeGreaterThan(1000);
    expect(state.log.length).toBeGreaterThan(0);
    expect(Object.values(state.models).flatMap((m) => Object.values(m.actions)).length).toBe(7);
  });

  it('rendered files: keys and credentials only in 0600 files', () => {
    const all = files(h.root);
    const offenders: string[] = [];
    const holders = new Set<string>();
    for (const f of all) {
      const hits = [...sensitive].filter(([v]) => f.text.includes(v)).map(([, n]) => n);
      if (PRIVATE_KEY.test(f.text)) hits.push('PEM PRIVATE KEY');
      if (hits.length === 0) continue;
      holders.add(f.path.replace(/-\d+\//, '-N/'));
      if (f.mode !== 0o600) offenders.push(`${f.path} (mode ${f.mode.toString(8)}): ${hits.join(', ')}`);
    }
    expect(offenders).toEqual([]);
    // Where they are expected, and nowhere else (one key file per leaf, the config files).
    expect([...holders].sort()).toEqual([
      'cloud/ams-N/ams/etcd/client-key.pem',
      'cloud/ams-N/ams/etcd/server-key.pem',
      'cloud/ams-N/ams/server/config-items.yaml',
      'cloud/ams-N/ams/server/server.key',
      'cloud/anbox-stream-agent-N/agent/certs/client.key',
      'cloud/anbox-stream-agent-N/agent/config.yaml',
      'msg/nats-N/nats/var/snap/nats/common/server/key.pem',
      'msg/nats-N/nats/var/snap/nats/common/server/nats.cfg',
    ]);
  });
});
