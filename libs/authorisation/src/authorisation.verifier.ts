// One verification of a signed order, shared by the gateway (before every state change that relies on a signature,
// and before dispatch) and by adapters (which must not trust the gateway). It checks the signatures, that each
// signer is who the documents say at the time it signed, and that the approvals satisfy the order's plan with the
// separation of duties of docs/workflow.md.
import {
  FormatError,
  parseApproval,
  parseAuthorisationRequest,
  signerIdentityAt,
  TrustError,
  verifySignatureValue,
  type ApprovalStatement,
  type AuthorisationRequest,
  type SignatureEnvelope,
  type SignerIdentity,
} from '#evx/evidence-package';
import { EvxError } from '#evx/errors';
import { LruCache, type TrustStore } from '#evx/pki';
import {
  APPROVER_ROLES,
  fromProtoName,
  personKeyOfUri,
  PROTO_ENUM_PREFIX as P,
  type ApprovalPlan,
  type ApproverRole,
} from '#evx/workflow';
import { sha256Hex, type AuthorisationBundle } from './authorisation.bundle.js';
import { signatureEnvelopeOf } from './signature-envelope.cache.js';

export interface AuthorisationPolicy {
  /** The plan fixed at submission (Authorisation.approvalPlan); absent: the approvals are not checked against one. */
  readonly plan?: ApprovalPlan;
  /** Every step of the plan must be approved and nothing rejected (what dispatch needs). */
  readonly requireComplete?: boolean;
  /** Roles that may give the judicial validation (policy emergency.validatorRoles); default JUDGE. */
  readonly validatorRoles?: readonly ApproverRole[];
}

export interface VerifiedApproval {
  readonly statement: ApprovalStatement;
  readonly signer: SignerIdentity;
}

export interface VerifiedAuthorisation {
  readonly request: AuthorisationRequest;
  readonly requester: SignerIdentity;
  readonly approvals: readonly VerifiedApproval[];
}

/** Every refusal names what failed; the code is a proto ErrorCode name (without its prefix). */
function refuse(message: string, code = 'SIGNATURE_INVALID'): EvxError {
  return new EvxError('invalid-argument', `authorisation bundle: ${message}`, code);
}

function parsed<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof FormatError) throw refuse(`${what}: ${error.message}`, 'INVALID_ARGUMENT');
    throw error;
  }
}

function checkedSignature(
  kind: 'request' | 'approval',
  what: string,
  statement: Uint8Array,
  signature: Uint8Array,
  trust: TrustStore,
  signingTime: Date,
  now: Date,
): SignerIdentity {
  const envelope: SignatureEnvelope = parsed(`${what} signature`, () => signatureEnvelopeOf(signature));
  const leaf = envelope.certificates[0] as Uint8Array;
  try {
    verifySignatureValue(kind, statement, envelope.value, leaf);
  } catch (error) {
    if (error instanceof FormatError) throw refuse(`${what} signature: ${error.message}`);
    throw error;
  }
  try {
    return signerIdentityAt(leaf, trust, signingTime, now);
  } catch (error) {
    if (error instanceof TrustError) {
      throw refuse(
        `${what} signer: ${error.message}`,
        /revoked/.test(error.message) ? 'CERT_REVOKED' : 'SIGNATURE_INVALID',
      );
    }
    throw error;
  }
}

/**
 * Parsed requests, by the SHA-256 of their bytes (which the verification computes anyway): an order's request is
 * verified again at every step (submission, each decision, dispatch) and on every adapter, and parsing it (strict
 * canonical JSON) costs far more than the lookup. The result depends on the bytes alone and is shared, so it is
 * frozen all the way down; a parse that fails is not remembered.
 */
const REQUESTS = new LruCache<string, AuthorisationRequest>(256);

function requestOf(bytes: Uint8Array, sha256: string): AuthorisationRequest {
  let request = REQUESTS.get(sha256);
  if (request === undefined) {
    request = deepFrozen(parseAuthorisationRequest(bytes));
    REQUESTS.set(sha256, request);
  }
  return request;
}

function deepFrozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFrozen(member);
  }
  return value;
}

function roleOf(statement: ApprovalStatement): ApproverRole {
  return fromProtoName(P.ApproverRole, APPROVER_ROLES, statement.role, 'approval role');
}

/**
 * Verifies `bundle` against the authority trust anchors in `trust` at `now`.
 * @throws EvxError invalid-argument (a signature, a signer or a document is wrong), failed-precondition code
 *   SELF_APPROVAL / POLICY_VIOLATION (the approvals break separation of duties or the plan)
 */
export function verifyAuthorisation(
  bundle: AuthorisationBundle,
  trust: TrustStore,
  policy: AuthorisationPolicy,
  now: Date,
): VerifiedAuthorisation {
  const requestSha256 = sha256Hex(bundle.request);
  const request = parsed('request', () => requestOf(bundle.request, requestSha256));
  if (!bundle.requestSignature) throw refuse('the request is not signed by its requester');
  const requester = checkedSignature(
    'request',
    'request',
    bundle.request,
    bundle.requestSignature,
    trust,
    new Date(request.createdAt),
    now,
  );
  if (requester.kind !== 'investigator' || requester.uri !== request.requesterUri) {
    throw refuse(
      `the request names requester ${request.requesterUri} but is signed by ${requester.uri}`,
      'SIGNATURE_INVALID',
    );
  }
  if (requester.agency !== request.issuingAgencyId) {
    throw refuse(
      `the requester ${requester.uri} is not of the issuing agency ${request.issuingAgencyId}`,
      'SIGNATURE_INVALID',
    );
  }
  const requesterPerson = personKeyOfUri(requester.uri);
  const people = new Set<string>();
  const approvals: VerifiedApproval[] = [];
  bundle.approvals.forEach((signed, index) => {
    const what = `approval ${index + 1}`;
    const statement = parsed(what, () => parseApproval(signed.statement));
    if (statement.requestSha256 !== requestSha256) {
      throw refuse(`${what} decides on request ${statement.requestSha256}, not on this request ${requestSha256}`);
    }
    const signer = checkedSignature(
      'approval',
      what,
      signed.statement,
      signed.signature,
      trust,
      new Date(statement.decidedAt),
      now,
    );
    if (signer.kind !== 'approver' || signer.uri !== statement.approverUri) {
      throw refuse(
        `${what} names approver ${statement.approverUri} but is signed by ${signer.uri}`,
        'SIGNATURE_INVALID',
      );
    }
    if (signer.agency !== request.issuingAgencyId) {
      throw refuse(
        `${what}: approver ${signer.uri} is not of the issuing agency ${request.issuingAgencyId}`,
        'SIGNATURE_INVALID',
      );
    }
    if (
      signer.role === undefined ||
      statement.role !== `APPROVER_ROLE_${signer.role.toUpperCase().replace(/-/g, '_')}`
    ) {
      throw refuse(
        `${what}: ${signer.uri} decided as ${statement.role}, which its certificate does not grant`,
        'SIGNATURE_INVALID',
      );
    }
    const person = personKeyOfUri(signer.uri);
    if (person === requesterPerson) {
      throw new EvxError(
        'failed-precondition',
        `${what}: ${signer.uri} is the requester and may not decide on its own order`,
        'SELF_APPROVAL',
      );
    }
    if (people.has(person)) {
      throw new EvxError(
        'failed-precondition',
        `${what}: ${signer.uri} already decided on this order; one person gives at most one approval`,
        'SELF_APPROVAL',
      );
    }
    people.add(person);
    approvals.push({ statement, signer });
  });
  checkPlan(approvals, policy);
  return { request, requester, approvals };
}

function checkPlan(approvals: readonly VerifiedApproval[], policy: AuthorisationPolicy): void {
  const validators = policy.validatorRoles ?? ['JUDGE'];
  for (const { statement } of approvals) {
    if (statement.kind === 'APPROVAL_KIND_JUDICIAL_VALIDATION' && !validators.includes(roleOf(statement))) {
      throw new EvxError(
        'failed-precondition',
        `judicial validation by ${statement.role} is not allowed; validators: ${validators.join(', ')}`,
        'POLICY_VIOLATION',
      );
    }
  }
  const plan = policy.plan;
  if (!plan) return;
  const kind = `APPROVAL_KIND_${plan.kind}`;
  const inPlan = approvals.filter((a) => a.statement.kind === kind);
  const approved = inPlan.filter((a) => a.statement.decision === 'APPROVAL_DECISION_APPROVED');
  if (approved.length > plan.steps.length) {
    throw new EvxError(
      'failed-precondition',
      `${approved.length} approvals for a plan of ${plan.steps.length} steps`,
      'POLICY_VIOLATION',
    );
  }
  approved.forEach((approval, i) => {
    const step = plan.steps[i] ?? [];
    if (!step.includes(roleOf(approval.statement))) {
      throw new EvxError(
        'failed-precondition',
        `approval ${i + 1} is by ${approval.statement.role}; step ${i + 1} of the plan needs ${step.join(' or ')}`,
        'POLICY_VIOLATION',
      );
    }
  });
  if (policy.requireComplete) {
    if (inPlan.some((a) => a.statement.decision === 'APPROVAL_DECISION_REJECTED')) {
      throw new EvxError('failed-precondition', 'the order was rejected', 'POLICY_VIOLATION');
    }
    if (approved.length < plan.steps.length) {
      throw new EvxError(
        'failed-precondition',
        `only ${approved.length} of the ${plan.steps.length} approvals the plan needs are given`,
        'POLICY_VIOLATION',
      );
    }
  }
}
