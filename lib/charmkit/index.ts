/**
 * lib/charmkit: charm-level glue shared by nats, ams and anbox-stream-agent. Light to import:
 * lib/tls (x509, ~100 ms) is loaded lazily inside `reconcileCertificates` only.
 */
export { charmKit } from './kit.ts';
export type { CharmKit, CharmKitOptions } from './kit.ts';
export { reconcileCertificates, storedCertificates, CA_FINGERPRINT_FIELD, CA_SECRET_PURPOSE, KEYS_SECRET_PURPOSE, PUBLIC_STATE_KEY } from './certificates.ts';
export type { CertificatesOptions, CertificatesResult, LeafMaterial, StoredCertificates } from './certificates.ts';
export { addressesOf, ingressAddress, bindAddress, serverNames } from './addresses.ts';
export { parseKeyAlgorithm, KEY_ALGORITHM_NAMES, DEFAULT_KEY_ALGORITHM } from './key-algorithm.ts';
export type { KeyAlgorithmResult } from './key-algorithm.ts';
export { configString, configInt, configBool } from './config.ts';
