/**
 * A parsed, read-only X.509 certificate view with lazy cached getters (style.md #13).
 * Extensions are looked up by class. Issuance lives elsewhere (ca.ts).
 */
import type { CryptoImpl } from './provider.ts';
import { createPublicKey } from 'node:crypto';
import { x509, defaultCrypto } from './provider.ts';
import { TlsError } from './errors.ts';
import { derToPem, pemToDer } from './pem.ts';
import { sha256Der, toColonHex, toPlainHex } from './fingerprint.ts';
import type { KeyAlgorithmInfo } from './algorithms.ts';
import type { SubjectAltNames } from './names.ts';
import { canonicalIp } from './names.ts';

export type KeyUsageName =
  | 'digitalSignature' | 'nonRepudiation' | 'keyEncipherment' | 'dataEncipherment' | 'keyAgreement'
  | 'keyCertSign' | 'cRLSign' | 'encipherOnly' | 'decipherOnly';

const KEY_USAGE_BITS: ReadonlyArray<readonly [KeyUsageName, number]> = [
  ['digitalSignature', 1], ['nonRepudiation', 2], ['keyEncipherment', 4], ['dataEncipherment', 8], ['keyAgreement', 16],
  ['keyCertSign', 32], ['cRLSign', 64], ['encipherOnly', 128], ['decipherOnly', 256],
];

export const EKU_OIDS = { serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2' } as const;
const EKU_NAMES: Readonly<Record<string, string>> = { [EKU_OIDS.serverAuth]: 'serverAuth', [EKU_OIDS.clientAuth]: 'clientAuth' };

const CURVES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** Key algorithm of a SubjectPublicKeyInfo; `{ type: 'other' }` for what we do not support. */
export function spkiAlgorithm(spki: Uint8Array): KeyAlgorithmInfo | { readonly type: 'other'; readonly name: string } {
  try {
    const k = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    const d = k.asymmetricKeyDetails ?? {};
    if (k.asymmetricKeyType === 'rsa') return { type: 'rsa', bits: d.modulusLength ?? 0 };
    if (k.asymmetricKeyType === 'ec') return { type: 'ec', curve: CURVES[d.namedCurve ?? ''] ?? d.namedCurve ?? 'unknown' };
    return { type: 'other', name: k.asymmetricKeyType ?? 'unknown' };
  } catch {
    return { type: 'other', name: 'unparseable' };
  }
}

/** The hash of an RSA/ECDSA signature algorithm, e.g. 'SHA-256', or undefined when unknown. */
export function signatureHashOf(alg: { name: string; hash?: { name: string } | string }): string | undefined {
  if (!['RSASSA-PKCS1-v1_5', 'ECDSA', 'RSA-PSS'].includes(alg.name)) return undefined;
  const h = alg.hash;
  return typeof h === 'string' ? h : h?.name;
}

export function keyUsageNames(flags: number): KeyUsageName[] {
  return KEY_USAGE_BITS.filter(([, bit]) => (flags & bit) !== 0).map(([n]) => n);
}

/**
 * Parsing with @peculiar/x509 costs ~3-10 ms per certificate on these machines (measured),
 * and a reconcile re-reads the same PEMs many times. Views are immutable, so parses are
 * memoised by DER hash (bounded; pure cache, no behaviour depends on it).
 */
const PARSED = new Map<string, Certificate>();
const PARSED_MAX = 512;

export class Certificate {
  readonly #x: x509.X509Certificate;
  #der?: Uint8Array;
  #pem?: string;
  #fp?: Uint8Array;
  #sans?: SubjectAltNames;
  #spki?: Uint8Array;
  #keyAlg?: ReturnType<typeof spkiAlgorithm>;

  private constructor(x: x509.X509Certificate) {
    this.#x = x;
  }

  /** Parse one PEM certificate. Throws `TlsError('invalid-certificate' | 'invalid-pem')`. */
  static fromPem(pem: string): Certificate {
    return Certificate.fromDer(pemToDer(pem, 'CERTIFICATE'));
  }

  static fromDer(der: Uint8Array): Certificate {
    const digest = sha256Der(der);
    const id = toPlainHex(digest);
    const hit = PARSED.get(id);
    if (hit) return hit;
    const c = Certificate.#parseDer(der);
    c.#fp = digest;
    if (PARSED.size >= PARSED_MAX) PARSED.delete(PARSED.keys().next().value as string);
    PARSED.set(id, c);
    return c;
  }

  static #parseDer(der: Uint8Array): Certificate {
    let x: x509.X509Certificate;
    try {
      x = new x509.X509Certificate(der);
      // Touch the fields every caller relies on so a malformed body fails here, not later.
      void x.notBefore; void x.notAfter; void x.subject; void x.issuer; void x.publicKey;
    } catch (e) {
      throw new TlsError('invalid-certificate', `Certificate could not be parsed: ${(e as Error).message}`, { cause: e });
    }
    const c = new Certificate(x);
    c.#der = new Uint8Array(der);
    return c;
  }

  /** Non-throwing parse for untrusted input (relation data, config). */
  static parse(pem: unknown): { ok: true; certificate: Certificate } | { ok: false; reason: string } {
    try {
      return { ok: true, certificate: Certificate.fromPem(pem as string) };
    } catch (e) {
      return { ok: false, reason: e instanceof TlsError ? e.message : 'Certificate could not be parsed' };
    }
  }

  /** The underlying @peculiar/x509 object (for advanced use; prefer the getters). */
  get raw(): x509.X509Certificate { return this.#x; }
  get der(): Uint8Array { return (this.#der ??= new Uint8Array(this.#x.rawData)); }
  /** Canonical PEM (64 columns, LF, trailing newline). */
  get pem(): string { return (this.#pem ??= derToPem(this.der, 'CERTIFICATE')); }
  /** Hex serial as x509 reports it (no leading zero byte stripping beyond DER's). */
  get serialNumber(): string { return this.#x.serialNumber; }
  get subject(): string { return this.#x.subject; }
  get issuer(): string { return this.#x.issuer; }
  get commonName(): string | undefined { return this.#x.subjectName.getField('CN')[0]; }
  get issuerCommonName(): string | undefined { return this.#x.issuerName.getField('CN')[0]; }
  get notBefore(): Date { return this.#x.notBefore; }
  get notAfter(): Date { return this.#x.notAfter; }
  /** Lifetime in ms (notAfter - notBefore). */
  get lifetimeMs(): number { return this.notAfter.getTime() - this.notBefore.getTime(); }

  /** True when subject and issuer names are byte-identical (a root or self-signed leaf). */
  get isSelfIssued(): boolean {
    return Buffer.from(this.#x.subjectName.toArrayBuffer()).equals(Buffer.from(this.#x.issuerName.toArrayBuffer()));
  }

  get basicConstraints(): { ca: boolean; pathLength?: number; critical: boolean } | undefined {
    const e = this.#x.getExtension(x509.BasicConstraintsExtension);
    if (!e) return undefined;
    return e.pathLength === undefined ? { ca: e.ca, critical: e.critical } : { ca: e.ca, pathLength: e.pathLength, critical: e.critical };
  }

  get isCa(): boolean { return this.basicConstraints?.ca === true; }

  /** KeyUsage names, or undefined when the extension is absent (meaning "any" per RFC 5280). */
  get keyUsage(): KeyUsageName[] | undefined {
    const e = this.#x.getExtension(x509.KeyUsagesExtension);
    return e ? keyUsageNames(e.usages) : undefined;
  }

  get keyUsageCritical(): boolean | undefined { return this.#x.getExtension(x509.KeyUsagesExtension)?.critical; }

  /** ExtendedKeyUsage as names where known ('serverAuth', 'clientAuth') else OIDs; undefined when absent. */
  get extendedKeyUsage(): string[] | undefined {
    const e = this.#x.getExtension(x509.ExtendedKeyUsageExtension);
    return e ? e.usages.map((u) => EKU_NAMES[String(u)] ?? String(u)) : undefined;
  }

  get subjectAltNames(): SubjectAltNames {
    if (this.#sans) return this.#sans;
    const e = this.#x.getExtension(x509.SubjectAlternativeNameExtension);
    const names = e ? e.names.toJSON() : [];
    this.#sans = {
      dns: names.filter((n) => n.type === 'dns').map((n) => n.value.toLowerCase()),
      ip: names.filter((n) => n.type === 'ip').map((n) => canonicalIp(n.value)),
    };
    return this.#sans;
  }

  get subjectKeyId(): string | undefined { return this.#x.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId; }
  get authorityKeyId(): string | undefined { return this.#x.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId; }

  /** SubjectPublicKeyInfo DER. */
  get publicKeySpki(): Uint8Array { return (this.#spki ??= new Uint8Array(this.#x.publicKey.rawData)); }
  get keyAlgorithm(): ReturnType<typeof spkiAlgorithm> { return (this.#keyAlg ??= spkiAlgorithm(this.publicKeySpki)); }

  /** e.g. 'RSASSA-PKCS1-v1_5' or 'ECDSA', or the OID when unknown. */
  get signatureAlgorithmName(): string { return (this.#x.signatureAlgorithm as unknown as { name: string }).name; }
  /** 'SHA-256' etc., undefined for algorithms without a separate hash we recognise. */
  get signatureHash(): string | undefined { return signatureHashOf(this.#x.signatureAlgorithm as unknown as { name: string; hash?: { name: string } }); }

  /** SHA-256 over DER, colon-separated upper-case hex (openssl's format). */
  get fingerprintSha256(): string { return toColonHex((this.#fp ??= sha256Der(this.der))); }
  /** SHA-256 over DER, plain lower-case hex. */
  get fingerprintSha256Hex(): string { return toPlainHex((this.#fp ??= sha256Der(this.der))); }

  isValidAt(at: Date): boolean {
    const t = at.getTime();
    return t >= this.notBefore.getTime() && t <= this.notAfter.getTime();
  }

  /** Same DER bytes. */
  equals(other: Certificate): boolean { return Buffer.from(this.der).equals(Buffer.from(other.der)); }

  /** The issuer's key verifies this certificate's signature (never throws). */
  async isSignedBy(issuer: Certificate, crypto: CryptoImpl = defaultCrypto): Promise<boolean> {
    try {
      return await this.#x.verify({ publicKey: issuer.#x.publicKey, signatureOnly: true }, crypto);
    } catch {
      return false;
    }
  }

  /** Issuer name bytes equal `issuer`'s subject name bytes (RFC 5280 §7.1 uses a looser compare; we issue exact bytes). */
  issuerNameMatches(issuer: Certificate): boolean {
    return Buffer.from(this.#x.issuerName.toArrayBuffer()).equals(Buffer.from(issuer.#x.subjectName.toArrayBuffer()));
  }

  toString(): string { return `Certificate(${this.subject}, serial ${this.serialNumber})`; }
}
