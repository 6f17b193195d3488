// Public surface of #evx/evidence-package: the evidence package format v1 (docs/package-format.md): build, verify,
// disclose, and the canonical documents and hashes other parts of EVX must produce identically.
export {
  buildPackage,
  type BuildPackageOptions,
  type BuiltPackage,
  type CustodyEventInput,
} from './package.builder.js';
export type { PackageRecordInput } from './package-records.writer.js';
export type { SignedAuthorisation, SignedStatement } from './package-authorisation.files.js';
export { verifyPackage, type VerifyPackageOptions } from './package.verifier.js';
export type {
  PackageCheck,
  PackageFacts,
  PackageFailure,
  PackageScope,
  PackageVerification,
} from './verification.result.js';
export { disclosePackage, DisclosureError, type DisclosedPackage } from './package.discloser.js';
export { logPublicKeyPath, logVerifierFromTrustDir, type LogAnchor } from './log-anchor.js';
export {
  checkSignatureEnvelope,
  encodeSignatureEnvelope,
  parseSignatureEnvelope,
  pemStatementSigner,
  signatureInput,
  signStatement,
  verifySignatureValue,
  type SignatureEnvelope,
  type StatementSigner,
} from './statement.signer.js';
export { signerIdentityAt, TrustError, type SignerIdentity } from './signer-identity.js';
export {
  APPROVAL_DECISION_VALUES,
  APPROVAL_KIND_VALUES,
  APPROVER_ROLE_VALUES,
  approverRoleValue,
  encodeApproval,
  encodeAuthorisationRequest,
  parseApproval,
  parseAuthorisationRequest,
  type ApprovalStatement,
  type AuthorisationRequest,
} from './authorisation.codec.js';
export {
  encodeCustody,
  encodeOrigin,
  packageCommitmentLeaf,
  parseCustody,
  parseOrigin,
  parsePackageCommitmentLeaf,
  type CustodyStatement,
  type OriginStatement,
  type PackageCommitment,
  type PackageDescriptor,
  type SignedFileHashes,
} from './package-statements.codec.js';
export { encodeRecordMetadata, parseRecordMetadata, type RecordMetadata } from './record-metadata.codec.js';
export { CHAIN_START, nextChainHash, RecordAccumulator, recordHash } from './record.accumulator.js';
export { FormatError } from './canonical.util.js';
export {
  DEFAULT_LOG_ORIGIN,
  DOC_TYPE,
  PACKAGE_PATHS,
  SIGNATURE_ALGORITHM,
  SIGNATURE_PREFIX,
  recordMetadataPath,
  recordPayloadPath,
} from './package-format.js';
