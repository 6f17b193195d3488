// The signed order inside a package: where its files go (evx/authorisation/...) and the structural checks the
// builder makes before writing them, so a package is never built around an order it could not verify.
import type { BagWriter } from '#evx/bagit';
import { FormatError, sha256Hex } from './canonical.util.js';
import { parseApproval, parseAuthorisationRequest } from './authorisation.codec.js';
import { approvalPath, approvalSignaturePath, MAX_APPROVALS, PACKAGE_PATHS } from './package-format.js';
import { parseSignatureEnvelope } from './statement.signer.js';

/** A statement's exact bytes and the bytes of its signature file. */
export interface SignedStatement {
  readonly statement: Uint8Array;
  readonly signature: Uint8Array;
}

/** The order as signed by the requester, and every decision on it, in the order they were made. */
export interface SignedAuthorisation {
  readonly request: SignedStatement;
  readonly approvals: readonly SignedStatement[];
}

export function checkAuthorisationInput(
  authorisation: SignedAuthorisation,
  ids: { readonly authorisationId: string; readonly providerId: string },
): void {
  const request = parseAuthorisationRequest(authorisation.request.statement);
  parseSignatureEnvelope(authorisation.request.signature);
  if (request.authorisationId !== ids.authorisationId) {
    throw new FormatError(`the request is for authorisation ${request.authorisationId}, not ${ids.authorisationId}`);
  }
  if (request.targetProviderId !== ids.providerId) {
    throw new FormatError(`the request is addressed to ${request.targetProviderId}, not ${ids.providerId}`);
  }
  const count = authorisation.approvals.length;
  if (count === 0 || count > MAX_APPROVALS) throw new FormatError(`an order needs 1 to ${MAX_APPROVALS} approvals`);
  const requestSha256 = sha256Hex(authorisation.request.statement);
  authorisation.approvals.forEach((approval, i) => {
    if (parseApproval(approval.statement).requestSha256 !== requestSha256) {
      throw new FormatError(`approval ${i + 1} decides on another request`);
    }
    parseSignatureEnvelope(approval.signature);
  });
}

export function writeAuthorisationFiles(writer: BagWriter, authorisation: SignedAuthorisation): void {
  writer.addTagFile(PACKAGE_PATHS.request, authorisation.request.statement);
  writer.addTagFile(PACKAGE_PATHS.requestSignature, authorisation.request.signature);
  authorisation.approvals.forEach((approval, i) => {
    writer.addTagFile(approvalPath(i + 1), approval.statement);
    writer.addTagFile(approvalSignaturePath(i + 1), approval.signature);
  });
}
