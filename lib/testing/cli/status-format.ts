/**
 * `juju status` tabular output (contract §5.5; juju cmd/juju/status/output_tabular.go):
 * sections Model, SAAS, App, Unit, Machine, Offer, and with --relations the integrations
 * table, separated by blank lines. Leader units get `*`. 2.9 differences: the app table had
 * `Store` and `OS` columns and the integrations header read `Relation provider` (contract §5.5).
 */
import { tabulate } from './table.ts';
import type { ApplicationView, RelationRowView, StatusView, UnitView } from './status-view.ts';

const dash = (s: string | undefined): string => s ?? '';

function is29(version: string | undefined): boolean {
  return /^2\./.test(version ?? '');
}

function modelTable(st: StatusView, now: Date): string {
  const m = st.model ?? {};
  const cloud = m.region ? `${dash(m.cloud)}/${m.region}` : dash(m.cloud);
  const ts = st.controller?.timestamp ?? `${now.toISOString().slice(11, 19)}Z`;
  return tabulate([
    ['Model', 'Controller', 'Cloud/Region', 'Version', 'SLA', 'Timestamp'],
    [dash(m.name), dash(m.controller), cloud, dash(m.version), m.sla ?? 'unsupported', ts],
  ]);
}

function saasTable(st: StatusView): string | undefined {
  const entries = Object.entries(st['application-endpoints'] ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return undefined;
  return tabulate([
    ['SAAS', 'Status', 'Store', 'URL'],
    ...entries.map(([name, s]) => [name, s['application-status']?.current ?? 'unknown', s.store ?? 'local', dash(s.url)]),
  ]);
}

function scaleOf(app: ApplicationView): number {
  return app.scale ?? Object.keys(app.units ?? {}).length;
}

function appTable(st: StatusView): string | undefined {
  const apps = Object.entries(st.applications ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (apps.length === 0) return undefined;
  if (is29(st.model?.version)) {
    return tabulate([
      ['App', 'Version', 'Status', 'Scale', 'Charm', 'Store', 'Channel', 'Rev', 'OS', 'Message'],
      ...apps.map(([name, a]) => [name, dash(a.version), a['application-status']?.current ?? 'unknown', String(scaleOf(a)), a['charm-name'] ?? dash(a.charm), 'local', dash(a['charm-channel']), String(a['charm-rev'] ?? 0), 'ubuntu', dash(a['application-status']?.message)]),
    ], new Set([3, 7]));
  }
  return tabulate([
    ['App', 'Version', 'Status', 'Scale', 'Charm', 'Channel', 'Rev', 'Exposed', 'Message'],
    ...apps.map(([name, a]) => [name, dash(a.version), a['application-status']?.current ?? 'unknown', String(scaleOf(a)), a['charm-name'] ?? dash(a.charm), dash(a['charm-channel']), String(a['charm-rev'] ?? 0), a.exposed ? 'yes' : 'no', dash(a['application-status']?.message)]),
  ], new Set([3, 6]));
}

function unitNumberCompare(a: string, b: string): number {
  const [aa = '', an = '0'] = a.split('/');
  const [ba = '', bn = '0'] = b.split('/');
  return aa === ba ? Number(an) - Number(bn) : aa.localeCompare(ba);
}

function unitRows(name: string, u: UnitView, indent: string): string[][] {
  const rows = [[
    `${indent}${name}${u.leader ? '*' : ''}`,
    u['workload-status']?.current ?? 'unknown',
    u['juju-status']?.current ?? 'idle',
    dash(u.machine),
    dash(u['public-address']),
    (u['open-ports'] ?? []).join(','),
    dash(u['workload-status']?.message),
  ]];
  for (const [sub, su] of Object.entries(u.subordinates ?? {}).sort(([a], [b]) => unitNumberCompare(a, b))) rows.push(...unitRows(sub, su, `${indent}  `));
  return rows;
}

function unitTable(st: StatusView): string | undefined {
  const rows: string[][] = [];
  const apps = Object.entries(st.applications ?? {}).filter(([, a]) => !(a['subordinate-to']?.length));
  const units = apps.flatMap(([, a]) => Object.entries(a.units ?? {})).sort(([a], [b]) => unitNumberCompare(a, b));
  for (const [name, u] of units) rows.push(...unitRows(name, u, ''));
  if (rows.length === 0) return undefined;
  return tabulate([['Unit', 'Workload', 'Agent', 'Machine', 'Public address', 'Ports', 'Message'], ...rows]);
}

function machineTable(st: StatusView): string | undefined {
  const machines = Object.entries(st.machines ?? {}).sort(([a], [b]) => Number(a) - Number(b));
  if (machines.length === 0) return undefined;
  return tabulate([
    ['Machine', 'State', 'Address', 'Inst id', 'Base', 'AZ', 'Message'],
    ...machines.map(([id, m]) => [id, m['juju-status']?.current ?? 'started', dash(m['dns-name']), dash(m['instance-id']),
      m.base ? `${dash(m.base.name)}@${dash(m.base.channel)}` : '', dash(m['availability-zone']), dash(m['machine-status']?.message)]),
  ]);
}

function offerTable(st: StatusView): string | undefined {
  const rows: string[][] = [];
  for (const [name, o] of Object.entries(st.offers ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    Object.entries(o.endpoints ?? {}).sort(([a], [b]) => a.localeCompare(b)).forEach(([ep, e], i) => {
      // juju prints the offer's own columns only on its first endpoint row
      rows.push(i === 0
        ? [name, dash(o.application), dash(o.charm), String(o['charm-rev'] ?? 0), `${o['active-connected-count'] ?? 0}/${o['total-connected-count'] ?? 0}`, ep, dash(e.interface), dash(e.role)]
        : ['', '', '', '', '', ep, dash(e.interface), dash(e.role)]);
    });
  }
  if (rows.length === 0) return undefined;
  return tabulate([['Offer', 'Application', 'Charm', 'Rev', 'Connected', 'Endpoint', 'Interface', 'Role'], ...rows], new Set([3]));
}

/** Integrations from `relations` if the engine provides it, else from app endpoint lists (peers and unknown roles). */
export function relationRows(st: StatusView): RelationRowView[] {
  if (st.relations) return [...st.relations];
  const rows: RelationRowView[] = [];
  for (const [app, a] of Object.entries(st.applications ?? {})) {
    for (const [ep, related] of Object.entries(a.relations ?? {})) {
      for (const r of related) {
        const other = typeof r === 'string' ? r : dash(r['related-application']);
        if (other === app) rows.push({ provider: `${app}:${ep}`, requirer: `${app}:${ep}`, interface: typeof r === 'string' ? '' : dash(r.interface), type: 'peer' });
      }
    }
  }
  return rows;
}

function relationTable(st: StatusView): string | undefined {
  const rows = relationRows(st).sort((a, b) => a.provider.localeCompare(b.provider) || a.requirer.localeCompare(b.requirer));
  if (rows.length === 0) return undefined;
  const header = is29(st.model?.version) ? 'Relation provider' : 'Integration provider';
  return tabulate([
    [header, 'Requirer', 'Interface', 'Type', 'Message'],
    ...rows.map((r) => [r.provider, r.requirer, r.interface, r.type, r.status && r.status !== 'joined' ? r.status : dash(r.message)]),
  ]);
}

export function formatStatusTabular(st: StatusView, options: { relations?: boolean; now?: Date } = {}): string {
  const sections = [modelTable(st, options.now ?? new Date()), saasTable(st), appTable(st), unitTable(st), machineTable(st), offerTable(st)];
  if (options.relations) sections.push(relationTable(st));
  const present = sections.filter((s): s is string => s !== undefined);
  const count = (o: object | undefined): number => Object.keys(o ?? {}).length;
  if (count(st.applications) + count(st['application-endpoints']) + count(st.offers) === 0) present.push(`Model "${dash(st.model?.name)}" is empty.\n`);
  return present.join('\n');
}
