/**
 * Renewal and CA rotation without a failed connection, in real time (one ~8 s run; the
 * minute-scale version with an injected clock is lib/tls/plan.test.ts).
 *
 * Two units reconcile with `reconcileTls` every 150 ms: the leader serves (server leaf), the
 * follower connects (client leaf). The follower sees the leader's app-scoped CA material
 * 250 ms late, as a Juju peer sees an app secret after its secret-changed hook. CA 8 s,
 * leaves 2 s, renewal at 2/3, staged CA trusted 1.6 s before it signs. A handshake every
 * 100 ms must succeed throughout.
 */
import { describe, it, expect, afterAll } from '@jest/globals';
import { reconcileTls, Certificate, appTlsState, unitTlsState, mergeTlsState, type AppTlsState, type TlsState, type ApplyOptions, type LeafSpec, type TlsMaterial } from '../../../lib/tls/index.ts';
import { startEchoServer, handshake, type EchoServer, type Material } from './tls-harness.ts';

const OPTS: ApplyOptions = { caKey: { type: 'ec' }, leafKey: { type: 'ec' }, caValidity: { seconds: 8 }, leafValidity: { seconds: 2 }, backdate: {} };
const STAGE_GRACE = { seconds: 1.6 };
const SERVER: LeafSpec[] = [{ name: 'server', usage: 'server', sans: ['127.0.0.1'] }];
const CLIENT: LeafSpec[] = [{ name: 'client', usage: 'client', commonName: 'agent/0' }];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type AppCa = AppTlsState; // what the leader publishes in the app-owned secret
const servers: EchoServer[] = [];
afterAll(async () => { await Promise.all(servers.map((s) => s.close())); });

const toMaterial = (m: TlsMaterial, leaf: string): Material => ({ key: m.state.leaves![leaf]!.keyPem, cert: m.state.leaves![leaf]!.certPem, ca: m.trustPem! });

describe('renewal and CA rotation under load', () => {
  it('keeps every handshake working across leaf renewals, CA staging, activation and retirement', async () => {
    let leaderState: TlsState = {};
    let followerState: TlsState = {};
    const published: { at: number; ca: AppCa }[] = [];
    const seenByFollower = (): AppCa => {
      const visible = published.filter((p) => p.at <= Date.now() - 250);
      return visible.at(-1)?.ca ?? {};
    };

    const first = await reconcileTls({ wanted: SERVER, state: leaderState, isLeader: true, stageGrace: STAGE_GRACE }, OPTS);
    leaderState = first.material.state;
    published.push({ at: Date.now() - 250, ca: appTlsState(leaderState) });
    const ca1 = leaderState.selfSignedCa!.certPem;
    const f0 = await reconcileTls({ wanted: CLIENT, state: mergeTlsState(seenByFollower(), undefined), isLeader: false, stageGrace: STAGE_GRACE }, OPTS);
    followerState = f0.material.state;
    let client = toMaterial(f0.material, 'client');
    const server = await startEchoServer(toMaterial(first.material, 'server'));
    servers.push(server);

    const events: string[] = [];
    const serverFingerprints = new Set<string>();
    const clientFingerprints = new Set<string>();
    let controlChecked = false;
    const failures: string[] = [];
    let handshakes = 0;
    const start = Date.now();
    let running = true;

    const reconcileLoop = (async () => {
      while (running) {
        const l = await reconcileTls({ wanted: SERVER, state: leaderState, isLeader: true, stageGrace: STAGE_GRACE }, OPTS);
        leaderState = l.material.state;
        if (l.plan.ca !== 'keep') events.push(`${Date.now() - start}ms leader ${l.plan.ca}`);
        if (l.material.changed.selfSignedCa) published.push({ at: Date.now(), ca: appTlsState(leaderState) });
        if (l.plan.ca === 'activate' && !controlChecked) {
          // Control: a server trusting only the new CA rejects the follower's current (old-CA) leaf.
          controlChecked = true;
          const strict = await startEchoServer({ ...toMaterial(l.material, 'server'), ca: leaderState.selfSignedCa!.certPem });
          servers.push(strict);
          const r = await handshake(strict.port, client);
          events.push(`control with new CA only: ${r.ok ? 'accepted' : 'rejected'}`);
        }
        if (l.material.changed.leaves.length || l.material.changed.trust) server.setMaterial(toMaterial(l.material, 'server'));
        const f = await reconcileTls({ wanted: CLIENT, state: mergeTlsState(seenByFollower(), unitTlsState(followerState)), isLeader: false, stageGrace: STAGE_GRACE }, OPTS);
        followerState = f.material.state;
        if (f.material.changed.leaves.length || f.material.changed.trust) client = toMaterial(f.material, 'client');
        await sleep(150);
      }
    })();

    while (Date.now() - start < 8_300) {
      const r = await handshake(server.port, client);
      handshakes += 1;
      if (r.ok) serverFingerprints.add(r.peerFingerprint256!);
      else failures.push(`${Date.now() - start}ms ${r.error}`);
      clientFingerprints.add(Certificate.fromPem(client.cert).fingerprintSha256);
      await sleep(100);
    }
    running = false;
    await reconcileLoop;

    expect(failures).toEqual([]);
    expect(handshakes).toBeGreaterThan(30);
    // Leaves were renewed several times on both sides.
    expect(serverFingerprints.size).toBeGreaterThanOrEqual(3);
    expect(clientFingerprints.size).toBeGreaterThanOrEqual(3);
    // The CA was staged, then activated; the old CA was needed (control) and then retired.
    expect(events.filter((e) => / leader (stage|activate)$/.test(e)).map((e) => e.split(' ').at(-1))).toEqual(['stage', 'activate']);
    expect(events).toContain('control with new CA only: rejected');
    const ca2 = leaderState.selfSignedCa!.certPem;
    expect(ca2).not.toBe(ca1);
    expect(Certificate.fromPem(leaderState.leaves!.server!.certPem).issuerNameMatches(Certificate.fromPem(ca2))).toBe(true);
    expect(await Certificate.fromPem(followerState.leaves!.client!.certPem).isSignedBy(Certificate.fromPem(ca2))).toBe(true);
    expect(leaderState.trust!.retired.map((r) => r.pem)).toEqual([]); // pruned once CA1's leaves expired
    expect(leaderState.trust!.current).toBe(ca2);
  }, 30_000);
});
