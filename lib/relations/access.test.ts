import { describe, it, expect } from '@jest/globals';
import { RelationAccessError } from '../juju/errors.ts';
import { assertCanRead, assertCanWrite, assertValidContent, type Actor, type BagAddress, readRules, writeRules } from './access.ts';

// Contract §2.6 as a table: [bag, leader?, may read, may write]
const actor = (leader: boolean): Actor => ({ unit: 'nats/1', app: 'nats', isLeader: () => leader });
const bag = (kind: 'unit' | 'app', owner: string, peer = false): BagAddress => ({ relation: peer ? 'cluster:0' : 'client:3', kind, owner, peer });
const table: Array<[string, BagAddress, boolean, boolean, boolean]> = [
  ['own unit bag', bag('unit', 'nats/1'), false, true, true],
  ['own app bag, leader', bag('app', 'nats'), true, true, true],
  ['own app bag, non-leader', bag('app', 'nats'), false, false, false],
  ['own app bag in a peer relation, non-leader', bag('app', 'nats', true), false, true, false],
  ['own app bag in a peer relation, leader', bag('app', 'nats', true), true, true, true],
  ['peer unit bag', bag('unit', 'nats/0', true), true, true, false],
  ['remote unit bag', bag('unit', 'agent/0'), true, true, false],
  ['remote app bag', bag('app', 'agent'), true, true, false],
];

describe('databag rules (contract §2.6)', () => {
  it.each(table)('%s', (_name, b, leader, mayRead, mayWrite) => {
    const a = actor(leader);
    if (mayRead) expect(() => assertCanRead(a, b)).not.toThrow(); else expect(() => assertCanRead(a, b)).toThrow(RelationAccessError);
    if (mayWrite) expect(() => assertCanWrite(a, b)).not.toThrow(); else expect(() => assertCanWrite(a, b)).toThrow(RelationAccessError);
  });

  it('names the unit, the bag and the rule', () => {
    expect(() => assertCanWrite(actor(true), bag('app', 'agent'))).toThrow(
      'unit nats/1 may not write the application bag of "agent" on relation client:3: a unit may write only its own unit bag and, as leader, its own application bag; remote and other units\' bags are read-only (contract §2.6) [only-own-bags-are-writable]');
    expect(() => assertCanRead(actor(false), bag('app', 'nats'))).toThrow('unit nats/1 may not read the application bag of "nats" on relation client:3: only the leader may read its own application bag outside a peer relation (contract §2.6) [own-app-bag-read-needs-leader-outside-peer]');
  });

  it('asks for leadership only when an app bag is involved', () => {
    let asked = 0;
    const a: Actor = { unit: 'nats/1', app: 'nats', isLeader: () => { asked++; return false; } };
    assertCanWrite(a, bag('unit', 'nats/1'));
    assertCanRead(a, bag('unit', 'agent/0'));
    expect(asked).toBe(0);
  });

  it('rules live in one place, each with a name', () => {
    expect([...readRules, ...writeRules].map((r) => r.name)).toEqual(['own-app-bag-read-needs-leader-outside-peer', 'only-own-bags-are-writable', 'app-bag-write-needs-leader']);
  });

  it('checks content: non-empty keys, string values', () => {
    expect(() => assertValidContent(actor(true), bag('unit', 'nats/1'), '', 'x')).toThrow('keys must not be empty [key-not-empty]');
    expect(() => assertValidContent(actor(true), bag('unit', 'nats/1'), 'k', 3 as unknown as string)).toThrow('value of "k" must be a string (got number)');
  });
});
