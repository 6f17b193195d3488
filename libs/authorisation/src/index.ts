// Public surface of #evx/authorisation: the signed authorisation bundle (request, approvals, signer certificates),
// signing with an actor's own key, and the one verifyAuthorisation used by the gateway and by adapters.
export {
  approvalStatementOf,
  encodeApprovalDecision,
  envelopeOf,
  sha256Hex,
  type ApprovalDecisionInput,
  type AuthorisationBundle,
  type SignedStatement,
} from './authorisation.bundle.js';
export { bundleFromWire } from './authorisation-bundle.wire.js';
export { signatureEnvelopeOf } from './signature-envelope.cache.js';
export { encodeRequestDocument, requestDocumentOf } from './authorisation-request.document.js';
export {
  signApproval,
  signApprovalValue,
  signRequest,
  signRequestValue,
  type ActorKey,
} from './authorisation.signer.js';
export {
  verifyAuthorisation,
  type AuthorisationPolicy,
  type VerifiedApproval,
  type VerifiedAuthorisation,
} from './authorisation.verifier.js';
