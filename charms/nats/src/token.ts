/**
 * The shared client token: ONE app-owned secret labelled `nats-token` (random 32 bytes,
 * base64url), created once by the leader and kept across leader changes (design.md
 * "Secrets"). nats-server 2.9 refuses a token together with a users array, so every client
 * relation shares this token (`authorization { token }`); a departed client loses access by
 * rotation (new revision), never by editing others' credentials.
 *
 * On Juju 2.9 lib/secrets keeps it in the peer app bag (no secrets there).
 */
import type { CharmKit } from '../../../lib/charmkit/kit.ts';
import type { Relation } from '../../../lib/relations/relation.ts';
import type { ScopedSecret } from '../../../lib/secrets/scoped.ts';

export const TOKEN_PURPOSE = 'nats-token';
export const TOKEN_KEY = 'token';
/** Peer app bag field: the token secret's id, so followers get a hook when it first appears. */
export const PEER_TOKEN_ID_FIELD = 'nats-token-id';

/** node:crypto (~8 ms to load, issue 8) at call time: only the hook that makes a token pays. */
export function newToken(): string {
  return process.getBuiltinModule('node:crypto').randomBytes(32).toString('base64url');
}

export function tokenSecret(kit: CharmKit): ScopedSecret {
  return kit.store.app(TOKEN_PURPOSE, { description: `NATS client token of ${kit.ctx.hook.unit.app}, granted to client relations that read secrets` });
}

export type TokenResult =
  | { readonly ok: true; readonly token: string; readonly id?: string; readonly created: boolean }
  | { readonly ok: false; readonly message: string };

/** The token, created by the leader when absent; a follower before that waits. */
export async function ensureToken(kit: CharmKit, peer: Relation | undefined): Promise<TokenResult> {
  const secret = tokenSecret(kit);
  const res = await secret.getOrCreate(() => ({ [TOKEN_KEY]: newToken() }));
  if (res.status === 'waiting') return { ok: false, message: res.reason === 'waiting-for-leader' ? 'waiting for leader to create the token' : res.message };
  const token = res.content[TOKEN_KEY];
  if (!token) return { ok: false, message: `secret "${TOKEN_PURPOSE}" has no "${TOKEN_KEY}" key` };
  if (kit.isLeader() && peer && res.id) peer.localApp.set(PEER_TOKEN_ID_FIELD, res.id);
  return { ok: true, token, created: res.created, ...(res.id ? { id: res.id } : {}) };
}

/**
 * Leader: replace the token with a fresh one. Juju makes a new revision; consumers and
 * followers get `secret-changed`, and once nobody tracks the old revision the leader gets
 * `secret-remove` for it (handled by the charm), so revisions never pile up.
 */
export function rotateToken(kit: CharmKit): void {
  tokenSecret(kit).set({ [TOKEN_KEY]: newToken() });
}
