/**
 * Leaks: after the story (story.ts, Juju 3.6 both sides) plus every action (token rotation,
 * certificate regeneration, CA queries) and a fault-injected rerun of a hook, sweep the
 * simulator's whole state (engine toJSON: databags, leader settings, unit state, statuses,
 * debug-log, action results, the recorded argv of every hook-tool call), the charms' stderr,
 * every rendered workload file, and every text any unit saved as its hook memory
 * (lib/juju/memory: a file in the charm directory on a real unit). No private key (PEM
 * `PRIVATE KEY`) or token may appear anywhere except in its Juju secret and in 0600 files
 * (key files, config files); the hook memory must hold none at all.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CharmHarness } from '../../../charms/common/src/testing/charm-harness.ts';
import type { InMemoryStore, MemoryStore } from '../../../lib/juju/memory/store.ts';
import type { WorldState } from '../../../lib/testing/engine/state.ts';
import { decodeContent } from './projection.ts';
import { AGENT, cleanup, FaultyRunner, newStory, run, type RunResult } from './story.ts';

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

/** Where `text` shows a private key or one of the sensitive values (also once JSON-unescaped). */
function leaksIn(text: string, sensitive: ReadonlyMap<string, string>): string[] {
  const unescaped = text.replace(/\\n/g, '\n');
  const found: string[] = [];
  if (PRIVATE_KEY.test(unescaped)) found.push('PEM PRIVATE KEY');
  for (const [v, name] of sensitive) if (text.includes(v) || unescaped.includes(v)) found.push(name);
  return found;
}

describe('leak sweep after the story, its actions and a failed hook', () => {
  let h: CharmHarness;
  let stderr: string[];
  let state: WorldState;
  let sensitive: Map<string, string>;
  let failedHooks: string[] = [];
  /** Hook-tool calls the charms made. */
  let calls = 0;
  /** Every text a unit saved as its hook memory, with the unit. */
  const memoryTexts: Array<{ unit: string; text: string }> = [];
  const recording = {
    memory: (store: InMemoryStore, hook: { unit: string }): MemoryStore => ({
      take: () => store.take(),
      save: (text) => { memoryTexts.push({ unit: hook.unit, text }); store.save(text); },
    }),
  };

  beforeAll(async () => {
    h = newStory();
    stderr = [];
    const played = (r: RunResult): void => { stderr.push(...r.stderr); calls += r.ran.reduce((n, x) => n + x.calls.length, 0); };
    played(await run(h, recording));
    for (const [model, unit, action] of [
      ['msg', 'nats/0', 'rotate-token'], ['msg', 'nats/0', 'get-ca-certificate'], ['msg', 'nats/1', 'regenerate-certificates'],
      ['cloud', 'ams/0', 'get-ca-certificate'], ['cloud', 'ams/0', 'regenerate-certificates'],
      ['cloud', `${AGENT}/0`, 'get-ca-certificate'], ['cloud', `${AGENT}/1`, 'regenerate-certificates'],
    ] as const) {
      h.engine.enqueueAction(model, unit, action, {});
      played(await run(h, recording));
    }
    // A hook that fails late (after it read every secret): its error line must not carry them.
    h.engine.setConfig('cloud', AGENT, { region: 'cloud-1' });
    const faulted = await run(h, { ...recording, wrap: (runner, hook, attempt) => (attempt === 0 && hook.unit === `${AGENT}/0` ? new FaultyRunner(runner, 20) : runner) });
    failedHooks = faulted.failed;
    played(faulted);
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
    for (const [where, value] of Object.entries(sections)) found.push(...leaksIn(JSON.stringify(value), sensitive).map((name) => `${where}: ${name}`));
    expect(found).toEqual([]);
    // The sweep really covered the whole state (no accidental empty section).
    // Every call's argv is in the sweep (the engine's record was not truncated).
    expect(calls).toBeGreaterThan(500);
    expect(state.toolCalls.length).toBe(calls);
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

  it('no unit ever saved a private key, token or secret value in its hook memory', () => {
    // Every text saved along the story, its actions and the failed hook, and what the units hold now.
    const texts = [...memoryTexts, ...[...h.memory.snapshot()].map(([key, text]) => ({ unit: key.split('\u0000')[1] ?? key, text }))];
    const found = texts.flatMap(({ unit, text }) => leaksIn(text, sensitive).map((name) => `${unit}: ${name}`));
    expect([...new Set(found)]).toEqual([]);
    // The sweep saw real memories: every unit's, with relation data and secret reads recorded.
    expect(new Set(texts.map((t) => t.unit)).size).toBe(5);
    expect(texts.length).toBeGreaterThan(50);
    expect(texts.some((t) => t.text.includes('"bag|'))).toBe(true);
    expect(texts.some((t) => t.text.includes('"secret|'))).toBe(true);
  });
});
