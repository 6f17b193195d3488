// Public surface of #evx/pki: identities from certificates, trust stores, and the dev PKI.
export {
  APPROVER_ROLES,
  DOMAINS,
  SEGMENT_PATTERN,
  formatIdentityUri,
  isApproverRole,
  isDomain,
  isValidSegment,
  parseIdentityUri,
} from './identity-uri.js';
export type {
  AdapterUri,
  ApproverRole,
  ApproverUri,
  AuditorUri,
  DistributiveOmit,
  Domain,
  IdentityKind,
  IdentityUriParts,
  InvestigatorUri,
  ServiceUri,
} from './identity-uri.js';
export { IdentityError, IdentityErrorCode } from './identity-error.js';
export { PkiError, PkiErrorCode } from './pki-error.js';
export { identityFromCertificate } from './identity.js';
export {
  DEFAULT_CERTIFICATE_CACHE_SIZE,
  LruCache,
  ParsedCertificate,
  certificateCache,
  parsedCertificate,
} from './certificate-cache.js';
export type {
  AdapterIdentity,
  ApproverIdentity,
  AuditorIdentity,
  CertificateFacts,
  CertificateInput,
  Identity,
  InvestigatorIdentity,
  ServiceIdentity,
} from './identity.js';
export { TrustStore } from './trust-store.js';
export type { DomainCas, DomainTrustPem, RevocationStatus, TrustStoreOptions, TrustedCa } from './trust-store.js';
export { REVOCATION_REASONS, issueCrl, parseCrl } from './crl.js';
export type { CrlEntry, CrlInfo, IssueCrlParams, RevocationReason } from './crl.js';
export { normalizeSerial, randomSerialHex } from './serial.js';
export { ACTOR_ROLES, resolveActor } from './actor-request.js';
export type { ActorRequest, ActorRole, ResolvedActor } from './actor-request.js';
export { DEFAULT_PKI_CONFIG, loadPkiConfig, validatePkiConfig } from './pki-config.js';
export type { PkiActorConfig, PkiConfig } from './pki-config.js';
export { ensureDevPki, generateDevPki, hasDevPki } from './dev-pki.js';
export type { DevPkiSummary, GenerateDevPkiOptions } from './dev-pki.js';
export { issueActorCertificate } from './actor-issuer.js';
export type { IssueActorOptions, IssuedActor } from './actor-issuer.js';
export { refreshCrls, revokeCertificate } from './revocation.js';
export type { RefreshCrlsOptions, RevokeOptions } from './revocation.js';
export { readIdentityManifest } from './manifest.js';
export type { IdentityManifest, IdentityManifestEntry } from './manifest.js';
export { pkiLayout } from './pki-layout.js';
export { pemBlocks } from './pem.js';
