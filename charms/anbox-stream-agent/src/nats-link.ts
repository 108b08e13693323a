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
 *
 * Issue 4/6: an invalid bag changes nothing. We keep the last good view (per-unit URLs,
 * `ca_cert`, `token_secret_id`; never the token: remote-view.ts) and use it in place of the
 * invalid part, with a blocked status naming relation, field and why.
 */
import type { Bags as NatsBags } from '../../../lib/relations/generated/nats.ts';
import type { InterfaceCodec } from '../../../lib/relations/interfaces.ts';
import type { Relation } from '../../../lib/relations/relation.ts';
import type { SecretRoute, SecretStore } from '../../../lib/secrets/store.ts';
import type { StatusBook } from '../../common/src/status-book.ts';
import type { RemoteViews } from './remote-view.ts';
import { splitNatsUrl, type AgentNats, type NatsCredential } from './workload.ts';

export const NATS_ENDPOINT = 'nats';
export const NATS_TOKEN_PURPOSE = 'token';

/** What we keep of `nats` between hooks: no secret value (the legacy URL credential is stripped). */
export interface NatsView {
  readonly urls: Readonly<Record<string, string>>;
  readonly ca?: string;
  readonly tokenSecretId?: string;
}

export interface NatsLinkEnv {
  readonly store: SecretStore;
  readonly route: SecretRoute | undefined;
  readonly book: StatusBook;
  readonly views: RemoteViews;
  /** Redact a credential from logs and statuses. */
  readonly registerSecret: (value: string) => void;
  /** secret-get by id (the last good `token_secret_id` while the app bag is invalid). */
  readonly secretGet: (id: string, refresh: boolean) => Record<string, string>;
}

export function natsLink(relation: Relation | undefined, codec: InterfaceCodec<NatsBags>, env: NatsLinkEnv): AgentNats | null {
  const { store, route, book, views, registerSecret } = env;
  if (!relation) {
    book.blocked(`missing relation "${NATS_ENDPOINT}": relate anbox-stream-agent:nats to nats:client`);
    return null;
  }
  store.advertise(relation);
  const last = views.get<NatsView>(relation);
  const urls: Record<string, string> = {};
  let urlCredential: NatsCredential | null = null;
  for (const unit of relation.units) {
    const read = codec.read(relation.remoteUnit(unit), 'provider.unit');
    let split;
    if (!read.ok) {
      if (read.reason === 'invalid') book.blocked(`${read.message}${last?.urls[unit] ? ' (kept its last good URL)' : ''}`);
    } else {
      try {
        split = splitNatsUrl(read.value.url);
      } catch {
        book.blocked(`${relation.name} unit bag ${unit} field "url": not a usable URL${last?.urls[unit] ? ' (kept its last good URL)' : ''}`);
      }
    }
    if (!split) {
      // Invalid (or not yet written): keep the unit's last good URL, if any.
      const kept = read.ok || read.reason === 'invalid' ? last?.urls[unit] : undefined;
      if (kept) urls[unit] = kept;
      continue;
    }
    if (split.credential?.kind === 'token') registerSecret(split.credential.token);
    if (split.credential?.kind === 'user') registerSecret(split.credential.password);
    urls[unit] = split.url;
    urlCredential ??= split.credential;
  }
  const app = codec.read(relation.remoteAppBag, 'provider.app');
  if (!app.ok) {
    book.blocked(`${app.message}${last ? ' (kept the last good NATS configuration)' : ''}`);
    if (!last) return null;
  }
  if (Object.keys(urls).length === 0) {
    if (!book.has('blocked')) book.waiting(`waiting for NATS on ${relation.name} to publish its URL`);
    return null;
  }
  const ca = app.ok ? app.value.ca_cert : last?.ca;
  let credential: NatsCredential | null = null;
  let tokenSecretId: string | undefined;
  const changed = route?.kind === 'relation' && route.endpoint === relation.endpoint && route.relationId === relation.id;
  if (app.ok) {
    const secret = store.forRelation(relation, NATS_TOKEN_PURPOSE, { keys: ['token'] });
    const got = changed ? secret.refresh() : secret.read();
    if (got.status === 'ready') {
      credential = toCredential(got.content);
      if (got.via === 'secret') tokenSecretId = got.id;
    } else if (got.status === 'waiting') {
      book.waiting(got.message);
      return null;
    }
  } else if (last?.tokenSecretId) {
    // The app bag is invalid: read the token through the last good secret id instead.
    tokenSecretId = last.tokenSecretId;
    try {
      const content = env.secretGet(tokenSecretId, changed);
      for (const v of Object.values(content)) registerSecret(v);
      credential = toCredential(content);
    } catch {
      book.waiting(`${relation.name}: the last good token secret is not readable`);
      return null;
    }
  } else {
    // No secret id (Juju 2.9, inline token): the token itself is never kept, so use the
    // current one when the problems lie only in other fields.
    const bad = new Set(app.problems.map((p) => p.field));
    const raw = relation.remoteAppBag.get('token');
    if (raw && !bad.has('token') && !bad.has('')) {
      registerSecret(raw);
      credential = { kind: 'token', token: raw };
    }
  }
  credential ??= urlCredential;
  if (!credential) {
    if (!book.has('blocked')) book.waiting(`waiting for NATS on ${relation.name} to share its token`);
    return null;
  }
  views.keep(relation, { urls, ...(ca ? { ca } : {}), ...(tokenSecretId ? { tokenSecretId } : {}) } satisfies NatsView);
  return { urls: Object.values(urls), ...(ca ? { ca } : {}), credential };
}

function toCredential(c: Record<string, string>): NatsCredential | null {
  return c['token'] ? { kind: 'token', token: c['token'] } : c['user'] && c['password'] ? { kind: 'user', user: c['user'], password: c['password'] } : null;
}
