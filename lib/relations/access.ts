/**
 * Juju's databag read/write rules (contract §2.6), as small named predicates in ONE place
 * (style.md #9). Databag checks them BEFORE any hook tool runs, so a broken rule surfaces as
 * a RelationAccessError naming the unit, the databag and the rule, instead of Juju's bare
 * `permission denied` / `cannot write relation settings` at run time or at commit.
 *
 * The simulator enforces the same rules independently from the contract; it must not import
 * this file (one rules engine per side, no drift by sharing a fake).
 */
import { RelationAccessError } from '../juju/errors.ts';

export type BagKind = 'unit' | 'app';

/** Which databag: the relation, unit or app bag, whose it is, and whether it is ours. */
export interface BagAddress {
  /** `<endpoint>:<id>` */
  readonly relation: string;
  readonly kind: BagKind;
  /** Unit name for unit bags, application name for app bags. */
  readonly owner: string;
  /** Peer relation: the "remote" units and app are our own application's. */
  readonly peer: boolean;
}

/** The unit running the hook. `isLeader` is only consulted when an app bag is involved. */
export interface Actor {
  readonly unit: string;
  readonly app: string;
  isLeader(): boolean;
}

export interface AccessRule {
  readonly name: string;
  /** undefined when allowed, else why not (without the unit/bag prefix). */
  readonly check: (actor: Actor, bag: BagAddress) => string | undefined;
}

const isOwnUnitBag = (a: Actor, b: BagAddress): boolean => b.kind === 'unit' && b.owner === a.unit;
const isOwnAppBag = (a: Actor, b: BagAddress): boolean => b.kind === 'app' && b.owner === a.app;

/** Reading: everything is readable except our own app bag outside a peer relation when not leader. */
export const readRules: readonly AccessRule[] = [
  {
    name: 'own-app-bag-read-needs-leader-outside-peer',
    check: (a, b) => (isOwnAppBag(a, b) && !b.peer && !a.isLeader()
      ? 'only the leader may read its own application bag outside a peer relation (contract §2.6)'
      : undefined),
  },
];

/** Writing: only our own unit bag, and our own app bag as leader. */
export const writeRules: readonly AccessRule[] = [
  {
    name: 'only-own-bags-are-writable',
    check: (a, b) => (isOwnUnitBag(a, b) || isOwnAppBag(a, b)
      ? undefined
      : 'a unit may write only its own unit bag and, as leader, its own application bag; remote and other units\' bags are read-only (contract §2.6)'),
  },
  {
    name: 'app-bag-write-needs-leader',
    check: (a, b) => (isOwnAppBag(a, b) && !a.isLeader()
      ? 'only the leader may write its application bag (contract §2.6)'
      : undefined),
  },
];

/** Content rules of relation-set (contract §2.4): non-empty keys without `=`, string values. */
export const contentRules: ReadonlyArray<{ name: string; check: (key: string, value: unknown) => string | undefined }> = [
  { name: 'key-not-empty', check: (k) => (k === '' ? 'keys must not be empty' : undefined) },
  { name: 'value-is-string', check: (k, v) => (typeof v === 'string' ? undefined : `value of "${k}" must be a string (got ${v === null ? 'null' : typeof v})`) },
];

/** Human name of a bag for messages: `application bag of "nats" on relation client:3`. */
export function describeBag(b: BagAddress): string {
  return b.kind === 'app'
    ? `application bag of "${b.owner}" on relation ${b.relation}`
    : `unit bag of "${b.owner}" on relation ${b.relation}`;
}

function firstBroken(rules: readonly AccessRule[], actor: Actor, bag: BagAddress): AccessRule & { why: string } | undefined {
  for (const rule of rules) {
    const why = rule.check(actor, bag);
    if (why !== undefined) return { ...rule, why };
  }
  return undefined;
}

export function assertCanRead(actor: Actor, bag: BagAddress): void {
  const broken = firstBroken(readRules, actor, bag);
  if (broken) throw new RelationAccessError(`unit ${actor.unit} may not read the ${describeBag(bag)}: ${broken.why} [${broken.name}]`);
}

export function assertCanWrite(actor: Actor, bag: BagAddress): void {
  const broken = firstBroken(writeRules, actor, bag);
  if (broken) throw new RelationAccessError(`unit ${actor.unit} may not write the ${describeBag(bag)}: ${broken.why} [${broken.name}]`);
}

export function assertValidContent(actor: Actor, bag: BagAddress, key: string, value: unknown): void {
  for (const rule of contentRules) {
    const why = rule.check(key, value);
    if (why !== undefined) throw new RelationAccessError(`unit ${actor.unit} may not write the ${describeBag(bag)}: ${why} [${rule.name}]`);
  }
}
