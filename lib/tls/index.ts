/**
 * lib/tls public barrel (style.md #14). Importing it loads @peculiar/x509 (~100 ms,
 * tooling.md): import it lazily, only in hooks that touch certificates, e.g.
 *   const tls = await import('../../lib/tls/index.ts');
 * `pem.ts`, `fingerprint.ts`, `files.ts` and `state.ts` do not load x509 and may be imported
 * directly from hooks that must stay fast (checked by lazy-imports.test.ts).
 */
export { TlsError } from './errors.ts';
export type { TlsErrorCode } from './errors.ts';

export { DEFAULT_KEY_SPEC, describeKey } from './algorithms.ts';
export type { KeySpec, KeyAlgorithmInfo, RsaBits, EcCurve, HashName } from './algorithms.ts';
export type { Duration } from './duration.ts';
export type { ValidityParams } from './validity.ts';

export { PrivateKey } from './keys.ts';
export { Certificate } from './certificate.ts';
export type { KeyUsageName } from './certificate.ts';
export { CertificateRequest } from './csr.ts';
export type { CsrCreateParams } from './csr.ts';
export { CertificateAuthority, DEFAULT_CA_VALIDITY } from './ca.ts';
export type { CaCreateParams } from './ca.ts';
export { IssuedCertificate, DEFAULT_LEAF_VALIDITY } from './issued.ts';
export type { LeafIssueParams, IssueParams } from './issued.ts';
export type { LeafUsage } from './extensions.ts';

export { classifySubjectAltNames, sansFromNetworkInfo, addressesFromNetworkInfo, isDnsName } from './names.ts';
export type { SubjectAltNames } from './names.ts';
export { certificateFingerprint, fingerprintMatches, normalizeFingerprint, toColonHex, toPlainHex, sha256Der } from './fingerprint.ts';
export { splitCertificatePems, joinPems } from './pem.ts';

export { verifyCertificate } from './verify.ts';
export type { VerifyParams, VerifyResult, VerifyFailureCode } from './verify.ts';
export { DEFAULT_POLICY, certificatePolicyViolation, keyPolicyViolation } from './policy.ts';
export type { TlsPolicy } from './policy.ts';

export { needsRenewal, renewalTime, DEFAULT_RENEW_FRACTION } from './renewal.ts';
export { newTrustBundle, stageCa, rotateCa, pruneTrustBundle, trustedCas, trustBundlePem, nextTrustBundleChange, retentionEnd } from './trust-bundle.ts';
export type { TrustBundleState, RetiredCa, RotateOptions } from './trust-bundle.ts';
export { planTls, readConfigPems, configGiven, DEFAULT_STAGE_GRACE } from './plan.ts';
export type { TlsPlan, PlanInput, TlsState, StoredLeaf, PendingRequest, ConfigPems, LeafSpec, LeafAction, CaAction, CaSourceKind } from './plan.ts';
export { applyTlsPlan, reconcileTls } from './apply.ts';
export type { ApplyOptions, TlsMaterial } from './apply.ts';

export {
  CSR_LIST_KEY, CERTIFICATES_KEY, buildCsrRequests, parseCsrRequests, buildProviderCertificates, parseProviderCertificates,
  findCertificateForCsr, verifyProviderCertificate, answerCsrRequests,
} from './tls-certificates.ts';
export type { CsrRequestEntry, ProviderCertificateEntry, ReceivedCheck, SignedAnswer } from './tls-certificates.ts';

export { writeKeyFile, writeCertFile, writeFileAtomic, KEY_FILE_MODE, CERT_FILE_MODE } from './files.ts';
export type { WriteOptions } from './files.ts';

export { appTlsState, unitTlsState, mergeTlsState } from './state.ts';
export type { AppTlsState, UnitTlsState } from './state.ts';
