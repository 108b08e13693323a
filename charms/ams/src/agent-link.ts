/**
 * AMS's side of `agent` (charmcraft interface `ams-agent`; its schemas are lib/relations'
 * `agent-api` interface — the two names denote the same contract, see AGENT_CODEC).
 *
 * The stream agent's leader publishes, in its app bag: `url` (its HTTPS API),
 * `certificate_fingerprint` (SHA-256 of its API certificate) and the API token, either as
 * `token_secret_id` (a Juju secret granted to this relation, when we said we can read
 * secrets) or inline as `token` (Juju 2.9, or a peer that cannot grant). We advertise
 * `secrets_supported` in our unit bag (lib/secrets negotiation) and render what we read into
 * AMS config items (`agent.api.url`, `agent.api.token`, `agent.api.fingerprint`).
 */
import type { Bags as AgentApiBags } from '../../../lib/relations/generated/agent-api.ts';
import type { InterfaceCodec } from '../../../lib/relations/interfaces.ts';
import type { Relation } from '../../../lib/relations/relation.ts';
import type { SecretRoute } from '../../../lib/secrets/store.ts';
import type { SecretStore } from '../../../lib/secrets/store.ts';
import { normalizeFingerprint } from '../../../lib/tls/fingerprint.ts';
import type { StatusBook } from '../../common/src/status-book.ts';

/** lib/relations names the `ams-agent` interface's schemas `agent-api`. */
export const AGENT_CODEC = 'agent-api' as const;
export const AGENT_ENDPOINT = 'agent';
export const TOKEN_PURPOSE = 'token';

export const AGENT_ITEMS = { url: 'agent.api.url', token: 'agent.api.token', fingerprint: 'agent.api.fingerprint' } as const;

/**
 * Config items for the agent API, from the first live `agent` relation that is complete
 * (AMS has one `agent.api.*` set; further relations are reported, not merged).
 *
 * Invalid agent data changes nothing (issue 4/6): when a relation's app bag is invalid and no
 * relation before it gave the items, the result is `keep` (the caller keeps the items AMS has
 * now) and the status is blocked, naming relation, field and why (the codec's message).
 */
export type AgentItems = { readonly keep: false; readonly items: Record<string, string> } | { readonly keep: true };

export function agentConfigItems(relations: readonly Relation[], codec: InterfaceCodec<AgentApiBags>, store: SecretStore, route: SecretRoute | undefined, book: StatusBook): AgentItems {
  if (relations.length > 1) book.note(`${relations.length} agent relations: using ${relations[0]!.name}`);
  let items: Record<string, string> | undefined;
  let keep = false;
  for (const relation of relations) {
    store.advertise(relation);
    const read = codec.read(relation.remoteAppBag, 'provider.app');
    if (!read.ok) {
      if (read.reason === 'incomplete') book.waiting(`waiting for the agent on ${relation.name} to publish its API`);
      else {
        book.blocked(`${read.message}; keeping the agent API settings AMS has`);
        if (!items) keep = true;
      }
      continue;
    }
    const secret = store.forRelation(relation, TOKEN_PURPOSE, { keys: ['token'] });
    const changed = route?.kind === 'relation' && route.endpoint === relation.endpoint && route.relationId === relation.id;
    const token = changed ? secret.refresh() : secret.read();
    if (token.status !== 'ready' || !token.content['token']) {
      book.waiting(token.status === 'ready' ? `${relation.name}: the agent's token secret has no "token" key` : token.message);
      continue;
    }
    if (keep) continue;
    items ??= {
      [AGENT_ITEMS.url]: read.value.url,
      [AGENT_ITEMS.token]: token.content['token'],
      [AGENT_ITEMS.fingerprint]: normalizeFingerprint(read.value.certificate_fingerprint),
    };
  }
  return keep ? { keep: true } : { keep: false, items: items ?? {} };
}
