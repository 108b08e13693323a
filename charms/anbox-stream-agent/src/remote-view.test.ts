import { describe, expect, it } from '@jest/globals';
import type { Relation } from '../../../lib/relations/relation.ts';
import { RemoteViews } from './remote-view.ts';

/** Unit state as state-get/state-set/state-delete see it (contract §2.8), counting writes. */
function fakeState(initial: Record<string, string> = {}) {
  const state = { ...initial };
  const calls: string[] = [];
  return {
    state,
    calls,
    tools: {
      stateGet: () => ({ ...state }),
      stateSet: (d: Readonly<Record<string, string>>) => { calls.push(`set ${Object.keys(d).join(',')}`); Object.assign(state, d); },
      stateDelete: (k: string) => { calls.push(`delete ${k}`); delete state[k]; },
    },
  };
}

const rel = (endpoint: string, id: number) => ({ endpoint, id, name: `${endpoint}:${id}` }) as unknown as Relation;

describe('RemoteViews', () => {
  it('keeps a view per relation id and writes only when it changed', () => {
    const s = fakeState();
    const views = new RemoteViews(s.tools);
    expect(views.get(rel('nats', 3))).toBeUndefined();
    views.keep(rel('nats', 3), { urls: { 'nats/0': 'tls://a:4222' } });
    views.keep(rel('nats', 3), { urls: { 'nats/0': 'tls://a:4222' } });
    expect(s.calls).toEqual(['set anbox-stream-agent.remote.nats:3']);
    // A later hook reads it back from unit state.
    expect(new RemoteViews(s.tools).get(rel('nats', 3))).toEqual({ urls: { 'nats/0': 'tls://a:4222' } });
    expect(new RemoteViews(s.tools).get(rel('nats', 4))).toBeUndefined();
  });

  it('prune drops the views of relations no longer live, and only of that endpoint', () => {
    const s = fakeState({ 'anbox-stream-agent.remote.nats:3': '{}', 'anbox-stream-agent.remote.nats:7': '{}', 'anbox-stream-agent.remote.ams:3': '{}', other: 'x' });
    new RemoteViews(s.tools).prune('nats', [rel('nats', 7)]);
    expect(Object.keys(s.state).sort()).toEqual(['anbox-stream-agent.remote.ams:3', 'anbox-stream-agent.remote.nats:7', 'other']);
  });

  it('an unreadable stored view counts as none', () => {
    const s = fakeState({ 'anbox-stream-agent.remote.ams:1': 'not json' });
    expect(new RemoteViews(s.tools).get(rel('ams', 1))).toBeUndefined();
  });
});
