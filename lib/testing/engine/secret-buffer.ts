/**
 * The secret writes of one hook (contract §0.4: buffered until exit 0): what is pending,
 * what a read inside the hook sees (§3.5 item 8), and the commit that replays the ops on
 * copies so a commit-time failure (label clash, not owner, not leader) changes nothing.
 */
import { runtimeError } from './errors.ts';
import { notifyNewRevision, notifyObsolete, ownedBy, ROTATE_PERIODS, sameContent } from './secrets.ts';
import type { Bag, SecretGrant, SecretState } from './state.ts';
import type { Personality } from './version.ts';
import { appKey, splitUnitKey, type World } from './world.ts';

export interface SecretMeta { label?: string; description?: string; rotate?: string; expire?: number }
export type SecretOp =
  | { op: 'add'; id: string; ownerKind: 'application' | 'unit'; content: Bag; meta: SecretMeta }
  | { op: 'set'; id: string; content?: Bag; meta: SecretMeta }
  | { op: 'remove'; id: string; revision?: number }
  | { op: 'grant'; id: string; grant: SecretGrant }
  | { op: 'revoke'; id: string; relation?: string; target?: string }
  /** `secret-get --refresh` onto a revision a pending `secret-set` creates: applied at commit (contract §0.4). */
  | { op: 'track'; id: string };
type AddOp = Extract<SecretOp, { op: 'add' }>;

export interface CommitScope { model: string; unitKey: string; personality: Personality; isLeader: boolean; now: number }

export class SecretBuffer {
  readonly ops: SecretOp[] = [];

  push(op: SecretOp): void { this.ops.push(op); }
  pendingAdd(id: string): AddOp | undefined {
    return this.ops.find((o): o is AddOp => o.op === 'add' && o.id === id);
  }
  /** Content a read in this hook sees: the add, overridden by later sets. */
  pendingContent(id: string): Bag | undefined {
    let content: Bag | undefined = this.pendingAdd(id)?.content;
    for (const o of this.ops) if (o.op === 'set' && o.id === id && o.content) content = o.content;
    return content;
  }
  pendingMeta(id: string): SecretMeta {
    const meta: SecretMeta = { ...(this.pendingAdd(id)?.meta ?? {}) };
    for (const o of this.ops) if (o.op === 'set' && o.id === id) Object.assign(meta, o.meta);
    return meta;
  }
  removed(id: string): boolean { return this.ops.some((o) => o.op === 'remove' && o.id === id && o.revision === undefined); }

  /** Replay the ops on copies of the touched secrets; throws (exit-1 ToolError) on a commit-time failure. */
  prepare(world: World, scope: CommitScope): Map<string, SecretState | null> {
    const work = new Map<string, SecretState | null>();
    const get = (id: string): SecretState | null => {
      if (!work.has(id)) work.set(id, world.state.secrets[id] ? structuredClone(world.state.secrets[id]!) : null);
      return work.get(id)!;
    };
    const { now } = scope;
    const u = splitUnitKey(scope.unitKey);
    for (const o of this.ops) {
      if (o.op === 'add') {
        const owner = o.ownerKind === 'unit' ? scope.unitKey : appKey(u.model, u.app);
        if (o.meta.label !== undefined && labelClash(world, work, owner, o.meta.label, o.id)) throw runtimeError(`secret with label "${o.meta.label}" already exists`);
        const s: SecretState = {
          id: o.id, model: scope.model, ownerKind: o.ownerKind, owner, latest: 1,
          revisions: { 1: { content: o.content, created: now, updated: now } }, grants: [], tracking: {},
          removeNotified: [], created: now, updated: now,
        };
        applyMeta(s, o.meta, now);
        work.set(o.id, s);
        continue;
      }
      const s = get(o.id);
      if (!s) throw runtimeError(`secret "${o.id}" not found`);
      if (o.op === 'track') {
        s.tracking[scope.unitKey] = { ...(s.tracking[scope.unitKey] ?? {}), revision: s.latest };
        continue;
      }
      if (!ownedBy(s, scope.unitKey)) throw runtimeError('permission denied');
      if (s.ownerKind === 'application' && !scope.isLeader) throw runtimeError('this unit is not the leader');
      if (o.op === 'set') {
        if (o.meta.label !== undefined && labelClash(world, work, s.owner, o.meta.label, s.id)) throw runtimeError(`secret with label "${o.meta.label}" already exists`);
        // Contract §3.4: new content ⇒ new revision, except identical content on 3.6+.
        if (o.content && !(scope.personality.skipIdenticalSecretSet && sameContent(o.content, s.revisions[String(s.latest)]!.content))) {
          s.latest += 1;
          s.revisions[String(s.latest)] = { content: o.content, created: now, updated: now };
          if (s.rotate && s.rotate !== 'never') s.nextRotate = now + (ROTATE_PERIODS[s.rotate] ?? 0);
        }
        applyMeta(s, o.meta, now);
        s.updated = now;
      } else if (o.op === 'remove') {
        if (o.revision === undefined) work.set(o.id, null);
        else {
          delete s.revisions[String(o.revision)];
          if (Object.keys(s.revisions).length === 0) work.set(o.id, null);
        }
      } else if (o.op === 'grant') {
        if (!s.grants.some((g) => g.relation === o.grant.relation && g.target === o.grant.target)) s.grants.push(o.grant);
      } else {
        // Revoking an application also drops its units' grants.
        const covers = (target: string): boolean => target === o.target || (o.target!.split('/').length === 2 && target.startsWith(`${o.target}/`));
        s.grants = s.grants.filter((g) => !((o.relation === undefined || g.relation === o.relation) && covers(g.target)));
      }
    }
    return work;
  }

  /** Write the prepared copies back and queue the hooks new revisions cause (§3.5 items 5, 6). */
  apply(world: World, work: Map<string, SecretState | null>, writer: string): void {
    for (const [id, s] of work) {
      const before = world.state.secrets[id];
      if (s === null) { delete world.state.secrets[id]; continue; }
      world.state.secrets[id] = s;
      if (before && s.latest > before.latest) {
        notifyNewRevision(world, s, writer);
        notifyObsolete(world, s);
      }
    }
  }
}

/** Owner labels are unique per owner (contract §3.4 notes). */
function labelClash(world: World, work: Map<string, SecretState | null>, owner: string, label: string, id: string): boolean {
  const all = new Map<string, SecretState | null>(Object.entries(world.state.secrets));
  for (const [k, v] of work) all.set(k, v);
  for (const s of all.values()) if (s && s.id !== id && s.owner === owner && s.label === label) return true;
  return false;
}

function applyMeta(s: SecretState, meta: SecretMeta, now: number): void {
  if (meta.label !== undefined) s.label = meta.label;
  if (meta.description !== undefined) s.description = meta.description;
  if (meta.rotate !== undefined) {
    if (meta.rotate === 'never') { delete s.rotate; delete s.nextRotate; } else {
      if (s.rotate !== meta.rotate || s.nextRotate === undefined) s.nextRotate = now + (ROTATE_PERIODS[meta.rotate] ?? 0);
      s.rotate = meta.rotate;
    }
  }
  if (meta.expire !== undefined) s.revisions[String(s.latest)]!.expire = meta.expire;
}
