/**
 * The agent's side of `nats` (interface `nats`, schemas lib/relations/schemas/nats.*), often
 * across models (nats offered from another model, contract §4).
 *
 * We say in our unit bag whether we can read secrets (`secrets_supported`, lib/secrets
 * negotiation: 3.0.3+, 3.2+ across models). NATS answers with unit bags `url` and app bag
 * `ca_cert`, and the credential either as `token_secret_id` (a secret granted to this
 * relation), inline `token` (app bag), or inside the legacy `tls://<token>@host:port` URL.
 * A secret id we cannot read yet ("permission denied" before the grant commits, contract
 * §3.5 item 10) means waiting, not failure. On `secret-changed` (token rotation) the caller
 * passes the route and we move our tracking to the new revision.
 */
import type { Bags as NatsBags } from '../../../lib/relations/generated/nats.ts';
import type { InterfaceCodec } from '../../../lib/relations/interfaces.ts';
import type { Relation } from '../../../lib/relations/relation.ts';
import type { SecretRoute, SecretStore } from '../../../lib/secrets/store.ts';
import type { StatusBook } from '../../common/src/status-book.ts';
import { splitNatsUrl, type AgentNats, type NatsCredential } from './workload.ts';

export const NATS_ENDPOINT = 'nats';
export const NATS_TOKEN_PURPOSE = 'token';

export function natsLink(relation: Relation | undefined, codec: InterfaceCodec<NatsBags>, store: SecretStore, route: SecretRoute | undefined, book: StatusBook, registerSecret: (value: string) => void): AgentNats | null {
  if (!relation) {
    book.blocked(`missing relation "${NATS_ENDPOINT}": relate anbox-stream-agent:nats to nats:client`);
    return null;
  }
  store.advertise(relation);
  const urls: string[] = [];
  let urlCredential: NatsCredential | null = null;
  for (const unit of relation.units) {
    const read = codec.read(relation.remoteUnit(unit), 'provider.unit');
    if (!read.ok) {
      if (read.reason === 'invalid') book.blocked(read.message);
      continue;
    }
    let split;
    try {
      split = splitNatsUrl(read.value.url);
    } catch {
      book.blocked(`${relation.name} unit bag ${unit} field "url": not a usable URL`);
      continue;
    }
    if (split.credential?.kind === 'token') registerSecret(split.credential.token);
    if (split.credential?.kind === 'user') registerSecret(split.credential.password);
    urls.push(split.url);
    urlCredential ??= split.credential;
  }
  const app = codec.read(relation.remoteAppBag, 'provider.app');
  if (!app.ok) {
    book.blocked(app.message);
    return null;
  }
  if (urls.length === 0) {
    book.waiting(`waiting for NATS on ${relation.name} to publish its URL`);
    return null;
  }
  const secret = store.forRelation(relation, NATS_TOKEN_PURPOSE, { keys: ['token'] });
  const changed = route?.kind === 'relation' && route.endpoint === relation.endpoint && route.relationId === relation.id;
  const got = changed ? secret.refresh() : secret.read();
  let credential: NatsCredential | null = null;
  if (got.status === 'ready') {
    const c = got.content;
    credential = c['token'] ? { kind: 'token', token: c['token'] } : c['user'] && c['password'] ? { kind: 'user', user: c['user'], password: c['password'] } : null;
  } else if (got.status === 'waiting') {
    book.waiting(got.message);
    return null;
  }
  credential ??= urlCredential;
  if (!credential) {
    book.waiting(`waiting for NATS on ${relation.name} to share its token`);
    return null;
  }
  return { urls, ...(app.value.ca_cert ? { ca: app.value.ca_cert } : {}), credential };
}
