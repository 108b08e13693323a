/**
 * Secret rules (contract §3): references, access, ownership, content limits, revisions,
 * tracking records and the secret hooks they cause (§3.5, §3.6). Pure functions over World.
 */
import { runtimeError, usageError } from './errors.ts';
import type { Bag, SecretState } from './state.ts';
import type { Personality } from './version.ts';
import { appKey, splitAppKey, splitUnitKey, type World } from './world.ts';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ID_RE = /^[0-9a-v]{20}$/;

/** `secret:<id>`, `secret://<uuid>/<id>` or a bare id → the bare id (contract §3.2). */
export function parseSecretRef(ref: string): string {
  let rest = ref;
  if (ref.startsWith('secret://')) {
    const body = ref.slice('secret://'.length);
    const slash = body.indexOf('/');
    if (slash < 0) throw usageError(`secret URI "${ref}" not valid`);
    const host = body.slice(0, slash);
    if (!UUID_RE.test(host)) throw usageError(`host controller UUID "${host}" not valid`);
    rest = body.slice(slash + 1);
  } else if (ref.startsWith('secret:')) {
    rest = ref.slice('secret:'.length);
  }
  if (!ID_RE.test(rest)) throw usageError(`secret URI "${ref}" not valid`);
  return rest;
}

/** The URI a unit in `viewerModel` sees for a secret (cross-model form from another model). */
export function secretUri(world: World, s: SecretState, viewerModel: string): string {
  return s.model === viewerModel ? `secret:${s.id}` : `secret://${world.model(s.model).uuid}/${s.id}`;
}

/** Is the secret owned by this unit, or by its application? */
export function ownedBy(s: SecretState, unitKey: string): boolean {
  const k = splitUnitKey(unitKey);
  return s.ownerKind === 'unit' ? s.owner === unitKey : s.owner === appKey(k.model, k.app);
}

/** Read access: owner side, or a grant over a live relation to the unit's app or the unit. */
export function canRead(world: World, s: SecretState, unitKey: string): boolean {
  if (ownedBy(s, unitKey)) return true;
  const k = splitUnitKey(unitKey);
  const ak = appKey(k.model, k.app);
  return s.grants.some((g) => {
    const rel = world.state.relations[g.relation];
    if (!rel || rel.life !== 'alive' || rel.suspended !== undefined) return false;
    return g.scope === 'app' ? g.target === ak : g.target === unitKey;
  });
}

/** The unit that receives owner-side hooks: the unit itself or the app leader (§3.6). */
export function ownerHookUnit(world: World, s: SecretState): string | undefined {
  if (s.ownerKind === 'unit') return world.unitByKey(s.owner) ? s.owner : undefined;
  const a = world.appByKey(s.owner);
  if (!a || a.leader === null) return undefined;
  return `${splitAppKey(s.owner).model}/${a.leader}`;
}

export const ROTATE_PERIODS: Record<string, number> = {
  hourly: 3600e3, daily: 86400e3, weekly: 7 * 86400e3, monthly: 30 * 86400e3,
  quarterly: 90 * 86400e3, yearly: 365 * 86400e3,
};
/** Juju re-fires rotate/expired every 5 minutes until handled (contract §3.4 notes). */
export const SECRET_RETRY_MS = 5 * 60e3;

const KEY_RE = /^[a-z](?:-?[a-z0-9]){2,}$/;

function b64len(s: string): number { return Buffer.byteLength(s, 'utf8'); }

/**
 * Validate content (values already base64-encoded as Juju stores them; contract §3.3).
 * Raises the version's size-limit messages.
 */
export function validateContent(p: Personality, content: Bag): void {
  let total = 0;
  for (const [k, v] of Object.entries(content)) {
    if (!KEY_RE.test(k)) throw usageError(`key "${k}" not valid`);
    const size = p.secretLimitOnBase64 ? b64len(v) : Buffer.from(v, 'base64').length;
    if (size > p.secretValueLimit) {
      throw runtimeError(p.secretLimitOnBase64 ? `base64 encoded secret content for key "${k}" too large: ${size} bytes` : `secret content for key "${k}" too large: ${size} bytes`);
    }
    total += size;
  }
  if (total > p.secretTotalLimit) throw runtimeError(`secret content too large: ${total} bytes`);
}

export function sameContent(a: Bag, b: Bag): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

/** secret-changed to every tracker behind `latest` except `exceptUnit` (§3.5 item 5). */
export function notifyNewRevision(world: World, s: SecretState, exceptUnit: string): void {
  if (!world.personality(s.model).secrets) return;
  for (const [key, t] of Object.entries(s.tracking)) {
    if (key === exceptUnit || t.revision >= s.latest) continue;
    const unit = world.unitByKey(key);
    if (!unit || unit.life !== 'alive' || !canRead(world, s, key)) continue; // revoked: no more hooks
    world.enqueue(unit, { name: 'secret-changed', kind: 'hook', secret: s.id }, true);
  }
}

/** secret-remove to the owner for each old revision nobody tracks (§3.5 item 6). */
export function notifyObsolete(world: World, s: SecretState): void {
  const tracked = new Set(Object.values(s.tracking).map((t) => t.revision));
  const target = ownerHookUnit(world, s);
  if (!target) return;
  const unit = world.unitByKey(target);
  if (!unit) return;
  for (const r of Object.keys(s.revisions).map(Number).sort((a, b) => a - b)) {
    if (r >= s.latest || tracked.has(r) || s.removeNotified.includes(r)) continue;
    s.removeNotified.push(r);
    world.enqueue(unit, { name: 'secret-remove', kind: 'hook', secret: s.id, secretRevision: r });
  }
}

/** Fire due secret-rotate / secret-expired hooks after the clock moved (§3.4 notes, §3.6). */
export function fireDueSecretHooks(world: World): void {
  const now = world.now();
  for (const s of Object.values(world.state.secrets)) {
    const target = ownerHookUnit(world, s);
    const unit = target ? world.unitByKey(target) : undefined;
    if (!unit || !world.personality(s.model).secrets) continue;
    if (s.rotate && s.rotate !== 'never' && s.nextRotate !== undefined && s.nextRotate <= now) {
      world.enqueue(unit, { name: 'secret-rotate', kind: 'hook', secret: s.id }, true);
      s.nextRotate = now + SECRET_RETRY_MS;
    }
    for (const [rev, r] of Object.entries(s.revisions)) {
      if (r.expire === undefined || r.expire > now) continue;
      if (r.expiredFired !== undefined && now - r.expiredFired < SECRET_RETRY_MS) continue;
      r.expiredFired = now;
      world.enqueue(unit, { name: 'secret-expired', kind: 'hook', secret: s.id, secretRevision: Number(rev) }, true);
    }
  }
}
