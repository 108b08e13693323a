/**
 * The agent's side of `ams` (interface `rest`, schemas lib/relations/schemas/rest.*):
 * - we send our client certificate (public) as `client_certificate` in our unit bag; AMS
 *   trusts it by SHA-256 fingerprint while this unit is related;
 * - we read AMS's answer: from each AMS unit bag `port`, `private_address`,
 *   `public_address`, `certificate_fingerprint`; from the app bag `ca_cert`. We talk to the
 *   first AMS unit (by unit number) whose answer is complete, and pin it by fingerprint
 *   (`tls_use_pinning`) or verify it against `ca_cert`.
 * Issue 4/6: an invalid bag changes nothing: we use the last good view of it (remote-view.ts,
 * public data only) and block with a status naming relation, field and why.
 */
import type { Bags as RestBags } from '../../../lib/relations/generated/rest.ts';
import type { InterfaceCodec } from '../../../lib/relations/interfaces.ts';
import type { Relation } from '../../../lib/relations/relation.ts';
import type { StatusBook } from '../../common/src/status-book.ts';
import type { RemoteViews } from './remote-view.ts';
import type { AgentAms } from './workload.ts';

export const AMS_ENDPOINT = 'ams';

const unitNumber = (unit: string): number => Number(unit.slice(unit.lastIndexOf('/') + 1));

/** What we keep of `ams` between hooks (all public). */
export interface AmsView {
  readonly units: Readonly<Record<string, { readonly url: string; readonly fingerprint?: string }>>;
  readonly ca?: string;
}

/** Publish our certificate and read AMS; null (reason in `book`) until AMS is usable. */
export function amsLink(relation: Relation | undefined, rest: InterfaceCodec<RestBags>, clientCertificate: string | undefined, pinning: boolean, book: StatusBook, views: RemoteViews): AgentAms | null {
  if (!relation) {
    book.blocked(`missing relation "${AMS_ENDPOINT}": relate anbox-stream-agent:ams to ams:rest-api`);
    return null;
  }
  if (clientCertificate) rest.write(relation.local, 'requirer.unit', { client_certificate: clientCertificate });
  const last = views.get<AmsView>(relation);
  const units: Record<string, { url: string; fingerprint?: string }> = {};
  for (const unit of [...relation.units].sort((a, b) => unitNumber(a) - unitNumber(b))) {
    const read = rest.read(relation.remoteUnit(unit), 'provider.unit');
    if (!read.ok) {
      const kept = read.reason === 'invalid' ? last?.units[unit] : undefined;
      if (read.reason === 'invalid') book.blocked(`${read.message}${kept ? ' (kept its last good answer)' : ''}`);
      if (kept) units[unit] = kept;
      continue;
    }
    const v = read.value;
    units[unit] = { url: `https://${bracket(v.public_address ?? v.private_address)}:${v.port}`, ...(v.certificate_fingerprint ? { fingerprint: v.certificate_fingerprint } : {}) };
  }
  // With pinning the app bag is not ours to read (its `ca_cert` is unused).
  let ca: string | undefined;
  if (!pinning) {
    const app = rest.read(relation.remoteAppBag, 'provider.app');
    if (app.ok) ca = app.value.ca_cert;
    else {
      ca = app.reason === 'invalid' ? last?.ca : undefined;
      if (app.reason === 'invalid') book.blocked(`${app.message}${ca ? ' (kept the last good CA certificate)' : ''}`);
    }
  } else ca = last?.ca;
  const view: AmsView = { units, ...(ca ? { ca } : {}) };
  views.keep(relation, view);
  for (const u of Object.values(units)) {
    if (pinning && u.fingerprint) return { url: u.url, fingerprint: u.fingerprint };
    if (!pinning && ca) return { url: u.url, ca };
  }
  if (!book.has('blocked')) book.waiting(`waiting for AMS on ${relation.name} to publish its address and ${pinning ? 'certificate fingerprint' : 'CA certificate'}`);
  return null;
}

function bracket(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
