// evx.v1.AuthorisationBundle -> the bundle verifyAuthorisation reads. The wire form carries each signature without
// its certificate (certificates travel once, in `certificates`) and each approval as fields, not bytes; this
// rebuilds the exact signed documents, so an adapter verifies the task's bundle without trusting EVX.
import {
  encodeApproval,
  encodeSignatureEnvelope,
  SIGNATURE_ALGORITHM,
  type ApprovalStatement,
} from '#evx/evidence-package';
import { EvxError } from '#evx/errors';
import { dateFromTimestamp, type AuthorisationBundle as WireBundle, type Signature } from '#evx/proto';
import { sha256Hex, type AuthorisationBundle } from './authorisation.bundle.js';

function envelopeFromWire(signature: Signature, certificates: readonly Uint8Array[], what: string): Uint8Array {
  const wanted = Buffer.from(signature.certificateSha256).toString('hex');
  const certificate = certificates.find((c) => sha256Hex(c) === wanted);
  if (!certificate)
    throw new EvxError(
      'invalid-argument',
      `${what}: no certificate in the bundle has SHA-256 ${wanted}`,
      'SIGNATURE_INVALID',
    );
  return encodeSignatureEnvelope({
    algorithm: SIGNATURE_ALGORITHM,
    signerUri: signature.signerUri,
    certificateSha256: wanted,
    certificates: [certificate],
    value: signature.value,
  });
}

export function bundleFromWire(wire: WireBundle): AuthorisationBundle {
  const certificates = wire.certificates.map((c) => new Uint8Array(c));
  return {
    request: new Uint8Array(wire.canonicalRequest),
    ...(wire.requesterSignature
      ? { requestSignature: envelopeFromWire(wire.requesterSignature, certificates, 'requester signature') }
      : {}),
    approvals: wire.approvals.map((approval, i) => {
      if (!approval.signature || !approval.decidedAt) {
        throw new EvxError('invalid-argument', `approval ${i + 1} has no signature or decided_at`);
      }
      const statement = encodeApproval({
        approverUri: approval.approverUri,
        role: approval.role as ApprovalStatement['role'],
        kind: approval.kind as ApprovalStatement['kind'],
        decision: approval.decision as ApprovalStatement['decision'],
        reason: approval.reason,
        decidedAt: dateFromTimestamp(approval.decidedAt).toISOString(),
        requestSha256: Buffer.from(approval.requestSha256).toString('hex'),
      });
      return { statement, signature: envelopeFromWire(approval.signature, certificates, `approval ${i + 1}`) };
    }),
  };
}
