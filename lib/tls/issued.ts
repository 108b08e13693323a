/**
 * An issued leaf certificate: a read-only view over the certificate, its key (when we made
 * it), and the chain to the root; `create` issues one from a CA, either for a fresh key or
 * by signing a CSR (the self-signed path and a test CA charm both sign CSRs).
 */
import type { CryptoImpl } from './provider.ts';
import { x509, defaultCrypto } from './provider.ts';
import { TlsError } from './errors.ts';
import { Certificate } from './certificate.ts';
import { CertificateRequest, resolveCommonName } from './csr.ts';
import { PrivateKey } from './keys.ts';
import { joinPems } from './pem.ts';
import { normalizeHash, signingAlgorithm, type HashName, type KeySpec, type KeyAlgorithmInfo } from './algorithms.ts';
import { leafExtensions, normalizeUsage, type LeafUsage } from './extensions.ts';
import { classifySubjectAltNames, type SubjectAltNames } from './names.ts';
import { resolveWindow, type ValidityParams } from './validity.ts';
import { randomSerialHex } from './serial.ts';
import { keyPolicyViolation } from './policy.ts';
import type { CertificateAuthority } from './ca.ts';

export interface LeafIssueParams extends ValidityParams {
  /** serverAuth, clientAuth or both. Default: the CSR's requested EKU, else 'server'. */
  readonly usage?: LeafUsage;
  /** Subject CN. Default: the CSR's CN, else the first DNS SAN, else the first IP SAN. */
  readonly commonName?: string;
  /** IPs and hostnames (e.g. from `sansFromNetworkInfo`). Default: the CSR's SANs, else none. */
  readonly sans?: readonly string[];
  /** Key to generate or use. Default RSA 4096. Ignored when `csr` is given. */
  readonly key?: KeySpec | PrivateKey;
  /** Sign this CSR (its signature and key policy are checked) instead of making a key. */
  readonly csr?: CertificateRequest | string;
  /** Signature hash. Default SHA-256 (SHA-384 for an EC P-384 CA). */
  readonly hash?: HashName;
}

export interface IssueParams extends LeafIssueParams {
  readonly ca: CertificateAuthority;
}

export const DEFAULT_LEAF_VALIDITY = { days: 90 } as const;

export class IssuedCertificate {
  readonly certificate: Certificate;
  /** The private key, when we generated or were given it (absent when a CSR was signed). */
  readonly key: PrivateKey | undefined;
  /** CA certificates between the leaf and the root (issuing CA first); empty when a root issued it. */
  readonly intermediates: readonly Certificate[];
  /** The trust anchor. */
  readonly root: Certificate;

  constructor(certificate: Certificate, key: PrivateKey | undefined, intermediates: readonly Certificate[], root: Certificate) {
    this.certificate = certificate;
    this.key = key;
    this.intermediates = intermediates;
    this.root = root;
  }

  static async create(params: IssueParams, crypto: CryptoImpl = defaultCrypto): Promise<IssuedCertificate> {
    const { ca } = params;
    let spki: Uint8Array;
    let keyInfo: KeyAlgorithmInfo;
    let key: PrivateKey | undefined;
    let sans: SubjectAltNames;
    let commonName: string;
    let usage: LeafUsage;
    if (params.csr !== undefined) {
      const csr = typeof params.csr === 'string' ? CertificateRequest.fromPem(params.csr) : params.csr;
      if (!(await csr.verifySignature(crypto))) throw new TlsError('invalid-csr', 'CSR signature does not verify (no proof of key possession)');
      const alg = csr.keyAlgorithm;
      const violation = keyPolicyViolation(alg);
      if (violation || alg.type === 'other') throw new TlsError('policy', `CSR key: ${violation ?? 'unsupported'}`);
      spki = csr.publicKeySpki;
      keyInfo = alg;
      sans = params.sans ? classifySubjectAltNames(params.sans) : csr.subjectAltNames;
      commonName = resolveCommonName(params.commonName ?? csr.commonName, sans);
      usage = normalizeUsage(params.usage, csr.requestedUsage ?? 'server');
    } else {
      key = params.key instanceof PrivateKey ? params.key : await PrivateKey.create(params.key ?? { type: 'rsa', bits: 4096 }, crypto);
      spki = key.publicKeySpki;
      keyInfo = key.algorithm;
      sans = classifySubjectAltNames(params.sans ?? []);
      commonName = resolveCommonName(params.commonName, sans);
      usage = normalizeUsage(params.usage, 'server');
    }
    const issuerKeyId = ca.certificate.subjectKeyId;
    if (!issuerKeyId) throw new TlsError('invalid-certificate', 'The issuing CA certificate has no SubjectKeyIdentifier');
    const hash = normalizeHash(params.hash, ca.key.algorithm);
    const window = resolveWindow(params, DEFAULT_LEAF_VALIDITY, ca.certificate.notAfter);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerialHex(),
      subject: new x509.Name([{ CN: [commonName] }]),
      issuer: ca.certificate.raw.subjectName,
      notBefore: window.notBefore,
      notAfter: window.notAfter,
      publicKey: spki,
      signingKey: await ca.key.signingKey(hash, crypto),
      signingAlgorithm: signingAlgorithm(ca.key.algorithm, hash),
      extensions: await leafExtensions({ key: keyInfo, spki, usage, sans, issuerKeyId }, crypto),
    }, crypto);
    const intermediates = ca.issuerChain.length > 0 ? [ca.certificate, ...ca.issuerChain.slice(0, -1)] : [];
    return new IssuedCertificate(Certificate.fromDer(new Uint8Array(cert.rawData)), key, intermediates, ca.root);
  }

  get certPem(): string { return this.certificate.pem; }
  /** PKCS#8 PEM of the key; throws when this certificate came from a CSR. Secret material. */
  get keyPem(): string {
    if (!this.key) throw new TlsError('invalid-key', 'This certificate was issued for a CSR; the requester holds the key');
    return this.key.pem;
  }
  /** Leaf + intermediates: what a server or client presents. */
  get fullChainPem(): string { return joinPems([this.certPem, ...this.intermediates.map((c) => c.pem)]); }
  /** The root CA PEM (trust anchor to distribute). */
  get caPem(): string { return this.root.pem; }
  /** Leaf, intermediates, root: the tls-certificates `chain` field. */
  get chainPems(): string[] { return [this.certPem, ...this.intermediates.map((c) => c.pem), this.root.pem]; }
  get fingerprintSha256(): string { return this.certificate.fingerprintSha256; }

  toJSON(): { certificate: string; ca: string } { return { certificate: this.certPem, ca: this.caPem }; }
}
