// Signing with an actor's own key (the CLI, tests). The gateway never calls these for an actor: it receives the
// actor's signature and verifies it.
import { pemStatementSigner, signatureInput, signStatement } from '#evx/evidence-package';
import { encodeApprovalDecision, type ApprovalDecisionInput, type SignedStatement } from './authorisation.bundle.js';

export interface ActorKey {
  /** PEM certificate chain, the actor's certificate first. */
  readonly certificatePem: string;
  /** PEM private key (RSA, 2048 bits or more). */
  readonly privateKeyPem: string;
}

/** The requester's signature envelope over the canonical request. */
export function signRequest(request: Uint8Array, key: ActorKey): Promise<Uint8Array> {
  return signStatement('request', request, pemStatementSigner(key.certificatePem, key.privateKeyPem));
}

/** The raw signature value over the request, as SubmitRequest's `requester_signature.value` carries it. */
export async function signRequestValue(request: Uint8Array, key: ActorKey): Promise<Uint8Array> {
  return pemStatementSigner(key.certificatePem, key.privateKeyPem).sign(signatureInput('request', request));
}

/** An approver's signed decision on `request`. */
export async function signApproval(
  request: Uint8Array,
  input: ApprovalDecisionInput,
  key: ActorKey,
): Promise<SignedStatement> {
  const statement = encodeApprovalDecision(request, input);
  const signature = await signStatement(
    'approval',
    statement,
    pemStatementSigner(key.certificatePem, key.privateKeyPem),
  );
  return { statement, signature };
}

/** The raw signature value over an approval, as Approve/Reject/ValidateRequest's `signature.value` carries it. */
export async function signApprovalValue(
  request: Uint8Array,
  input: ApprovalDecisionInput,
  key: ActorKey,
): Promise<Uint8Array> {
  const statement = encodeApprovalDecision(request, input);
  return pemStatementSigner(key.certificatePem, key.privateKeyPem).sign(signatureInput('approval', statement));
}
