/**
 * The ams charm: one reconcile() for every hook (design.md), two actions.
 *
 * reconcile: certificates (lib/charmkit: `certificates` relation > self-signed CA in the app
 * secret `ca`) → whom to trust on `rest-api` (client-certificates.ts) and our answer there
 * (rest-api.ts) → the agent API config items (agent-link.ts) → the datastore (etcd.ts) →
 * AmsWorkload.apply (files, restart only on change, `amc config trust add/remove` for the
 * difference only) → one status. Relation writes are flushed once, at the end.
 *
 * Tests run the exported definition in-process (`createAmsCharm({ workload })` gives each
 * unit its own directory); the packaged charm runs `main(charm)`.
 */
import { charmKit, type CharmKit } from '../../../lib/charmkit/kit.ts';
import { reconcileCertificates, storedCertificates, type CertificatesResult } from '../../../lib/charmkit/certificates.ts';
import { configBool, configInt, configString } from '../../../lib/charmkit/config.ts';
import { bindAddress, serverNames } from '../../../lib/charmkit/addresses.ts';
import { parseKeyAlgorithm } from '../../../lib/charmkit/key-algorithm.ts';
import { memoFingerprint } from '../../../lib/charmkit/fingerprint-memo.ts';
import { defineCharm, main, type CharmContext, type CharmDefinition } from '../../../lib/juju/dispatch.ts';
import { ActionFailed, BlockedStatus, type UnitStatus } from '../../../lib/juju/status.ts';
import { loadInterface } from '../../../lib/relations/interfaces.ts';
import { certificateFingerprint } from '../../../lib/tls/fingerprint.ts';
import { splitCertificatePems } from '../../../lib/tls/pem.ts';
import { StatusBook } from '../../common/src/status-book.ts';
import { AGENT_CODEC, AGENT_ENDPOINT, AGENT_ITEMS, agentConfigItems } from './agent-link.ts';
import { decideTrust } from './client-certificates.ts';
import { applyEmbeddedEtcdFiles, ETCD_ENDPOINT, resolveDatastore } from './etcd.ts';
import { answerRestApi, nodeName } from './rest-api.ts';
import { AmsWorkload, loadBalancerUrl } from './workload.ts';

export const REST_ENDPOINT = 'rest-api';
export const CERTIFICATES_ENDPOINT = 'certificates';
export const PEER_ENDPOINT = 'peers';

export interface AmsCharmOptions {
  /** The workload of the unit running the hook (tests: a directory per unit, a fake `amc`). */
  readonly workload?: (ctx: CharmContext) => AmsWorkload;
  readonly now?: () => Date;
}

interface ReconcileExtras {
  /** regenerate-certificates: leaves to re-issue with a fresh key. */
  readonly reissue?: readonly string[];
}

interface Config {
  readonly port: number;
  readonly location: string;
  readonly embedded: boolean;
  readonly forceTls12: boolean;
  readonly logLevel: string;
  readonly portRange: string;
  readonly keyAlgorithm: ReturnType<typeof parseKeyAlgorithm>;
}

function readConfig(ctx: CharmContext): Config {
  const c = ctx.tools.configGet();
  return {
    port: configInt(c, 'port', 8444, { min: 1, max: 65535 }),
    location: configString(c, 'location').trim(),
    embedded: configBool(c, 'use_embedded_etcd', true),
    forceTls12: configBool(c, 'force_tls12', false),
    logLevel: configString(c, 'log_level', 'info') || 'info',
    portRange: configString(c, 'port_range', '10000-11000') || '10000-11000',
    keyAlgorithm: parseKeyAlgorithm(c['key_algorithm'], 'key_algorithm'),
  };
}

function firstCertificate(pem: string): string {
  return splitCertificatePems(pem)[0] ?? pem;
}

async function certificates(kit: CharmKit, cfg: Config, extras: ReconcileExtras): Promise<CertificatesResult> {
  if (!cfg.keyAlgorithm.ok) throw new BlockedStatus(cfg.keyAlgorithm.message);
  const { tools, hook } = kit.ctx;
  const restRelations = kit.relations.all(REST_ENDPOINT).map((r) => r.name);
  return reconcileCertificates(kit, {
    endpoint: CERTIFICATES_ENDPOINT,
    leaves: [
      { name: 'server', usage: 'server', sans: serverNames(tools, [REST_ENDPOINT], { relations: restRelations, extra: cfg.location ? [cfg.location] : [] }) },
      { name: 'etcd-client', usage: 'client', commonName: `${hook.unit.name} etcd client` },
      // `both`: etcd's gRPC gateway dials its own listener with the server certificate as a
      // client certificate, so with client-cert-auth it needs clientAuth too (measured: HTTP 503 without).
      ...(cfg.embedded ? [{ name: 'etcd-server', usage: 'both' as const, sans: ['127.0.0.1', 'localhost'] }] : []),
    ],
    caKey: cfg.keyAlgorithm.spec,
    caDescription: 'AMS self-signed CA (certificate and private key): signs the AMS API and etcd certificates',
    ...(extras.reissue ? { reissue: extras.reissue } : {}),
  });
}

function syncPort(ctx: CharmContext, port: number): void {
  const opened = ctx.tools.openedPorts().filter((p) => p.protocol === 'tcp');
  for (const p of opened) if (p.from !== port || p.to !== port) ctx.tools.closePort(p);
  if (!opened.some((p) => p.from === port && p.to === port)) ctx.tools.openPort({ protocol: 'tcp', from: port, to: port });
}

/** The `agent.api.*` items AMS has now (its config-items record). */
function keptAgentItems(current: Readonly<Record<string, string>>): Record<string, string> {
  const names = new Set<string>(Object.values(AGENT_ITEMS));
  return Object.fromEntries(Object.entries(current).filter(([k]) => names.has(k)));
}

export async function reconcileAms(ctx: CharmContext, options: AmsCharmOptions, extras: ReconcileExtras = {}): Promise<UnitStatus> {
  const kit = charmKit(ctx, { peerEndpoint: PEER_ENDPOINT });
  const book = new StatusBook();
  const now = options.now?.() ?? new Date();
  if (ctx.hook.kind === 'secret-remove' && ctx.hook.secret) kit.store.handleSecretRemove(ctx.hook.secret.id, ctx.hook.secret.revision);
  const route = ctx.hook.kind === 'secret-changed' ? kit.store.route(ctx.hook.secret?.label) : undefined;
  const cfg = readConfig(ctx);

  const certs = await certificates(kit, cfg, extras);
  if (certs.status) book.add(certs.status);
  for (const p of certs.problems) kit.log.warning(`certificates: ${p}`);
  const server = certs.leaves['server'];
  const fingerprint = server ? memoFingerprint(ctx.memo, 'ams.server-fingerprint', firstCertificate(server.certPem)) : undefined;

  // What AMS was told so far: the last good state, kept through invalid remote data (issue 4/6).
  const workload = options.workload?.(ctx) ?? new AmsWorkload();
  const recorded = workload.recorded();

  // rest-api: whom to trust, and our answer.
  const rest = await loadInterface('rest');
  const restRelations = kit.relations.all(REST_ENDPOINT);
  // Verdicts on certificates already checked, kept in the unit's hook memory (lib/juju/memory).
  const memo = ctx.memo;
  const trust = await decideTrust(restRelations, rest, now, () => recorded.trusted, { memo });
  for (const p of trust.problems) book.blocked(p);
  answerRestApi(restRelations, rest, ctx.tools, { port: cfg.port, location: cfg.location, node: nodeName(ctx.hook.unit.name), fingerprint, caPem: certs.trustPem }, kit.isLeader());

  // agent: the stream agent's API.
  const agentCodec = await loadInterface(AGENT_CODEC);
  const agent = agentConfigItems(kit.relations.all(AGENT_ENDPOINT), agentCodec, kit.store, route, book);
  const items = agent.keep ? keptAgentItems(recorded.configItems) : agent.items;
  if (cfg.location) items['load_balancer.url'] = loadBalancerUrl(cfg.location, cfg.port);

  // etcd, then the workload.
  const { store, material } = resolveDatastore(ctx.tools, {
    embedded: cfg.embedded,
    relation: kit.relations.all(ETCD_ENDPOINT)[0],
    client: certs.leaves['etcd-client'],
    server: certs.leaves['etcd-server'],
    caPem: certs.trustPem,
  }, book);
  if (store) {
    applyEmbeddedEtcdFiles(workload.dir, cfg.embedded ? material ?? null : null); // external mode removes them
    const result = await workload.apply({
      listenAddress: bindAddress(ctx.tools, REST_ENDPOINT) ?? '0.0.0.0',
      port: cfg.port,
      logLevel: cfg.logLevel,
      portRange: cfg.portRange,
      forceTls12: cfg.forceTls12,
      store,
      tls: server ? { cert: server.certPem, key: server.keyPem } : null,
      trustedClients: trust.trusted,
      configItems: items,
    }, { memo });
    if (result.restarted) kit.log.info('AMS restarted: its settings or certificates changed');
    if (result.configItemsPending.length > 0) {
      kit.log.warning(`AMS API not up yet: config items ${result.configItemsPending.join(', ')} will be applied by a later hook`);
      book.note('API config pending');
    }
    for (const fp of result.trusted) kit.log.info(`AMS now trusts client certificate ${fp}`);
    for (const fp of result.untrusted) kit.log.info(`AMS no longer trusts client certificate ${fp}`);
    syncPort(ctx, cfg.port);
  } else if (!book.has('blocked') && !certs.status) {
    book.waiting('waiting for the etcd certificates');
  }
  kit.relations.commit();

  if (trust.trusted.length > 0) book.note(`${trust.trusted.length} client${trust.trusted.length === 1 ? '' : 's'} trusted`);
  return book.status();
}

/** get-ca-certificate: the CA that signed this unit's API certificate (and the whole trust bundle). */
async function getCaCertificate(ctx: CharmContext): Promise<Record<string, string>> {
  const stored = storedCertificates(ctx.tools);
  const ca = stored.leaves['server']?.caPem;
  if (!ca) throw new ActionFailed('AMS has no API certificate yet: see the unit status');
  const out: Record<string, string> = { 'ca-certificate': ca };
  if (stored.trust) {
    const tls = await import('../../../lib/tls/index.ts');
    out['trust-bundle'] = tls.trustBundlePem(stored.trust);
  }
  return out;
}

export function createAmsCharm(options: AmsCharmOptions = {}): CharmDefinition {
  return defineCharm({
    reconcile: (ctx) => reconcileAms(ctx, options),
    ...(options.now ? { clock: options.now } : {}),
    actions: {
      'get-ca-certificate': (ctx) => getCaCertificate(ctx),
      'regenerate-certificates': async (ctx) => {
        const status = await reconcileAms(ctx, options, { reissue: ['server'] });
        ctx.tools.statusSet(status.name, status.message);
        const cert = storedCertificates(ctx.tools).leaves['server']?.certPem;
        if (!cert) throw new ActionFailed(`no new API certificate: ${status.message}`);
        return { fingerprint: certificateFingerprint(firstCertificate(cert), 'plain') };
      },
    },
  });
}

export const charm = createAmsCharm();

if (import.meta.main) void main(charm);
