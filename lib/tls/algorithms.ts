/**
 * Key types we generate and the WebCrypto parameters behind them.
 *
 * Default: RSA 4096 signing with SHA-256 (the published Anbox charms' choice, issue 5).
 * EC signs with the hash matching its curve strength (P-256 -> SHA-256, P-384 -> SHA-384),
 * as RFC 5480 §4 recommends; callers may pick another SHA-2 hash explicitly.
 */
import type { webcrypto } from 'node:crypto';
import { invalidOption } from './errors.ts';

export type RsaBits = 2048 | 3072 | 4096;
export type EcCurve = 'P-256' | 'P-384';
export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** What key to generate. Default `{ type: 'rsa', bits: 4096 }`. */
export type KeySpec = { readonly type: 'rsa'; readonly bits?: RsaBits } | { readonly type: 'ec'; readonly curve?: EcCurve };

/** What a parsed key is (may be outside what we generate, e.g. RSA 1024 from an operator: policy decides). */
export type KeyAlgorithmInfo = { readonly type: 'rsa'; readonly bits: number } | { readonly type: 'ec'; readonly curve: string };

export const DEFAULT_KEY_SPEC: KeySpec = { type: 'rsa', bits: 4096 };

const RSA_BITS: readonly number[] = [2048, 3072, 4096];
const EC_CURVES: readonly string[] = ['P-256', 'P-384'];
const HASHES: readonly string[] = ['SHA-256', 'SHA-384', 'SHA-512'];

/** Validates and fills defaults (style.md #12: one function, messages quote option/value/type). */
export function normalizeKeySpec(spec: KeySpec | undefined, option = 'key'): KeyAlgorithmInfo {
  const s = spec ?? DEFAULT_KEY_SPEC;
  if (s === null || typeof s !== 'object') throw invalidOption(option, s, "{ type: 'rsa', bits } or { type: 'ec', curve }");
  if (s.type === 'rsa') {
    const bits = s.bits ?? 4096;
    if (!RSA_BITS.includes(bits)) throw invalidOption(`${option}.bits`, bits, 'one of 2048, 3072, 4096');
    return { type: 'rsa', bits };
  }
  if (s.type === 'ec') {
    const curve = s.curve ?? 'P-256';
    if (!EC_CURVES.includes(curve)) throw invalidOption(`${option}.curve`, curve, "'P-256' or 'P-384'");
    return { type: 'ec', curve };
  }
  throw invalidOption(`${option}.type`, (s as { type: unknown }).type, "'rsa' or 'ec'");
}

export function defaultHash(info: KeyAlgorithmInfo): HashName {
  return info.type === 'ec' && info.curve === 'P-384' ? 'SHA-384' : 'SHA-256';
}

export function normalizeHash(hash: HashName | undefined, info: KeyAlgorithmInfo, option = 'hash'): HashName {
  const h = hash ?? defaultHash(info);
  if (!HASHES.includes(h)) throw invalidOption(option, h, "'SHA-256', 'SHA-384' or 'SHA-512'");
  return h;
}

/** WebCrypto generate/import parameters. RSA keys are bound to a hash in WebCrypto. */
export function webCryptoKeyParams(info: KeyAlgorithmInfo, hash: HashName): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams {
  return info.type === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', hash } : { name: 'ECDSA', namedCurve: info.curve };
}

export function webCryptoGenParams(info: KeyAlgorithmInfo, hash: HashName): webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams {
  return info.type === 'rsa'
    ? { name: 'RSASSA-PKCS1-v1_5', hash, modulusLength: info.bits, publicExponent: new Uint8Array([1, 0, 1]) }
    : { name: 'ECDSA', namedCurve: info.curve };
}

/** The `signingAlgorithm` x509 generators take. */
export function signingAlgorithm(info: KeyAlgorithmInfo, hash: HashName): webcrypto.Algorithm | webcrypto.EcdsaParams {
  return info.type === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', hash } as webcrypto.Algorithm : { name: 'ECDSA', hash };
}

export function describeKey(info: KeyAlgorithmInfo): string {
  return info.type === 'rsa' ? `RSA ${info.bits}` : `EC ${info.curve}`;
}
