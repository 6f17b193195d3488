/**
 * Why a certificate was refused as an EVX identity. Guards map these to gRPC status / HTTP codes,
 * so they are a stable contract: add codes, never rename them.
 */
export enum IdentityErrorCode {
  NO_CERTIFICATE = 'NO_CERTIFICATE',
  MALFORMED_CERTIFICATE = 'MALFORMED_CERTIFICATE',
  NOT_END_ENTITY = 'NOT_END_ENTITY',
  NO_IDENTITY_URI = 'NO_IDENTITY_URI',
  MULTIPLE_IDENTITY_URIS = 'MULTIPLE_IDENTITY_URIS',
  BAD_IDENTITY_URI = 'BAD_IDENTITY_URI',
  UNTRUSTED_ISSUER = 'UNTRUSTED_ISSUER',
  DOMAIN_MISMATCH = 'DOMAIN_MISMATCH',
  NOT_YET_VALID = 'NOT_YET_VALID',
  EXPIRED = 'EXPIRED',
  REVOKED = 'REVOKED',
  REVOCATION_UNKNOWN = 'REVOCATION_UNKNOWN',
  MISSING_ROLE = 'MISSING_ROLE',
  INVALID_ROLE = 'INVALID_ROLE',
}

export class IdentityError extends Error {
  override readonly name = 'IdentityError';

  constructor(
    readonly code: IdentityErrorCode,
    message: string,
  ) {
    super(message);
  }
}
