/**
 * The agent's API as offered on `client` (charmcraft interface `ams-agent`, schemas
 * lib/relations `agent-api`) to `ams:agent`.
 *
 * The API token is ONE app-owned secret, `api-token` (every agent unit renders it into its
 * config.yaml; a leader change keeps it). The leader publishes in each relation's app bag
 * `url`, `certificate_fingerprint` (SHA-256 of its own API certificate) and the token:
 * - `token_secret_id` when negotiation says the remote reads secrets (lib/secrets: AMS
 *   advertises `secrets_supported`); the secret is granted to that relation only;
 * - inline `token` otherwise (Juju 2.9: no secrets at all).
 * On `client-relation-broken` the leader revokes that relation's grant.
 * Issue 4/6: an invalid `secrets_supported` flag from AMS is not "cannot read secrets": the
 * leader blocks naming relation and field, and leaves that relation's bag as it was.
 */
import type { CharmKit } from '../../../lib/charmkit/kit.ts';
import { ingressAddress } from '../../../lib/charmkit/addresses.ts';
import type { Bags as AgentApiBags } from '../../../lib/relations/generated/agent-api.ts';
import type { InterfaceCodec } from '../../../lib/relations/interfaces.ts';
import type { StatusBook } from '../../common/src/status-book.ts';

export const CLIENT_ENDPOINT = 'client';
export const API_TOKEN_PURPOSE = 'api-token';
/**
 * Port of the agent's HTTPS API that AMS calls. The published agent's port is not in the
 * sources we could read; no config option asks for it in issue 6, so it is fixed here.
 */
export const AGENT_API_PORT = 8446;

/** node:crypto (~8 ms to load, issue 8) at call time: only the hook that makes the token pays. */
export const newApiToken = (): string => process.getBuiltinModule('node:crypto').randomBytes(32).toString('hex');

/** The API token every unit renders: made once by the leader; waiting (null) on others until then. */
export async function apiToken(kit: CharmKit, book: StatusBook): Promise<string | null> {
  const secret = kit.store.app(API_TOKEN_PURPOSE, { description: 'Anbox Stream Agent API token (AMS authenticates to the agent with it)' });
  const got = await secret.getOrCreate(() => ({ token: newApiToken() }));
  if (got.status !== 'ready') {
    book.waiting(got.message);
    return null;
  }
  return got.content['token'] ?? null;
}

/** Leader: publish url, fingerprint and token on every live `client` relation; revoke a broken one's grant. */
export function publishApi(kit: CharmKit, codec: InterfaceCodec<AgentApiBags>, token: string | null, fingerprint: string | undefined, location: string, book: StatusBook): void {
  if (!kit.isLeader()) return;
  const secret = kit.store.app(API_TOKEN_PURPOSE);
  const broken = kit.relations.brokenRelation();
  if (broken?.endpoint === CLIENT_ENDPOINT) secret.revoke(broken);
  if (!token || !fingerprint) return;
  for (const relation of kit.relations.all(CLIENT_ENDPOINT)) {
    const host = location || ingressAddress(kit.ctx.tools, CLIENT_ENDPOINT, relation.name);
    if (!host) {
      book.waiting(`no address for ${relation.name} yet`);
      continue;
    }
    const url = `https://${host.includes(':') ? `[${host}]` : host}:${AGENT_API_PORT}`;
    const invalid = [codec.read(relation.remoteAppBag, 'requirer.app'), ...relation.units.map((u) => codec.read(relation.remoteUnit(u), 'requirer.unit'))]
      .flatMap((r) => (!r.ok && r.reason === 'invalid' ? [r.message] : []));
    if (invalid.length) {
      book.blocked(`${invalid.join('; ')} (kept what we publish on ${relation.name})`);
      continue;
    }
    const { mode, why } = kit.store.transport(relation);
    if (mode === 'undecided') {
      book.waiting(why);
      continue;
    }
    if (mode === 'secret') {
      const id = secret.id();
      if (!id) {
        book.waiting(`the "${API_TOKEN_PURPOSE}" secret is not readable yet`);
        continue;
      }
      // The id and the grant commit together (contract §0.4): a bag already holding this id has the grant.
      if (relation.localApp.get('token_secret_id') !== id) secret.grant(relation);
      codec.write(relation.localApp, 'provider.app', { url, certificate_fingerprint: fingerprint, token_secret_id: id });
    } else {
      codec.write(relation.localApp, 'provider.app', { url, certificate_fingerprint: fingerprint, token });
    }
  }
}
