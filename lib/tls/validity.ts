/** Validity window parameters shared by CA and leaf generators. */
import { durationMs, truncateToSecond, type Duration } from './duration.ts';
import { invalidOption } from './errors.ts';

export interface ValidityParams {
  /** Lifetime from `now`. Default: 365 days for a CA, 90 days for a leaf (issue 5). Down to seconds for tests. */
  readonly validity?: Duration;
  /** Issue time. Default: the real clock. Inject it in tests (e.g. to make a cert that is already old). */
  readonly now?: Date;
  /**
   * How far notBefore is set before `now`, so units whose clocks lag the issuing leader do
   * not see a "not yet valid" certificate. Default `{ minutes: 1 }`; `{}` or zero for none.
   */
  readonly backdate?: Duration;
}

export interface Window { readonly notBefore: Date; readonly notAfter: Date }

export function resolveWindow(p: ValidityParams, defaultValidity: Duration, notAfterCap?: Date): Window {
  const now = p.now ?? new Date();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw invalidOption('now', p.now, 'a valid Date');
  const back = p.backdate === undefined ? 60_000 : backdateMs(p.backdate);
  const notBefore = truncateToSecond(new Date(now.getTime() - back));
  let notAfter = truncateToSecond(new Date(now.getTime() + durationMs(p.validity ?? defaultValidity, 'validity')));
  // A leaf cannot usefully outlive its issuer: path validation fails once the CA expires.
  if (notAfterCap && notAfter > notAfterCap) notAfter = notAfterCap;
  if (notAfter <= notBefore) throw invalidOption('validity', JSON.stringify(p.validity), 'a window ending after it starts (is the issuing CA expired?)');
  return { notBefore, notAfter };
}

function backdateMs(d: Duration): number {
  const total = Object.values(d).reduce<number>((a, v) => a + (typeof v === 'number' ? v : 0), 0);
  return total === 0 ? 0 : durationMs(d, 'backdate');
}
