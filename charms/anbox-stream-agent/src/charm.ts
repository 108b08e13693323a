/**
 * The anbox-stream-agent charm: one reconcile() for every hook (design.md), two actions.
 *
 * reconcile: our certificate (lib/charmkit: `certificates` relation > self-signed CA in the
 * app secret `ca`; key in the unit secret `tls-keys`; usage client+server: it is our client
 * certificate towards AMS and our API's server certificate) → `ams` (send it, pin AMS:
 * ams-link.ts) → `nats` (URL, CA, token: nats-link.ts) → our API on `client` (api-link.ts)
 * → AgentWorkload.apply (config.yaml 0600 holds the credentials; restart only on change)
 * → one status. Relation writes are flushed once, at the end.
 */
import { charmKit, type CharmKit } from '../../../lib/charmkit/kit.ts';
import { reconcileCertificates, storedCertificates, type CertificatesResult } from '../../../lib/charmkit/certificates.ts';
import { configBool, configString } from '../../../lib/charmkit/config.ts';
import { bindAddress, serverNames } from '../../../lib/charmkit/addresses.ts';
import { parseKeyAlgorithm } from '../../../lib/charmkit/key-algorithm.ts';
import { memoFingerprint } from '../../../lib/charmkit/fingerprint-memo.ts';
import { defineCharm, main, type CharmContext, type CharmDefinition } from '../../../lib/juju/dispatch.ts';
import { ActionFailed, BlockedStatus, type UnitStatus } from '../../../lib/juju/status.ts';
import { loadInterface } from '../../../lib/relations/interfaces.ts';
import { certificateFingerprint } from '../../../lib/tls/fingerprint.ts';
import { splitCertificatePems } from '../../../lib/tls/pem.ts';
import { StatusBook } from '../../common/src/status-book.ts';
import { AMS_ENDPOINT, amsLink } from './ams-link.ts';
import { AGENT_API_PORT, apiToken, CLIENT_ENDPOINT, publishApi } from './api-link.ts';
import { NATS_ENDPOINT, natsLink } from './nats-link.ts';
import { RemoteViews } from './remote-view.ts';
import { AgentWorkload } from './workload.ts';

export const CERTIFICATES_ENDPOINT = 'certificates';
export const PEER_ENDPOINT = 'peers';
/** lib/relations names the `ams-agent` interface's schemas `agent-api`. */
const AGENT_API_CODEC = 'agent-api' as const;

export interface AgentCharmOptions {
  /** The workload of the unit running the hook (tests: a directory per unit, a fake restart). */
  readonly workload?: (ctx: CharmContext) => AgentWorkload;
}

interface Config {
  readonly region: string;
  readonly location: string;
  readonly pinning: boolean;
  readonly keyAlgorithm: ReturnType<typeof parseKeyAlgorithm>;
}

function readConfig(ctx: CharmContext): Config {
  const c = ctx.tools.configGet();
  return {
    region: configString(c, 'region', 'cloud-0') || 'cloud-0',
    location: configString(c, 'location').trim(),
    pinning: configBool(c, 'tls_use_pinning', true),
    keyAlgorithm: parseKeyAlgorithm(c['key_algorithm'], 'key_algorithm'),
  };
}

const firstCertificate = (pem: string): string => splitCertificatePems(pem)[0] ?? pem;

function certificates(kit: CharmKit, cfg: Config, reissue?: readonly string[]): Promise<CertificatesResult> {
  if (!cfg.keyAlgorithm.ok) throw new BlockedStatus(cfg.keyAlgorithm.message);
  return reconcileCertificates(kit, {
    endpoint: CERTIFICATES_ENDPOINT,
    leaves: [{ name: 'client', usage: 'both', sans: serverNames(kit.ctx.tools, [CLIENT_ENDPOINT], { extra: cfg.location ? [cfg.location] : [] }) }],
    caKey: cfg.keyAlgorithm.spec,
    caDescription: 'Anbox Stream Agent self-signed CA (certificate and private key): signs the agents\' client certificates',
    ...(reissue ? { reissue } : {}),
  });
}

export async function reconcileAgent(ctx: CharmContext, options: AgentCharmOptions, reissue?: readonly string[]): Promise<UnitStatus> {
  const kit = charmKit(ctx, { peerEndpoint: PEER_ENDPOINT });
  const book = new StatusBook();
  if (ctx.hook.kind === 'secret-remove' && ctx.hook.secret) kit.store.handleSecretRemove(ctx.hook.secret.id, ctx.hook.secret.revision);
  const route = ctx.hook.kind === 'secret-changed' ? kit.store.route(ctx.hook.secret?.label) : undefined;
  const cfg = readConfig(ctx);

  const certs = await certificates(kit, cfg, reissue);
  if (certs.status) book.add(certs.status);
  for (const p of certs.problems) kit.log.warning(`certificates: ${p}`);
  const leaf = certs.leaves['client'];
  const clientCert = leaf ? firstCertificate(leaf.certPem) : undefined;
  const fingerprint = clientCert ? memoFingerprint(ctx.memo, 'anbox-stream-agent.client-fingerprint', clientCert) : undefined;

  // Last good remote data per relation (issue 4/6); a broken or gone relation loses its view.
  const views = new RemoteViews(ctx.tools);
  const amsRelations = kit.relations.all(AMS_ENDPOINT);
  const natsRelations = kit.relations.all(NATS_ENDPOINT);
  views.prune(AMS_ENDPOINT, amsRelations);
  views.prune(NATS_ENDPOINT, natsRelations);
  const rest = await loadInterface('rest');
  const ams = amsLink(amsRelations[0], rest, clientCert, cfg.pinning, book, views);
  const natsCodec = await loadInterface('nats');
  const nats = natsLink(natsRelations[0], natsCodec, {
    store: kit.store, route, book, views,
    registerSecret: (v) => kit.log.registerSecret(v),
    secretGet: (id, refresh) => ctx.tools.secretGet(refresh ? { id, refresh: true } : { id }),
  });
  const token = await apiToken(kit, book);
  publishApi(kit, await loadInterface(AGENT_API_CODEC), token, fingerprint, cfg.location, book);

  if (leaf) {
    const workload = options.workload?.(ctx) ?? new AgentWorkload();
    const result = await workload.apply({
      region: cfg.region,
      location: cfg.location,
      useTlsPinning: cfg.pinning,
      clientCert: leaf.certPem,
      clientKey: leaf.keyPem,
      ams,
      nats,
      api: token ? { listenAddress: bindAddress(ctx.tools, CLIENT_ENDPOINT) ?? '0.0.0.0', port: AGENT_API_PORT, token } : null,
    });
    if (result.restarted) kit.log.info('anbox-stream-agent restarted: its configuration or certificates changed');
  }
  kit.relations.commit();
  return book.status();
}

/** The CAs the agent trusts (NATS, AMS when not pinning) and the CA of its own certificate. */
function getCaCertificate(ctx: CharmContext): Record<string, string> {
  const kit = charmKit(ctx, { peerEndpoint: PEER_ENDPOINT });
  const out: Record<string, string> = {};
  const own = storedCertificates(ctx.tools).leaves['client']?.caPem;
  if (own) out['ca-certificate'] = own;
  const nats = kit.relations.all(NATS_ENDPOINT)[0]?.remoteAppBag.get('ca_cert');
  if (nats) out['nats-ca-certificate'] = nats;
  const ams = kit.relations.all(AMS_ENDPOINT)[0]?.remoteAppBag.get('ca_cert');
  if (ams) out['ams-ca-certificate'] = ams;
  if (Object.keys(out).length === 0) throw new ActionFailed('no CA certificate yet: see the unit status');
  return out;
}

export function createAgentCharm(options: AgentCharmOptions = {}): CharmDefinition {
  return defineCharm({
    reconcile: (ctx) => reconcileAgent(ctx, options),
    actions: {
      'get-ca-certificate': (ctx) => getCaCertificate(ctx),
      'regenerate-certificates': async (ctx) => {
        const status = await reconcileAgent(ctx, options, ['client']);
        ctx.tools.statusSet(status.name, status.message);
        const cert = storedCertificates(ctx.tools).leaves['client']?.certPem;
        if (!cert) throw new ActionFailed(`no new certificate: ${status.message}`);
        return { fingerprint: certificateFingerprint(firstCertificate(cert), 'plain') };
      },
    },
  });
}

export const charm = createAgentCharm();

if (import.meta.main) void main(charm);
