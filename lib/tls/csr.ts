/**
 * PKCS#10 certificate signing requests: a parsed read-only view, and `create` for the
 * external-CA path (tls-certificates relation). The CSR carries CN, SANs, KeyUsage and EKU
 * in an extensionRequest; the CA decides what it grants.
 */
import type { CryptoImpl } from './provider.ts';
import { createHash } from 'node:crypto';
import { x509, defaultCrypto } from './provider.ts';
import { TlsError, invalidOption } from './errors.ts';
import { derToPem, pemToDer } from './pem.ts';
import { csrExtensions, normalizeUsage, usageFromEku, type LeafUsage } from './extensions.ts';
import { classifySubjectAltNames, canonicalIp, type SubjectAltNames } from './names.ts';
import { normalizeHash, signingAlgorithm, type HashName } from './algorithms.ts';
import { EKU_OIDS, signatureHashOf, spkiAlgorithm } from './certificate.ts';
import type { PrivateKey } from './keys.ts';

export interface CsrCreateParams {
  /** The key the certificate will be for (generate it with `PrivateKey.create`). */
  readonly key: PrivateKey;
  /** Subject CN. Default: the first DNS SAN, else the first IP SAN. One of the two is required. */
  readonly commonName?: string;
  /** Addresses and hostnames; IPs become iPAddress SANs, names dNSName SANs. Default none. */
  readonly sans?: readonly string[];
  /** Requested ExtendedKeyUsage. Default 'server'. */
  readonly usage?: LeafUsage;
  /** Signature hash. Default: SHA-256 (SHA-384 for P-384 keys). */
  readonly hash?: HashName;
}

/** Common-name rules shared by CSRs and leaves (RFC 5280 ub-common-name = 64). */
export function resolveCommonName(commonName: string | undefined, sans: SubjectAltNames): string {
  const cn = commonName ?? sans.dns[0] ?? sans.ip[0];
  if (cn === undefined) throw invalidOption('commonName', commonName, 'a string (or give at least one SAN)');
  if (typeof cn !== 'string' || cn.length === 0 || cn.length > 64) throw invalidOption('commonName', cn, 'a string of 1 to 64 characters');
  return cn;
}

/** Parses memoised by DER hash, as in certificate.ts (x509 parsing costs milliseconds). */
const PARSED = new Map<string, CertificateRequest>();
const PARSED_MAX = 256;

export class CertificateRequest {
  readonly #x: x509.Pkcs10CertificateRequest;
  #der?: Uint8Array;
  #sans?: SubjectAltNames;

  private constructor(x: x509.Pkcs10CertificateRequest) {
    this.#x = x;
  }

  static async create(params: CsrCreateParams, crypto: CryptoImpl = defaultCrypto): Promise<CertificateRequest> {
    const sans = classifySubjectAltNames(params.sans ?? []);
    const cn = resolveCommonName(params.commonName, sans);
    const usage = normalizeUsage(params.usage, 'server');
    const info = params.key.algorithm;
    const hash = normalizeHash(params.hash, info);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: [{ CN: [cn] }],
      keys: await params.key.cryptoKeyPair(hash, crypto),
      signingAlgorithm: signingAlgorithm(info, hash),
      extensions: csrExtensions(info, usage, sans),
    }, crypto);
    return CertificateRequest.fromDer(new Uint8Array(csr.rawData));
  }

  static fromPem(pem: string): CertificateRequest {
    if (typeof pem === 'string' && pem.includes('BEGIN NEW CERTIFICATE REQUEST')) {
      pem = pem.replace(/NEW CERTIFICATE REQUEST/g, 'CERTIFICATE REQUEST');
    }
    return CertificateRequest.fromDer(pemToDer(pem, 'CERTIFICATE REQUEST'));
  }

  static fromDer(der: Uint8Array): CertificateRequest {
    const id = createHash('sha256').update(der).digest('hex');
    const hit = PARSED.get(id);
    if (hit) return hit;
    const c = CertificateRequest.#parseDer(der);
    if (PARSED.size >= PARSED_MAX) PARSED.delete(PARSED.keys().next().value as string);
    PARSED.set(id, c);
    return c;
  }

  static #parseDer(der: Uint8Array): CertificateRequest {
    let x: x509.Pkcs10CertificateRequest;
    try {
      x = new x509.Pkcs10CertificateRequest(der);
      void x.subject; void x.publicKey; void x.extensions;
    } catch (e) {
      throw new TlsError('invalid-csr', `CSR could not be parsed: ${(e as Error).message}`, { cause: e });
    }
    const c = new CertificateRequest(x);
    c.#der = new Uint8Array(der);
    return c;
  }

  static parse(pem: unknown): { ok: true; csr: CertificateRequest } | { ok: false; reason: string } {
    try {
      return { ok: true, csr: CertificateRequest.fromPem(pem as string) };
    } catch (e) {
      return { ok: false, reason: e instanceof TlsError ? e.message : 'CSR could not be parsed' };
    }
  }

  get der(): Uint8Array { return (this.#der ??= new Uint8Array(this.#x.rawData)); }
  get pem(): string { return derToPem(this.der, 'CERTIFICATE REQUEST'); }
  get subject(): string { return this.#x.subject; }
  get subjectName(): x509.Name { return this.#x.subjectName; }
  get commonName(): string | undefined { return this.#x.subjectName.getField('CN')[0]; }
  get publicKeySpki(): Uint8Array { return new Uint8Array(this.#x.publicKey.rawData); }
  get keyAlgorithm(): ReturnType<typeof spkiAlgorithm> { return spkiAlgorithm(this.publicKeySpki); }
  get signatureHash(): string | undefined { return signatureHashOf(this.#x.signatureAlgorithm as unknown as { name: string; hash?: { name: string } }); }

  get subjectAltNames(): SubjectAltNames {
    if (this.#sans) return this.#sans;
    const e = this.#x.extensions.find((x) => x instanceof x509.SubjectAlternativeNameExtension) as x509.SubjectAlternativeNameExtension | undefined;
    const names = e ? e.names.toJSON() : [];
    this.#sans = {
      dns: names.filter((n) => n.type === 'dns').map((n) => n.value.toLowerCase()),
      ip: names.filter((n) => n.type === 'ip').map((n) => canonicalIp(n.value)),
    };
    return this.#sans;
  }

  /** The usage the requester asked for via EKU, if any. */
  get requestedUsage(): LeafUsage | undefined {
    const e = this.#x.extensions.find((x) => x instanceof x509.ExtendedKeyUsageExtension) as x509.ExtendedKeyUsageExtension | undefined;
    return usageFromEku(e?.usages.map((u) => (String(u) === EKU_OIDS.serverAuth ? 'serverAuth' : String(u) === EKU_OIDS.clientAuth ? 'clientAuth' : String(u))));
  }

  /** Proof of possession: the CSR is signed by the key it carries (never throws). */
  async verifySignature(crypto: CryptoImpl = defaultCrypto): Promise<boolean> {
    try {
      return await this.#x.verify(crypto);
    } catch {
      return false;
    }
  }

  /** Same DER bytes (how tls-certificates entries are matched). */
  equals(other: CertificateRequest): boolean { return Buffer.from(this.der).equals(Buffer.from(other.der)); }
}
