/**
 * Private keys: a read-only view over a PKCS#8 PEM with lazy cached getters, and a static
 * async `create` generator (style.md #13). Keys are generated extractable only long enough
 * to export PKCS#8; the view holds the PEM, and imports non-extractable CryptoKeys on demand.
 *
 * Nothing here puts key bytes into an error message.
 */
import type { webcrypto } from 'node:crypto';
import type { CryptoImpl } from './provider.ts';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { defaultCrypto } from './provider.ts';
import { TlsError } from './errors.ts';
import { derToPem } from './pem.ts';
import {
  normalizeKeySpec, webCryptoGenParams, webCryptoKeyParams, defaultHash,
  type KeySpec, type KeyAlgorithmInfo, type HashName,
} from './algorithms.ts';

const CURVE_NAMES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

export class PrivateKey {
  readonly #keyObject: KeyObject;
  #pem?: string;
  #info?: KeyAlgorithmInfo;
  #spki?: Uint8Array;
  readonly #signingKeys = new Map<HashName, Promise<webcrypto.CryptoKey>>();

  private constructor(keyObject: KeyObject) {
    this.#keyObject = keyObject;
  }

  /**
   * Generate a key. Defaults: `{ type: 'rsa', bits: 4096 }`; EC curve default P-256.
   * RSA 4096 costs ~2 s on 2 cores (tooling.md).
   */
  static async create(spec?: KeySpec, crypto: CryptoImpl = defaultCrypto): Promise<PrivateKey> {
    const info = normalizeKeySpec(spec);
    const pair = (await crypto.subtle.generateKey(webCryptoGenParams(info, defaultHash(info)), true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const pkcs8 = await crypto.subtle.exportKey('pkcs8', pair.privateKey);
    return PrivateKey.fromPem(derToPem(pkcs8, 'PRIVATE KEY'));
  }

  /**
   * Parse an unencrypted private key PEM: PKCS#8 (`PRIVATE KEY`), or the traditional
   * `RSA PRIVATE KEY` / `EC PRIVATE KEY` forms operators often paste into config. The view
   * re-exports PKCS#8. Throws `TlsError('invalid-key')` without echoing the input.
   */
  static fromPem(pem: string): PrivateKey {
    if (typeof pem !== 'string' || !pem.includes('-----BEGIN')) throw new TlsError('invalid-key', 'Private key is not a PEM string');
    if (pem.includes('ENCRYPTED')) throw new TlsError('invalid-key', 'Encrypted private keys are not supported; supply an unencrypted PKCS#8 key');
    let keyObject: KeyObject;
    try {
      keyObject = createPrivateKey({ key: pem, format: 'pem' });
    } catch {
      throw new TlsError('invalid-key', 'Private key PEM could not be parsed');
    }
    const type = keyObject.asymmetricKeyType;
    if (type !== 'rsa' && type !== 'ec') throw new TlsError('invalid-key', `Unsupported private key type ${JSON.stringify(type)}; expected RSA or EC`);
    return new PrivateKey(keyObject);
  }

  /** Non-throwing parse for input from config or relations. */
  static parse(pem: unknown): { ok: true; key: PrivateKey } | { ok: false; reason: string } {
    try {
      return { ok: true, key: PrivateKey.fromPem(pem as string) };
    } catch (e) {
      return { ok: false, reason: e instanceof TlsError ? e.message : 'Private key could not be parsed' };
    }
  }

  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). Store it in a secret; never log it. */
  get pem(): string {
    return (this.#pem ??= this.#keyObject.export({ type: 'pkcs8', format: 'pem' }) as string);
  }

  get algorithm(): KeyAlgorithmInfo {
    if (this.#info) return this.#info;
    const d = this.#keyObject.asymmetricKeyDetails ?? {};
    this.#info = this.#keyObject.asymmetricKeyType === 'rsa'
      ? { type: 'rsa', bits: d.modulusLength ?? 0 }
      : { type: 'ec', curve: CURVE_NAMES[d.namedCurve ?? ''] ?? d.namedCurve ?? 'unknown' };
    return this.#info;
  }

  /** SubjectPublicKeyInfo DER of the matching public key (compare with a certificate's). */
  get publicKeySpki(): Uint8Array {
    return (this.#spki ??= new Uint8Array(createPublicKey(this.#keyObject).export({ type: 'spki', format: 'der' })));
  }

  get publicKeyPem(): string {
    return derToPem(this.publicKeySpki, 'PUBLIC KEY');
  }

  /** True when this key is the private half of the given SPKI DER. */
  matchesSpki(spki: Uint8Array | ArrayBuffer): boolean {
    return Buffer.from(this.publicKeySpki).equals(Buffer.from(spki instanceof Uint8Array ? spki : new Uint8Array(spki)));
  }

  /** A WebCrypto signing key (RSA keys are bound to one hash in WebCrypto, hence per hash). */
  signingKey(hash: HashName, crypto: CryptoImpl = defaultCrypto): Promise<webcrypto.CryptoKey> {
    if (crypto !== defaultCrypto) return this.#importSigningKey(hash, crypto);
    let k = this.#signingKeys.get(hash);
    if (!k) {
      k = this.#importSigningKey(hash, crypto);
      this.#signingKeys.set(hash, k);
    }
    return k;
  }

  /** A WebCrypto key pair (CSR generation needs both halves). */
  async cryptoKeyPair(hash: HashName, crypto: CryptoImpl = defaultCrypto): Promise<webcrypto.CryptoKeyPair> {
    const params = webCryptoKeyParams(this.algorithm, hash);
    const publicKey = await crypto.subtle.importKey('spki', this.publicKeySpki, params, true, ['verify']);
    return { privateKey: await this.signingKey(hash, crypto), publicKey };
  }

  #importSigningKey(hash: HashName, crypto: CryptoImpl): Promise<webcrypto.CryptoKey> {
    const der = this.#keyObject.export({ type: 'pkcs8', format: 'der' });
    return crypto.subtle.importKey('pkcs8', der, webCryptoKeyParams(this.algorithm, hash), false, ['sign']);
  }

  /** Keep key material out of logs and JSON by accident. */
  toJSON(): string {
    return '[PrivateKey]';
  }
}
