/**
 * The nats charm: one reconcile() for every hook (design.md), three actions.
 *
 * reconcile: snap installed on the configured channel → event data (secret-remove prunes a
 * revision; client-relation-broken revokes that relation's grant and rotates the token) →
 * token (app secret `nats-token`, token.ts) → certificates (lib/charmkit: config PEMs >
 * `ca-client` relation > self-signed CA in the app secret `ca`) → peers (cluster.ts) →
 * clients (clients.ts) → NatsWorkload.apply (restart/reload only on change) → port, version,
 * one status. Relation writes are flushed once, at the end.
 *
 * TLS rule (issue 6 "TLS turns off when its config is cleared"): config TLS is on exactly while
 * `tls-cert` + `tls-key` are set (`tls-ca-cert` optional, the anchor clients and peers verify
 * against; alone it is a blocked config). Clearing them turns config TLS off in that same
 * hook: the operator's certificate and key stop being served and their files are replaced
 * (the published charm kept serving them, stale), and the charm falls back to the next
 * source: the `ca-client` relation, else its own self-signed CA (the same CA as before: it is
 * never regenerated). It never falls back to plaintext: the issue makes the self-signed CA
 * the last source, so this NATS always speaks TLS and the `nats://` URL form is unused.
 *
 * Tests run the exported definition in-process (`createNatsCharm({ root, commands })` gives
 * each unit its own directory and a recording command runner); the packaged charm runs `main`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bindAddress, serverNames } from '../../../lib/charmkit/addresses.ts';
import { reconcileCertificates, storedCertificates, type CertificatesResult } from '../../../lib/charmkit/certificates.ts';
import { configBool, configInt, configString } from '../../../lib/charmkit/config.ts';
import { charmKit, type CharmKit } from '../../../lib/charmkit/kit.ts';
import { parseKeyAlgorithm } from '../../../lib/charmkit/key-algorithm.ts';
import { defineCharm, main, type CharmContext, type CharmDefinition } from '../../../lib/juju/dispatch.ts';
import { HookToolError } from '../../../lib/juju/errors.ts';
import { ActionFailed, BlockedStatus, type UnitStatus } from '../../../lib/juju/status.ts';
import { certificateFingerprint } from '../../../lib/tls/fingerprint.ts';
import { splitCertificatePems } from '../../../lib/tls/pem.ts';
import { execFileCommand, type CommandRunner } from '../../common/src/workload-commands.ts';
import { StatusBook } from '../../common/src/status-book.ts';
import { CLIENT_ENDPOINT, reconcileClients } from './clients.ts';
import { CLUSTER_ENDPOINT, reconcileCluster } from './cluster.ts';
import { ensureToken, rotateToken, tokenSecret } from './token.ts';
import { NATS_DEFAULT_MONITOR, NATS_SERVER_DIR, NatsWorkload, snapNatsControl } from './workload.ts';

export const CA_CLIENT_ENDPOINT = 'ca-client';
/** Unit state: the snap channel installed (so a channel change refreshes, and install runs once). */
const SNAP_CHANNEL_KEY = 'nats.snap-channel';
/** Unit state: the last application-version-set value (it is an immediate write: skip repeats). */
const APP_VERSION_KEY = 'nats.app-version';

export interface NatsCharmOptions {
  /** `CHARM_WORKLOAD_ROOT` of the unit running the hook (tests: a directory per unit). Default the env's. */
  readonly root?: (ctx: CharmContext) => string | undefined;
  /** Runs `snap` / `systemctl` (tests: a recording runner per unit). Default child_process. */
  readonly commands?: (ctx: CharmContext) => CommandRunner;
  readonly now?: () => Date;
}

interface Extras {
  readonly reissue?: readonly string[];
  readonly rotate?: boolean;
}

interface NatsConfig {
  readonly clientPort: number;
  readonly clusterPort: number;
  readonly allAddresses: boolean;
  readonly verifyClients: boolean;
  readonly debug: boolean;
  readonly trace: boolean;
  readonly channel: string;
  readonly pems: { cert: string; key: string; caCert: string };
  readonly keyAlgorithm: ReturnType<typeof parseKeyAlgorithm>;
}

function readConfig(ctx: CharmContext): NatsConfig {
  const c = ctx.tools.configGet();
  const port = { min: 1, max: 65535 };
  return {
    clientPort: configInt(c, 'client-port', 4222, port),
    clusterPort: configInt(c, 'cluster-port', 4248, port),
    allAddresses: configBool(c, 'listen-on-all-addresses', false),
    verifyClients: configBool(c, 'verify-tls-clients', false),
    debug: configBool(c, 'debug', false),
    trace: configBool(c, 'trace', false),
    channel: configString(c, 'snap-channel', 'stable') || 'stable',
    pems: { cert: configString(c, 'tls-cert'), key: configString(c, 'tls-key'), caCert: configString(c, 'tls-ca-cert') },
    keyAlgorithm: parseKeyAlgorithm(c['ca-key-algorithm']),
  };
}

const workloadRoot = (ctx: CharmContext, options: NatsCharmOptions): string | undefined =>
  options.root ? options.root(ctx) : process.env['CHARM_WORKLOAD_ROOT'] || undefined;

/** Install the snap once, refresh it when the channel changes (argv carries no secret). */
async function ensureSnap(ctx: CharmContext, run: CommandRunner, channel: string): Promise<void> {
  const installed = ctx.tools.stateGet()[SNAP_CHANNEL_KEY];
  if (installed === channel) return;
  await run(installed ? ['snap', 'refresh', 'nats', `--channel=${channel}`] : ['snap', 'install', 'nats', `--channel=${channel}`]);
  ctx.tools.stateSet({ [SNAP_CHANNEL_KEY]: channel });
}

/** The snap's version from its metadata (`/snap/nats/current/meta/snap.yaml`), if readable. */
function snapVersion(root: string | undefined): string | undefined {
  try {
    const text = readFileSync(join(root ?? '/', 'snap/nats/current/meta/snap.yaml'), 'utf8');
    return /^version:\s*['"]?([^'"\n]+)['"]?\s*$/m.exec(text)?.[1]?.trim();
  } catch {
    return undefined;
  }
}

/** Event data the reconcile needs (design.md: event-specific code only where the event carries data). */
function handleEvent(kit: CharmKit): void {
  const { hook } = kit.ctx;
  if (hook.kind === 'secret-remove' && hook.secret) {
    const outcome = kit.store.handleSecretRemove(hook.secret.id, hook.secret.revision);
    kit.log.debug(`secret-remove ${hook.secret.label || hook.secret.id} revision ${hook.secret.revision ?? '?'}: ${outcome}`);
  }
  const broken = kit.relations.brokenRelation();
  if (broken?.endpoint === CLIENT_ENDPOINT && kit.isLeader()) {
    const secret = tokenSecret(kit);
    if (secret.peek() === undefined) return;
    try {
      secret.revoke(broken);
    } catch (e) {
      // The grant dies with the relation anyway (contract §3.5 item 10); rotation below is what cuts access.
      if (!(e instanceof HookToolError)) throw e;
      kit.log.warning(`revoking the token grant on ${broken.name}: ${e.shortMessage}`);
    }
    rotateToken(kit);
    kit.log.info(`${broken.name} broken: token rotated so the departed client loses access`);
  }
}

export async function reconcileNats(ctx: CharmContext, options: NatsCharmOptions = {}, extras: Extras = {}): Promise<UnitStatus> {
  const cfg = readConfig(ctx);
  if (!cfg.keyAlgorithm.ok) throw new BlockedStatus(cfg.keyAlgorithm.message);
  if (cfg.pems.caCert.trim() && !cfg.pems.cert.trim() && !cfg.pems.key.trim()) {
    throw new BlockedStatus('config "tls-ca-cert" is set without "tls-cert" and "tls-key": set the certificate and key too, or clear it');
  }
  const run = options.commands?.(ctx) ?? execFileCommand;
  const root = workloadRoot(ctx, options);
  await ensureSnap(ctx, run, cfg.channel);

  const kit = charmKit(ctx, { peerEndpoint: CLUSTER_ENDPOINT });
  const book = new StatusBook();
  handleEvent(kit);
  if (extras.rotate) rotateToken(kit);

  const peer = kit.relations.all(CLUSTER_ENDPOINT)[0];
  const token = await ensureToken(kit, peer);
  if (!token.ok) book.waiting(token.message);

  const clientRelations = kit.relations.all(CLIENT_ENDPOINT).map((r) => r.name);
  const certs: CertificatesResult = await reconcileCertificates(kit, {
    endpoint: CA_CLIENT_ENDPOINT,
    config: cfg.pems,
    prefer: 'config', // issue 6: config PEMs, else the ca-client relation, else the self-signed CA
    leaves: [{ name: 'server', usage: 'server', sans: serverNames(ctx.tools, [CLIENT_ENDPOINT, CLUSTER_ENDPOINT], { relations: clientRelations }) }],
    caKey: cfg.keyAlgorithm.spec,
    caCommonName: `${ctx.hook.unit.app} NATS CA`,
    caDescription: `NATS self-signed CA of ${ctx.hook.unit.app}: certificate and private key`,
    ...(extras.reissue ? { reissue: extras.reissue } : {}),
    ...(options.now ? { now: options.now() } : {}),
  });
  if (certs.status) book.add(certs.status);
  for (const p of certs.problems) kit.log.warning(p);
  const server = certs.leaves['server'];

  const cluster = await reconcileCluster(kit, peer, cfg.clusterPort, cfg.allAddresses, book);
  if (token.ok) {
    await reconcileClients(kit, { port: cfg.clientPort, tls: true, caPem: certs.trustPem ?? server?.caPem, token: token.token, tokenId: token.id, secret: tokenSecret(kit) }, book);
  }

  if (token.ok && server) {
    const workload = new NatsWorkload({
      ...(root ? { dir: join(root, NATS_SERVER_DIR) } : {}),
      control: snapNatsControl(run),
    });
    const result = await workload.apply({
      listenAddress: cfg.allAddresses ? '0.0.0.0' : (bindAddress(ctx.tools, CLIENT_ENDPOINT) ?? '0.0.0.0'),
      clientPort: cfg.clientPort,
      monitor: NATS_DEFAULT_MONITOR,
      cluster,
      tls: { cert: server.certPem, key: server.keyPem, ca: certs.trustPem ?? server.caPem, verifyClients: cfg.verifyClients },
      auth: { kind: 'token', token: token.token },
      debug: cfg.debug,
      trace: cfg.trace,
    });
    if (result.action !== 'none') kit.log.info(`nats-server ${result.action}: ${result.changes.map((c) => `${c.path} ${c.kind}`).join(', ')}`);
    reconcilePorts(ctx, cfg.clientPort);
    book.note(`serving on ${cfg.clientPort} (tls)`);
  } else if (!server && !certs.status) {
    book.waiting('no server certificate yet');
  }

  kit.relations.commit();
  const version = snapVersion(root);
  if (version && ctx.tools.stateGet()[APP_VERSION_KEY] !== version) {
    ctx.tools.applicationVersionSet(version);
    ctx.tools.stateSet({ [APP_VERSION_KEY]: version });
  }
  return book.status();
}

/** Open the client port; close any other TCP port we opened before (a changed client-port). */
function reconcilePorts(ctx: CharmContext, port: number): void {
  const opened = ctx.tools.openedPorts();
  if (!opened.some((p) => p.protocol === 'tcp' && p.from === port && p.to === port)) ctx.tools.openPort({ protocol: 'tcp', from: port, to: port });
  for (const p of opened) {
    if (p.protocol === 'tcp' && !(p.from === port && p.to === port)) ctx.tools.closePort(p);
  }
}

function caCertificate(ctx: CharmContext): string {
  const stored = storedCertificates(ctx.tools);
  const ca = stored.leaves['server']?.caPem;
  if (!ca) throw new ActionFailed('no CA certificate yet: see the unit status');
  return ca;
}

export function createNatsCharm(options: NatsCharmOptions = {}): CharmDefinition {
  const reconcileAndSet = async (ctx: CharmContext, extras: Extras): Promise<UnitStatus> => {
    const status = await reconcileNats(ctx, options, extras);
    ctx.tools.statusSet(status.name, status.message);
    return status;
  };
  return defineCharm({
    reconcile: (ctx) => reconcileNats(ctx, options),
    ...(options.now ? { clock: options.now } : {}),
    actions: {
      'get-ca-certificate': (ctx) => ({ 'ca-certificate': caCertificate(ctx) }),
      'rotate-token': async (ctx) => {
        if (!ctx.tools.isLeader()) throw new ActionFailed('rotate-token changes the application token: run it on the leader unit');
        const status = await reconcileAndSet(ctx, { rotate: true });
        // Never return the token: clients get it through their relation (secret or legacy URL).
        return { result: 'token rotated', status: `${status.name}: ${status.message}` };
      },
      'regenerate-certificates': async (ctx) => {
        const status = await reconcileAndSet(ctx, { reissue: ['server'] });
        const cert = storedCertificates(ctx.tools).leaves['server']?.certPem;
        if (!cert) throw new ActionFailed(`no new server certificate: ${status.message}`);
        return { fingerprint: certificateFingerprint(splitCertificatePems(cert)[0]!, 'colon') };
      },
    },
  });
}

export const charm = createNatsCharm();

if (import.meta.main) void main(charm);
