// The signed authorisation bundle: the order's canonical bytes, the requester's signature over them, and every
// decision signed by its approver. Each signature is an evidence-package signature envelope (evx.signature.v1),
// which carries the signer's certificates, so the bundle is exactly the package's evx/authorisation files and an
// adapter or a court can verify it with the authority trust anchor alone.
import { hash } from 'node:crypto';
import {
  approverRoleValue,
  encodeApproval,
  encodeSignatureEnvelope,
  FormatError,
  SIGNATURE_ALGORITHM,
  type ApprovalStatement,
} from '#evx/evidence-package';
import {
  PROTO_ENUM_PREFIX as P,
  toProtoName,
  type ApprovalDecision,
  type ApprovalKind,
  type ApproverRole,
} from '#evx/workflow';
import { parsedCertificate } from '#evx/pki';
import { encodeRememberedEnvelope } from './signature-envelope.cache.js';

export interface SignedStatement {
  /** The canonical bytes that were signed. */
  readonly statement: Uint8Array;
  /** The signature envelope (canonical JSON, evx.signature.v1) over `statement`. */
  readonly signature: Uint8Array;
}

export interface AuthorisationBundle {
  /** The canonical request (AuthorisationBundle.canonical_request). */
  readonly request: Uint8Array;
  /** Absent while the order is a draft. */
  readonly requestSignature?: Uint8Array;
  /** Every decision in the order made, rejections and the judicial validation included. */
  readonly approvals: readonly SignedStatement[];
}

export function sha256Hex(bytes: Uint8Array): string {
  return hash('sha256', bytes, 'hex');
}

/** What an approver decides, in the workflow's words; `approvalStatementOf` turns it into the signed document. */
export interface ApprovalDecisionInput {
  readonly approverUri: string;
  readonly role: ApproverRole;
  readonly kind: ApprovalKind;
  readonly decision: ApprovalDecision;
  readonly reason: string;
  readonly decidedAt: Date;
}

export function approvalStatementOf(request: Uint8Array, input: ApprovalDecisionInput): ApprovalStatement {
  return {
    approverUri: input.approverUri,
    role: approverRoleValue(input.role) as ApprovalStatement['role'],
    kind: toProtoName(P.ApprovalKind, input.kind),
    decision: toProtoName(P.ApprovalDecision, input.decision),
    reason: input.reason,
    decidedAt: input.decidedAt.toISOString(),
    requestSha256: sha256Hex(request),
  };
}

/** The canonical approval document an approver signs for `input` on `request`. */
export function encodeApprovalDecision(request: Uint8Array, input: ApprovalDecisionInput): Uint8Array {
  return encodeApproval(approvalStatementOf(request, input));
}

/**
 * Wraps a detached signature value made by the holder of `certificateDer` into a signature envelope. The gateway
 * uses this with the caller's own TLS certificate: it never signs anything itself, it only packages the actor's
 * signature with the certificate that must verify it (verifyAuthorisation then checks it).
 */
export function envelopeOf(value: Uint8Array, certificateDer: Uint8Array, signerUri: string): Uint8Array {
  parsedCertificate(certificateDer); // refuses garbage early, with a parse error (memoised: the caller's TLS certificate)
  const envelope = {
    algorithm: SIGNATURE_ALGORITHM,
    signerUri,
    certificateSha256: sha256Hex(certificateDer),
    certificates: [certificateDer],
    value,
  } as const;
  try {
    // Remembered as parsed: verification reads it back from the memo instead of parsing what was just encoded.
    return encodeRememberedEnvelope(envelope);
  } catch (error) {
    // Not self-consistent (a signer URI that is not the certificate's): encoded all the same, and refused by
    // verification with the parser's message, as before.
    if (error instanceof FormatError) return encodeSignatureEnvelope(envelope);
    throw error;
  }
}
