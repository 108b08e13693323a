/**
 * Memoised checks of `rest-api` client certificates (issue 8: AMS with 1000 agent units).
 *
 * Checking a certificate means importing @peculiar/x509 (~100 ms) and parsing it, and every
 * hook walks every present unit: O(N) x509 work per hook, O(N²) for a deployment (measured:
 * 4.4 s CPU for 1000 EC P-256 certificates in a fresh process, as a hook runs; 55 ms from
 * the memo). What a certificate IS (parseable, policy, usage, fingerprint,
 * validity dates) depends on its PEM text only, so it is decided once per SHA-256 of the text
 * and kept in the unit's derived-data memo; the one clock-dependent part, the validity window,
 * is checked against `now` on every use from the stored dates, without x509.
 *
 * Stored under one memo key, `v2:` + one line per certificate, sorted by digest:
 *   `<sha256 of PEM text> <fingerprint> <notBefore> <notAfter>`   the usual facts;
 *   `<sha256 of PEM text> {facts as JSON}`                         a rejection, or with pem/usage.
 * Lines are decoded only when looked up and saved again as read, so a hook that adds one
 * certificate encodes one line, and the value has no quotes for the hook memory to escape
 * (issue 8: with `v1:` + one JSON object, decoding and re-encoding 1000 entries cost ~5 ms per
 * hook). `v1:` is still read (same examination, older encoding) and rewritten as `v2:`.
 *
 * A value or an entry that does not decode is treated as absent (checked again), never
 * trusted. When what the examination decides changes (policy, reasons), bump the format and
 * stop reading the older ones: their entries are then examined again (upgrade-charm starts
 * with an empty memo anyway: the hook memory resets on it, lib/juju/memory). Entries of certificates no unit sends any more are dropped
 * (`prune`), so the memo stays O(units). Certificates, fingerprints, dates and policy reasons
 * are public: nothing secret is stored.
 */
import type { DerivedMemo as CharmMemo } from '../../../lib/juju/dispatch.ts';

/** What this file needs of the charm's derived-data store (CharmContext `memo`; never secrets). */
export type DerivedMemo = Pick<CharmMemo, 'get' | 'set'>;

export type ClientCertificateCheck =
  | { readonly ok: true; readonly fingerprint: string; readonly pem: string }
  | { readonly ok: false; readonly reason: string };

/** What a certificate is, apart from the clock. Dates are ISO 8601 (`toISOString`). */
export type CertificateFacts =
  | { readonly rejected: string }
  | {
      readonly fingerprint: string;
      readonly notBefore: string;
      readonly notAfter: string;
      /** The canonical PEM when it differs from the text received (absent: the same text). */
      readonly pem?: string;
      /** Why the certificate is refused for client authentication, checked after the dates. */
      readonly usage?: string;
    };

export type Examine = (pem: string) => Promise<CertificateFacts>;

export const VERDICTS_KEY = 'ams.client-certificate-verdicts';
const FORMAT_NAME = 'v2';
const FORMAT = `${FORMAT_NAME}:`;
/** The JSON encoding of the same examination: read, never written. */
const FORMAT_V1 = 'v1:';

/**
 * The memo key of a PEM text: SHA-256 over the text as received. node:crypto, loaded at call
 * time (~8 ms, issue 8: a hook with no client certificate to check does not pay), not the
 * pure-JS hash of lib/tls fingerprints: this runs for every unit's certificate in every hook
 * (1000 texts at scale), where the native hash is several times faster.
 */
export function pemDigest(pem: string): string {
  return process.getBuiltinModule('node:crypto').hash('sha256', pem, 'hex');
}

/** The verdict at `now`, in the order the full check reports it: policy, dates, usage. */
export function verdictAt(facts: CertificateFacts, pem: string, now: Date): ClientCertificateCheck {
  if ('rejected' in facts) return { ok: false, reason: facts.rejected };
  if (now.getTime() < Date.parse(facts.notBefore)) return { ok: false, reason: `not valid before ${facts.notBefore}` };
  if (now.getTime() > Date.parse(facts.notAfter)) return { ok: false, reason: `expired at ${facts.notAfter}` };
  if (facts.usage !== undefined) return { ok: false, reason: facts.usage };
  return { ok: true, fingerprint: facts.fingerprint, pem: facts.pem ?? pem };
}

/** Exactly what `Date.prototype.toISOString` writes for years 0000-9999. */
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const isIso = (v: unknown): v is string => typeof v === 'string' && ISO.test(v) && !Number.isNaN(Date.parse(v));
const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** One stored entry, or undefined when it is not exactly what `encode` writes. */
export function decodeFacts(value: unknown): CertificateFacts | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v);
  if ('rejected' in v) return keys.length === 1 && isText(v['rejected']) ? { rejected: v['rejected'] } : undefined;
  if (!keys.every((k) => ['fingerprint', 'notBefore', 'notAfter', 'pem', 'usage'].includes(k))) return undefined;
  const { fingerprint, notBefore, notAfter, pem, usage } = v;
  if (typeof fingerprint !== 'string' || !DIGEST.test(fingerprint) || !isIso(notBefore) || !isIso(notAfter)) return undefined;
  if (pem !== undefined && !(typeof pem === 'string' && pem.startsWith('-----BEGIN CERTIFICATE-----\n'))) return undefined;
  if (usage !== undefined && !isText(usage)) return undefined;
  return { fingerprint, notBefore, notAfter, ...(pem === undefined ? {} : { pem }), ...(usage === undefined ? {} : { usage }) };
}

/** One v2 line after its digest: the plain form when the facts allow it, else JSON (never a raw newline). */
function encodeLine(facts: CertificateFacts): string {
  if ('rejected' in facts || facts.pem !== undefined || facts.usage !== undefined) return JSON.stringify(facts);
  return `${facts.fingerprint} ${facts.notBefore} ${facts.notAfter}`;
}

function decodeLine(line: string): CertificateFacts | undefined {
  if (line.startsWith('{')) {
    try {
      return decodeFacts(JSON.parse(line));
    } catch {
      return undefined;
    }
  }
  const [fingerprint, notBefore, notAfter, extra] = line.split(' ');
  return extra === undefined ? decodeFacts({ fingerprint, notBefore, notAfter }) : undefined;
}

/** The entries of a stored value, not decoded yet: v2 lines, or v1 JSON values. */
interface StoredEntries {
  readonly format: 'v1' | 'v2';
  readonly entries: Map<string, unknown>;
}

/** Undefined when the value itself does not decode (another format, not JSON, ...). */
function storedEntries(stored: string): StoredEntries | undefined {
  if (stored.startsWith(FORMAT)) {
    const entries = new Map<string, unknown>();
    const body = stored.slice(FORMAT.length);
    // A line without a space gets an empty digest key: it fails DIGEST, so the value counts as damaged.
    for (const line of body === '' ? [] : body.split('\n')) {
      const space = line.indexOf(' ');
      entries.set(space < 0 ? '' : line.slice(0, space), space < 0 ? line : line.slice(space + 1));
    }
    return { format: 'v2', entries };
  }
  if (!stored.startsWith(FORMAT_V1)) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(stored.slice(FORMAT_V1.length));
  } catch {
    return undefined;
  }
  return typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? { format: 'v1', entries: new Map(Object.entries(doc)) } : undefined;
}

function decodeStored(format: StoredEntries['format'], value: unknown): CertificateFacts | undefined {
  if (format === 'v1') return decodeFacts(value);
  return typeof value === 'string' ? decodeLine(value) : undefined;
}

const DIGEST = /^[0-9a-f]{64}$/;

/**
 * Every entry of a stored value that decodes; `damaged` when anything was left out (a value
 * that does not decode at all is an empty memo).
 */
export function decodeVerdicts(stored: string | undefined): { verdicts: Map<string, CertificateFacts>; damaged: boolean } {
  const verdicts = new Map<string, CertificateFacts>();
  if (stored === undefined) return { verdicts, damaged: false };
  const decoded = storedEntries(stored);
  if (!decoded) return { verdicts, damaged: true };
  let damaged = false;
  for (const [digest, value] of decoded.entries) {
    const facts = DIGEST.test(digest) ? decodeStored(decoded.format, value) : undefined;
    if (facts) verdicts.set(digest, facts);
    else damaged = true;
  }
  return { verdicts, damaged };
}

export function encodeVerdicts(verdicts: ReadonlyMap<string, CertificateFacts>): string {
  return joinLines(new Map([...verdicts].map(([digest, facts]) => [digest, encodeLine(facts)])));
}

/** `v2:` + the lines, sorted by digest (the same entries always give the same text). */
function joinLines(lines: ReadonlyMap<string, string>): string {
  return FORMAT + [...lines.keys()].sort().map((digest) => `${digest} ${lines.get(digest)!}`).join('\n');
}

/**
 * The certificate checks of one hook: each distinct PEM text is examined at most once, and not
 * at all when the memo knows it. Stored entries are decoded only when looked up. `save()`
 * writes the memo only when an entry was added, replaced or dropped, so a hook where nothing
 * changed writes nothing.
 */
export class CertificateVerdicts {
  readonly #memo: DerivedMemo | undefined;
  readonly #examine: Examine;
  /** Entries as stored, not decoded yet. */
  readonly #stored: Map<string, unknown>;
  readonly #storedFormat: StoredEntries['format'];
  readonly #known = new Map<string, CertificateFacts>();
  /** The v2 line of each known entry: as stored when it decoded, so saving does not encode it again. */
  readonly #lines = new Map<string, string>();
  readonly #used = new Set<string>();
  #changed: boolean;

  constructor(memo: DerivedMemo | undefined, examine: Examine) {
    this.#memo = memo;
    this.#examine = examine;
    const stored = memo?.get(VERDICTS_KEY);
    const decoded = stored === undefined ? undefined : storedEntries(stored);
    this.#stored = decoded?.entries ?? new Map();
    this.#storedFormat = decoded?.format ?? FORMAT_NAME;
    // Rewrite a damaged or v1 value even when no certificate is checked.
    this.#changed = stored !== undefined && decoded?.format !== FORMAT_NAME;
  }

  /** Digests looked up since construction: the certificates still in use. */
  get used(): ReadonlySet<string> {
    return this.#used;
  }

  async check(pem: string, now: Date): Promise<ClientCertificateCheck> {
    const digest = pemDigest(pem);
    this.#used.add(digest);
    let facts = this.#lookup(digest);
    if (!facts) {
      facts = await this.#examine(pem);
      // Only what decodes back is kept (e.g. an invalid date cannot be stored as ISO).
      if (decodeFacts(facts)) {
        this.#remember(digest, facts, encodeLine(facts));
        this.#changed = true;
      }
    }
    return verdictAt(facts, pem, now);
  }

  #remember(digest: string, facts: CertificateFacts, line: string): void {
    this.#known.set(digest, facts);
    this.#lines.set(digest, line);
  }

  /**
   * Decode a stored entry (and forget its stored form); undefined when it does not decode.
   * `digest` is checked unless it comes from pemDigest (a lookup).
   */
  #decodeStored(digest: string, checkDigest = true): CertificateFacts | undefined {
    const value = this.#stored.get(digest);
    this.#stored.delete(digest);
    const facts = !checkDigest || DIGEST.test(digest) ? decodeStored(this.#storedFormat, value) : undefined;
    if (facts) this.#remember(digest, facts, this.#storedFormat === FORMAT_NAME ? (value as string) : encodeLine(facts));
    return facts;
  }

  #lookup(digest: string): CertificateFacts | undefined {
    const known = this.#known.get(digest);
    if (known || !this.#stored.has(digest)) return known;
    const facts = this.#decodeStored(digest, false);
    if (!facts) this.#changed = true; // a damaged entry: examined again and replaced
    return facts;
  }

  /** Drop the entries of certificates outside `keep` (default: those checked in this hook). */
  prune(keep: ReadonlySet<string> = this.#used): void {
    for (const entries of [this.#stored, this.#known, this.#lines]) {
      for (const digest of [...entries.keys()]) {
        if (keep.has(digest)) continue;
        entries.delete(digest);
        this.#changed = true;
      }
    }
  }

  save(): void {
    if (!this.#changed || !this.#memo) return;
    for (const digest of [...this.#stored.keys()]) this.#decodeStored(digest); // what does not decode is dropped
    this.#memo.set(VERDICTS_KEY, joinLines(this.#lines));
    this.#changed = false;
  }
}
