/**
 * A certificate authority: a read-only view over a CA certificate + its private key (+ the
 * chain above it when it is an intermediate), and `create` for the self-signed CA the leader
 * makes when no external CA exists (issue 5, source 3). Storage is the caller's job: persist
 * `certPem`/`keyPem` in an app-owned secret.
 */
import type { CryptoImpl } from './provider.ts';
import { x509, defaultCrypto } from './provider.ts';
import { TlsError, invalidOption } from './errors.ts';
import { Certificate } from './certificate.ts';
import { PrivateKey } from './keys.ts';
import { splitCertificatePems, joinPems } from './pem.ts';
import { normalizeHash, signingAlgorithm, type HashName, type KeySpec } from './algorithms.ts';
import { caExtensions } from './extensions.ts';
import { resolveWindow, type ValidityParams } from './validity.ts';
import { randomSerialHex } from './serial.ts';
import { certificatePolicyViolation, keyPolicyViolation } from './policy.ts';
import { IssuedCertificate, type LeafIssueParams } from './issued.ts';

export interface CaCreateParams extends ValidityParams {
  /** Subject CN. Default 'Juju self-signed CA'; charms usually pass e.g. `${app} CA`. */
  readonly commonName?: string;
  /** Key to generate, or an existing key. Default RSA 4096 (the published Anbox choice). */
  readonly key?: KeySpec | PrivateKey;
  /** Signature hash. Default SHA-256 (SHA-384 for an EC P-384 signer). */
  readonly hash?: HashName;
  /** BasicConstraints pathLenConstraint. Default: none (unlimited). */
  readonly pathLength?: number;
  /** Sign with this CA instead of self-signing (an intermediate). Default: self-signed. */
  readonly issuer?: CertificateAuthority;
}

export const DEFAULT_CA_VALIDITY = { days: 365 } as const;

export class CertificateAuthority {
  readonly certificate: Certificate;
  readonly key: PrivateKey;
  /** Certificates above this CA, nearest first, ending at the root. Empty for a root. */
  readonly issuerChain: readonly Certificate[];

  private constructor(certificate: Certificate, key: PrivateKey, issuerChain: readonly Certificate[]) {
    this.certificate = certificate;
    this.key = key;
    this.issuerChain = issuerChain;
  }

  static async create(params: CaCreateParams = {}, crypto: CryptoImpl = defaultCrypto): Promise<CertificateAuthority> {
    const commonName = params.commonName ?? 'Juju self-signed CA';
    if (typeof commonName !== 'string' || commonName.length === 0 || commonName.length > 64) {
      throw invalidOption('commonName', commonName, 'a string of 1 to 64 characters');
    }
    if (params.pathLength !== undefined && !(Number.isInteger(params.pathLength) && params.pathLength >= 0)) {
      throw invalidOption('pathLength', params.pathLength, 'an integer >= 0');
    }
    const key = params.key instanceof PrivateKey ? params.key : await PrivateKey.create(params.key ?? { type: 'rsa', bits: 4096 }, crypto);
    const issuer = params.issuer;
    const signer = issuer?.key ?? key;
    const hash = normalizeHash(params.hash, signer.algorithm);
    const window = resolveWindow(params, DEFAULT_CA_VALIDITY, issuer?.certificate.notAfter);
    const subject = new x509.Name([{ CN: [commonName] }]);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerialHex(),
      subject,
      issuer: issuer ? issuer.certificate.raw.subjectName : subject,
      notBefore: window.notBefore,
      notAfter: window.notAfter,
      publicKey: key.publicKeySpki,
      signingKey: await signer.signingKey(hash, crypto),
      signingAlgorithm: signingAlgorithm(signer.algorithm, hash),
      extensions: await caExtensions({ spki: key.publicKeySpki, pathLength: params.pathLength, issuerKeyId: issuer?.certificate.subjectKeyId }, crypto),
    }, crypto);
    const chain = issuer ? [issuer.certificate, ...issuer.issuerChain] : [];
    return new CertificateAuthority(Certificate.fromDer(new Uint8Array(cert.rawData)), key, chain);
  }

  /**
   * Load a CA from PEMs (e.g. operator config, or our stored self-signed CA). `certPem` may
   * be a bundle: the first certificate is the CA, the rest its issuer chain. Checks the CA
   * flag, policy and that the key matches; throws `TlsError` naming what is wrong.
   */
  static fromPem(certPem: string, keyPem: string): CertificateAuthority {
    const pems = splitCertificatePems(certPem);
    if (pems.length === 0) throw new TlsError('invalid-pem', 'No "CERTIFICATE" PEM block found for the CA');
    const [cert, ...chain] = pems.map((p) => Certificate.fromPem(p));
    const key = PrivateKey.fromPem(keyPem);
    const ca = cert as Certificate;
    const violation = certificatePolicyViolation(ca, 'ca') ?? keyPolicyViolation(key.algorithm);
    if (violation) throw new TlsError('policy', violation);
    if (!key.matchesSpki(ca.publicKeySpki)) throw new TlsError('key-mismatch', 'The CA private key does not match the CA certificate');
    return new CertificateAuthority(ca, key, chain);
  }

  static load(certPem: unknown, keyPem: unknown): { ok: true; ca: CertificateAuthority } | { ok: false; reason: string } {
    try {
      return { ok: true, ca: CertificateAuthority.fromPem(certPem as string, keyPem as string) };
    } catch (e) {
      return { ok: false, reason: e instanceof TlsError ? e.message : 'CA could not be loaded' };
    }
  }

  get certPem(): string { return this.certificate.pem; }
  /** PKCS#8 PEM. Secret material: store it in an app-owned secret, never in relation data or logs. */
  get keyPem(): string { return this.key.pem; }
  /** The trust anchor: the top of the issuer chain, or this CA when it is a root. */
  get root(): Certificate { return this.issuerChain[this.issuerChain.length - 1] ?? this.certificate; }
  /** This CA followed by its issuer chain, PEM bundle. */
  get chainPem(): string { return joinPems([this.certPem, ...this.issuerChain.map((c) => c.pem)]); }
  get fingerprintSha256(): string { return this.certificate.fingerprintSha256; }

  /** Generate a key and issue a leaf (or sign `params.csr`). See `LeafIssueParams` for defaults. */
  issue(params: LeafIssueParams, crypto: CryptoImpl = defaultCrypto): Promise<IssuedCertificate> {
    return IssuedCertificate.create({ ...params, ca: this }, crypto);
  }

  toJSON(): { certificate: string } { return { certificate: this.certPem }; }
}
