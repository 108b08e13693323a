import { describe, expect, it } from '@jest/globals';
import { formatSecretsTabular, friendlyDuration } from './secrets-format.ts';
import { formatStatusTabular } from './status-format.ts';
import type { StatusView } from './status-view.ts';
import { tabulate } from './table.ts';

const now = new Date('2026-11-22T12:00:00Z');

describe('tabulate (juju tabwriter, contract §5)', () => {
  it('pads by two spaces, right-aligns chosen columns in place and never pads the last column', () => {
    expect(tabulate([['Status', 'Scale', 'Message'], ['active', '3', '']], new Set([1]))).toBe('Status  Scale  Message\nactive      3\n');
  });
});

describe('juju status tabular (contract §5.5)', () => {
  const st: StatusView = {
    model: { name: 'prod', controller: 'jujusim', cloud: 'localhost', region: 'localhost', version: '3.6.1' },
    controller: { timestamp: '12:00:00Z' },
    'application-endpoints': { nats: { url: 'admin/infra.nats', 'application-status': { current: 'active' } } },
    applications: {
      agent: {
        'charm-name': 'anbox-stream-agent', 'charm-rev': 3, exposed: false, 'application-status': { current: 'active', message: 'ready' },
        units: { 'agent/10': { 'workload-status': { current: 'active' }, 'juju-status': { current: 'idle' }, machine: '1', 'public-address': '10.0.0.2' },
                 'agent/2': { 'workload-status': { current: 'blocked', message: 'no nats' }, 'juju-status': { current: 'idle' }, leader: true, machine: '0', 'public-address': '10.0.0.1', 'open-ports': ['8080/tcp'] } },
      },
    },
    offers: { agent: { application: 'agent', charm: 'local:anbox-stream-agent-3', 'charm-rev': 3, 'active-connected-count': 1, 'total-connected-count': 2, endpoints: { client: { interface: 'agent', role: 'provider' }, admin: { interface: 'x', role: 'requirer' } } } },
    relations: [{ provider: 'nats:client', requirer: 'agent:nats', interface: 'nats', type: 'regular', status: 'joined' },
                { provider: 'agent:peers', requirer: 'agent:peers', interface: 'agent-peers', type: 'peer', status: 'suspended' }],
  };

  it('prints every section with the exact 3.6 headers, leader star and numeric unit order', () => {
    expect(formatStatusTabular(st, { relations: true, now })).toBe([
      'Model  Controller  Cloud/Region         Version  SLA          Timestamp',
      'prod   jujusim     localhost/localhost  3.6.1    unsupported  12:00:00Z',
      '',
      'SAAS  Status  Store  URL',
      'nats  active  local  admin/infra.nats',
      '',
      'App    Version  Status  Scale  Charm               Channel  Rev  Exposed  Message',
      'agent           active      2  anbox-stream-agent             3  no       ready',
      '',
      'Unit      Workload  Agent  Machine  Public address  Ports     Message',
      'agent/2*  blocked   idle   0        10.0.0.1        8080/tcp  no nats',
      'agent/10  active    idle   1        10.0.0.2',
      '',
      'Offer  Application  Charm                       Rev  Connected  Endpoint  Interface  Role',
      'agent  agent        local:anbox-stream-agent-3    3  1/2        admin     x          requirer',
      `${' '.repeat(64)}client    agent      provider`,
      '',
      'Integration provider  Requirer     Interface    Type     Message',
      'agent:peers           agent:peers  agent-peers  peer     suspended',
      'nats:client           agent:nats   nats         regular',
      '',
    ].join('\n'));
  });

  it('uses the 2.9 headers on a 2.9 model (Relation provider, Store/OS columns)', () => {
    const out = formatStatusTabular({ ...st, model: { ...st.model, version: '2.9.49' } }, { relations: true, now });
    expect(out).toContain('\nRelation provider  Requirer');
    expect(out).toContain('\nApp    Version  Status  Scale  Charm               Store  Channel  Rev  OS      Message\n');
  });

  it('omits the integrations table without --relations and says when a model is empty', () => {
    expect(formatStatusTabular(st, { now })).not.toContain('Integration provider');
    expect(formatStatusTabular({ model: { name: 'm' } }, { now })).toContain('Model "m" is empty.\n');
  });
});

describe('juju secrets tabular (contract §5.1)', () => {
  it('sorts by owner then revision descending, right-aligns Revision, shows - and never', () => {
    const out = formatSecretsTabular({
      d4k1: { revision: 1, owner: 'nats', created: '2026-11-22T11:00:00Z', updated: '2026-11-22T11:00:00Z' },
      c9p2: { revision: 12, owner: 'nats', rotation: 'daily', updated: '2026-11-22T11:59:30Z' },
      a0z0: { revision: 2, owner: 'agent', updated: '2026-11-01T00:00:00Z' },
    }, now);
    expect(out).toBe([
      'ID    Name  Owner  Rotation  Revision  Last updated',
      'a0z0  -     agent  never            2  2026-11-01',
      'c9p2  -     nats   daily           12  30 seconds ago',
      'd4k1  -     nats   never            1  1 hour ago',
      '',
    ].join('\n'));
  });

  it('friendly durations', () => {
    expect(friendlyDuration(new Date(now.getTime() - 60_000), now)).toBe('1 minute ago');
    expect(friendlyDuration(now, now)).toBe('just now');
  });
});
