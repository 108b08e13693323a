/** Public surface of lib/secrets (style.md #14: curated; internals stay in their files). */
export { SecretStore } from './store.ts';
export type { SecretStoreOptions, ScopedOptions, SecretRoute } from './store.ts';
export type { ScopedSecret, EnsureResult, SecretRedactor, SecretScope } from './scoped.ts';
export { SecretStoreError } from './scoped.ts';
export { RelationSecret } from './relation-secret.ts';
export type { RelationSecretOptions, ShareResult, ReadSecretResult } from './relation-secret.ts';
export { SecretContentError, SECRET_KEY } from './content.ts';
export type { SecretContent } from './content.ts';
export { SECRETS_FLAG, relationSide, canReadSecrets, canGrantSecrets, remoteCapability, remoteCapabilityReport, usedSecretIds } from './negotiation.ts';
export type { RelationSide, RemoteCapability, RemoteCapabilityReport, TransportMode } from './negotiation.ts';
export { parseLabel, relationLabel, scopedLabel, SecretPurposeError } from './labels.ts';
