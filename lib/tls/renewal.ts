/** When to renew: at a fixed fraction of a certificate's lifetime (issue 5, "Lifecycle"). */
import { Certificate } from './certificate.ts';
import { invalidOption } from './errors.ts';

export const DEFAULT_RENEW_FRACTION = 2 / 3;

function view(cert: string | Certificate): Certificate | undefined {
  if (cert instanceof Certificate) return cert;
  const p = Certificate.parse(cert);
  return p.ok ? p.certificate : undefined;
}

/** notBefore + fraction x lifetime. */
export function renewalTime(cert: string | Certificate, fraction: number = DEFAULT_RENEW_FRACTION): Date {
  if (!(typeof fraction === 'number' && fraction > 0 && fraction <= 1)) throw invalidOption('fraction', fraction, 'a number in (0, 1]');
  const c = view(cert);
  if (!c) return new Date(0);
  return new Date(c.notBefore.getTime() + Math.floor(c.lifetimeMs * fraction));
}

/**
 * True once `now` has reached `fraction` of the certificate's life (default 2/3: a 90-day
 * leaf renews after 60 days, leaving 30 days of overlap). An unparseable certificate needs
 * renewal too, so bad stored material heals itself.
 */
export function needsRenewal(cert: string | Certificate, now: Date = new Date(), fraction: number = DEFAULT_RENEW_FRACTION): boolean {
  return now.getTime() >= renewalTime(cert, fraction).getTime();
}
