/** Failures of the PKI tooling itself (bad config, missing files, invalid CRL), as opposed to a refused identity. */
export enum PkiErrorCode {
  BAD_CONFIG = 'BAD_CONFIG',
  MISSING_FILE = 'MISSING_FILE',
  BAD_TRUST_MATERIAL = 'BAD_TRUST_MATERIAL',
  INVALID_CRL = 'INVALID_CRL',
  BAD_REQUEST = 'BAD_REQUEST',
  ALREADY_EXISTS = 'ALREADY_EXISTS',
}

export class PkiError extends Error {
  override readonly name = 'PkiError';

  constructor(
    readonly code: PkiErrorCode,
    message: string,
  ) {
    super(message);
  }
}
