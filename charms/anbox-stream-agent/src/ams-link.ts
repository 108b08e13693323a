/**
 * The agent's side of `ams` (interface `rest`, schemas lib/relations/schemas/rest.*):
 * - we send our client certificate (public) as `client_certificate` in our unit bag; AMS
 *   trusts it by SHA-256 fingerprint while this unit is related;
 * - we read AMS's answer: from each AMS unit bag `port`, `private_address`,
 *   `public_address`, `certificate_fingerprint`; from the app bag `ca_cert`. We talk to the
 *   first AMS unit (by unit number) whose answer is complete, and pin it by fingerprint
 *   (`tls_use_pinning`) or verify it against `ca_cert`.
 */
import type { Bags as RestBags } from '../../../lib/relations/generated/rest.ts';
import type { InterfaceCodec } from '../../../lib/relations/interfaces.ts';
import type { Relation } from '../../../lib/relations/relation.ts';
import type { StatusBook } from '../../common/src/status-book.ts';
import type { AgentAms } from './workload.ts';

export const AMS_ENDPOINT = 'ams';

const unitNumber = (unit: string): number => Number(unit.slice(unit.lastIndexOf('/') + 1));

/** Publish our certificate and read AMS; null (reason in `book`) until AMS is usable. */
export function amsLink(relation: Relation | undefined, rest: InterfaceCodec<RestBags>, clientCertificate: string | undefined, pinning: boolean, book: StatusBook): AgentAms | null {
  if (!relation) {
    book.blocked(`missing relation "${AMS_ENDPOINT}": relate anbox-stream-agent:ams to ams:rest-api`);
    return null;
  }
  if (clientCertificate) rest.write(relation.local, 'requirer.unit', { client_certificate: clientCertificate });
  const units = [...relation.units].sort((a, b) => unitNumber(a) - unitNumber(b));
  const problems: string[] = [];
  for (const unit of units) {
    const read = rest.read(relation.remoteUnit(unit), 'provider.unit');
    if (!read.ok) {
      if (read.reason === 'invalid') problems.push(read.message);
      continue;
    }
    const v = read.value;
    const url = `https://${bracket(v.public_address ?? v.private_address)}:${v.port}`;
    if (pinning) {
      if (!v.certificate_fingerprint) continue;
      return { url, fingerprint: v.certificate_fingerprint };
    }
    const app = rest.read(relation.remoteAppBag, 'provider.app');
    if (!app.ok) { problems.push(app.message); break; }
    if (!app.value.ca_cert) break;
    return { url, ca: app.value.ca_cert };
  }
  if (problems.length) book.blocked(problems.join('; '));
  else book.waiting(`waiting for AMS on ${relation.name} to publish its address and ${pinning ? 'certificate fingerprint' : 'CA certificate'}`);
  return null;
}

function bracket(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
