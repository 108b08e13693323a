/**
 * Every Tools method against the project's Juju simulator (lib/testing, which implements
 * juju-contract.md): proves the argv lib/juju emits is argv Juju's tools accept, and that the
 * parsing matches the answers. The fake-executable tests check exact argv; this checks meaning.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { createEngine } from '../testing/engine/index.ts';
import type { CharmSpec, SimEngine } from '../testing/engine/index.ts';
import { InProcessRunner } from '../testing/in-process.ts';
import { NotLeaderError, PermissionDeniedError, SecretNotFoundError } from './errors.ts';
import { Tools } from './hook-tools.ts';
import type { RelationIdString } from './types.ts';
import { JujuVersion } from './version.ts';

const SERVER: CharmSpec = {
  name: 'server',
  provides: { client: { interface: 'srv' } },
  requires: {},
  peers: { cluster: { interface: 'srv-cluster' } },
  config: { port: { type: 'int', default: 4222 }, debug: { type: 'boolean', default: false }, name: { type: 'string' } },
  actions: { backup: { params: { target: { type: 'string', default: '/tmp' } } } },
};
const CLIENT: CharmSpec = { name: 'client', provides: {}, requires: { server: { interface: 'srv' } }, peers: {}, config: {}, actions: {} };

function drain(engine: SimEngine): void {
  for (let h = engine.nextHook(); h; h = engine.nextHook()) engine.finishHook(h.contextId, { exitCode: 0 });
}

describe('Tools against the simulator (contract conformance)', () => {
  let engine: SimEngine;
  let rid: number;
  const open = (unit: string) => {
    const inv = engine.openContext('m', unit);
    const tools = new Tools(new InProcessRunner(engine, inv.contextId), { unitName: unit, version: JujuVersion.parse('3.6.1') });
    return { tools, finish: (exitCode = 0) => engine.finishHook(inv.contextId, { exitCode }) };
  };

  beforeEach(() => {
    let t = Date.UTC(2026, 0, 1);
    let seed = 1;
    engine = createEngine({ now: () => (t += 1000), random: () => ((seed = (seed * 16807) % 2147483647) / 2147483647) });
    engine.addModel('m', { agentVersion: '3.6.1' });
    engine.deploy('m', SERVER, 'server', { units: 2 });
    engine.deploy('m', CLIENT, 'client', { units: 2 });
    rid = engine.integrate('m', 'server', 'client');
    drain(engine);
  });

  it('relations, config, leadership, state, status, ports, network', () => {
    const leader = open('server/0');
    const t = leader.tools;
    const ids = t.relationIds('client');
    expect(ids).toEqual([`client:${rid}`]);
    const id = ids[0] as RelationIdString;
    expect(t.relationList(id)).toEqual(['client/0', 'client/1']);
    expect(t.relationRemoteApp(id)).toBe('client');
    expect(t.relationIds('nope')).toEqual([]);
    expect(t.configGet()).toEqual({ port: 4222, debug: false });
    expect(t.isLeader()).toBe(true);

    t.relationSet(id, { url: 'nats://10.0.0.1:4222', 'multi-line': 'a\nb: c' });
    t.relationSet(id, { ca: 'PEM' }, { app: true });
    expect(t.relationGet(id, 'server/0')).toMatchObject({ url: 'nats://10.0.0.1:4222', 'multi-line': 'a\nb: c' });
    expect(t.relationGet(id, 'server', { app: true })).toEqual({ ca: 'PEM' });
    expect(Object.keys(t.relationGet(id, 'client/0'))).toContain('ingress-address');

    t.leaderSet({ k: 'v' });
    expect(t.leaderGet()).toEqual({ k: 'v' });
    expect(t.stateGet()).toEqual({});
    t.stateSet({ a: 'x y', b: 'z' });
    t.stateDelete('b');
    expect(t.stateGet()).toEqual({ a: 'x y' });

    t.statusSet('active', '-dash first');
    expect(t.statusGet()).toEqual({ status: 'active', message: '-dash first' });
    t.statusSet('waiting', 'app', { application: true });
    expect(t.applicationStatusGet()).toMatchObject({ status: 'waiting', message: 'app' });
    t.jujuLog('-r looks like a flag', 'WARNING');
    t.applicationVersionSet('2.9.10');

    t.openPort({ protocol: 'tcp', from: 4222 });
    t.openPort({ protocol: 'udp', from: 6000, to: 6010 }, { endpoints: ['client'] });
    t.closePort({ protocol: 'icmp' });
    expect(t.openedPorts()).toEqual([]); // not committed yet (contract §0.4)
    expect(t.networkGet('client')['ingress-addresses']?.length).toBeGreaterThan(0);
    leader.finish();

    const again = open('server/0');
    expect(again.tools.openedPorts()).toEqual([{ protocol: 'tcp', from: 4222, to: 4222 }, { protocol: 'udp', from: 6000, to: 6010 }]);
    expect(again.tools.stateGet()).toEqual({ a: 'x y' });
    again.finish();

    const follower = open('server/1');
    expect(follower.tools.isLeader()).toBe(false);
    expect(() => follower.tools.leaderSet({ k: 'w' })).toThrow(NotLeaderError);
    expect(() => follower.tools.relationSet(id, { x: '1' }, { app: true })).toThrow(NotLeaderError);
    follower.finish();

    const client = open('client/0');
    expect(client.tools.relationGet(rid, 'server/0')).toMatchObject({ url: 'nats://10.0.0.1:4222' });
    expect(client.tools.relationGet(rid, 'server', { app: true })).toEqual({ ca: 'PEM' });
    client.finish();
    // contract §2.6: a non-leader may not read its own app bag of a non-peer relation.
    const nonLeader = open('client/1');
    expect(() => nonLeader.tools.relationGet(rid, 'client', { app: true })).toThrow(PermissionDeniedError);
    nonLeader.finish();
  });

  it('secrets: add via files, grant, consumer get, set, info, revoke, remove', () => {
    const leader = open('server/0');
    const id = leader.tools.secretAdd({ token: 't0k3n-value' }, { label: 'client-token', description: 'the token' });
    expect(id).toMatch(/^secret:/);
    expect(leader.tools.secretGet({ id })).toEqual({ token: 't0k3n-value' });
    expect(leader.tools.secretIds()).toEqual([id.replace(/^secret:/, '')]);
    leader.tools.secretGrant(id, `client:${rid}`);
    expect(leader.tools.secretInfoGet({ label: 'client-token' })).toMatchObject({ id: id.replace(/^secret:/, ''), revision: 1, label: 'client-token', owner: 'application', description: 'the token' });
    leader.finish();
    drain(engine);

    const client = open('client/0');
    expect(client.tools.secretGet({ id, label: 'upstream' })).toEqual({ token: 't0k3n-value' });
    client.finish();

    const owner = open('server/0');
    owner.tools.secretSet(id, { token: 'second-value' });
    owner.tools.secretSet(id, undefined, { description: 'rotated' });
    owner.finish();
    drain(engine);

    const reader = open('client/0');
    expect(reader.tools.secretGet({ label: 'upstream' })).toEqual({ token: 't0k3n-value' });
    expect(reader.tools.secretGet({ label: 'upstream', peek: true })).toEqual({ token: 'second-value' });
    expect(reader.tools.secretGet({ label: 'upstream', refresh: true })).toEqual({ token: 'second-value' });
    expect(() => reader.tools.secretGet({ label: 'nope' })).toThrow(SecretNotFoundError);
    reader.finish();

    const revoker = open('server/0');
    revoker.tools.secretRevoke(id, { relationId: rid });
    revoker.tools.secretRemove(id, { revision: 1 });
    revoker.finish();
    drain(engine);

    const denied = open('client/0');
    expect(() => denied.tools.secretGet({ id })).toThrow(PermissionDeniedError);
    denied.finish();

    const remover = open('server/0');
    remover.tools.secretRemove(id);
    remover.finish();
    const gone = open('server/0');
    expect(gone.tools.secretIds()).toEqual([]);
    gone.finish();
  });

  it('actions: params, results, fail, log', () => {
    engine.enqueueAction('m', 'server/0', 'backup', { target: '/srv' });
    const inv = engine.nextHook();
    expect(inv?.kind).toBe('action');
    const tools = new Tools(new InProcessRunner(engine, inv?.contextId ?? ''));
    expect(tools.actionGet()).toEqual({ target: '/srv' });
    tools.actionLog('50%');
    tools.actionSet({ 'result.path': '/srv/b.tar' });
    tools.actionFail('partial');
    engine.finishHook(inv?.contextId ?? '', { exitCode: 0 });
  });
});
