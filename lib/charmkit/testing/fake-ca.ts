/**
 * A tiny in-process `tls-certificates` provider charm for tests: its leader answers every
 * requirer unit's CSRs with a CA made once per test file (lib/tls `answerCsrRequests`), and
 * re-running changes nothing. `tamper` lets a test publish bad data.
 */
import { defineCharm, type CharmDefinition } from '../../juju/dispatch.ts';
import { active } from '../../juju/status.ts';
import { Relations } from '../../relations/relations.ts';
import type { CertificateAuthority } from '../../tls/ca.ts';
import { spec } from './sim.ts';

export const FAKE_CA_SPEC = spec('fake-ca', {
  provides: { certificates: { interface: 'tls-certificates' } },
  config: { nonce: { type: 'string', default: '' } },
});

export interface FakeCaOptions {
  readonly ca: () => CertificateAuthority;
  /** Replace the answer JSON (e.g. to publish invalid data). */
  readonly tamper?: (json: string) => string;
}

export function fakeCaCharm(options: FakeCaOptions): CharmDefinition {
  return defineCharm({
    reconcile: async ({ tools, hook }) => {
      const relations = Relations.fromContext(tools, hook);
      if (!relations.actor.isLeader()) return active();
      const tls = await import('../../tls/index.ts');
      for (const r of relations.all('certificates')) {
        const requests = r.remoteUnitBags().flatMap((b) => {
          const parsed = tls.parseCsrRequests(b.get(tls.CSR_LIST_KEY));
          return parsed.ok ? parsed.entries : [];
        });
        const existing = tls.parseProviderCertificates(r.localApp.get(tls.CERTIFICATES_KEY));
        const answer = await tls.answerCsrRequests(options.ca(), requests, existing.ok ? { existing: existing.entries } : {});
        const json = tls.buildProviderCertificates(answer.entries);
        r.localApp.set(tls.CERTIFICATES_KEY, options.tamper ? options.tamper(json) : json);
      }
      relations.commit();
      return active();
    },
  });
}
