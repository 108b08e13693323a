/**
 * AMS's answer on `rest-api` (interface `rest`, schemas lib/relations/schemas/rest.*):
 * - every unit, in its own bag: `port`, `private_address` (bind address), `public_address`
 *   (config `location`, else the ingress address as seen by that relation: the public one
 *   across a CMR, contract §2.12), `node` and `certificate_fingerprint` (SHA-256 of THIS
 *   unit's API certificate, what a client pins);
 * - the leader, in the app bag: `ca_cert` (the CA bundle that signs the units' API
 *   certificates, for clients that verify instead of pinning) and `port`.
 * Nothing secret crosses this relation.
 */
import type { HookTools } from '../../../lib/juju/types.ts';
import { bindAddress, ingressAddress } from '../../../lib/charmkit/addresses.ts';
import type { Bags as RestBags } from '../../../lib/relations/generated/rest.ts';
import type { InterfaceCodec } from '../../../lib/relations/interfaces.ts';
import type { Relation } from '../../../lib/relations/relation.ts';

export interface RestAnswer {
  readonly port: number;
  /** Config `location`; '' when unset. */
  readonly location: string;
  /** `ams-0` for unit `ams/0`. */
  readonly node: string;
  /** Plain-hex SHA-256 of this unit's API certificate; undefined until it exists. */
  readonly fingerprint: string | undefined;
  /** CA bundle PEM; undefined until it exists. */
  readonly caPem: string | undefined;
}

export function nodeName(unit: string): string {
  return unit.replace('/', '-');
}

/** Queue the answer on every live `rest-api` relation (flushed by relations.commit()). */
export function answerRestApi(relations: readonly Relation[], rest: InterfaceCodec<RestBags>, tools: HookTools, answer: RestAnswer, isLeader: boolean): void {
  if (relations.length === 0) return;
  const privateAddress = bindAddress(tools, 'rest-api');
  for (const relation of relations) {
    const publicAddress = answer.location || ingressAddress(tools, 'rest-api', relation.name) || privateAddress;
    if (privateAddress) {
      rest.write(relation.local, 'provider.unit', {
        port: String(answer.port),
        private_address: privateAddress,
        ...(publicAddress ? { public_address: publicAddress } : {}),
        node: answer.node,
        ...(answer.fingerprint ? { certificate_fingerprint: answer.fingerprint } : {}),
      });
    }
    if (isLeader) {
      rest.write(relation.localApp, 'provider.app', {
        port: String(answer.port),
        ...(answer.caPem ? { ca_cert: answer.caPem } : {}),
      });
    }
  }
}
