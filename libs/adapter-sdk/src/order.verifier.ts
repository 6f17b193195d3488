// The SDK's check of every task before any handler sees it: the signed order verifies against the authority trust
// anchors (not against anything EVX says), it is approved, it is addressed to this provider, and the readable
// order in `task.authorisation` is exactly the one that was signed. An adapter never acts on an order EVX could
// have forged or altered.
import { bundleFromWire, encodeRequestDocument, sha256Hex, verifyAuthorisation } from '#evx/authorisation';
import type { AuthorisationPolicy, VerifiedAuthorisation } from '#evx/authorisation';
import { isEvxError } from '#evx/errors';
import type { TrustStore } from '#evx/pki';
import type { Task } from '#evx/proto';
import {
  approvalPlanFor,
  defaultPolicies,
  policyForAgency,
  type AuthorisationDetails,
  type RefusalGround,
  type WorkflowPolicies,
} from '#evx/workflow';
import { orderDetailsFromWire } from './order-details.wire.js';

/** Why the SDK refuses an order on its own; becomes a RefuseTask with this ground and explanation. */
export class OrderRejection extends Error {
  constructor(
    readonly ground: RefusalGround,
    readonly explanation: string,
  ) {
    super(explanation);
    this.name = 'OrderRejection';
  }
}

export interface OrderCheckOptions {
  /** The authority trust anchors (only the `authority` domain is needed). */
  readonly trust: TrustStore;
  /** This adapter's provider, from its certificate. */
  readonly providerId: string;
  /**
   * The approval rules to hold the order to. By default the plan the authority's published policy requires for this
   * order (`policies`, by default EVX's shipped default policy): every step approved, by the right roles, nothing
   * rejected. Give an explicit policy only to replace that rule.
   */
  readonly policy?: AuthorisationPolicy;
  /** The authorities' published workflow policies; default: libs/workflow/policies/default.policy.json. */
  readonly policies?: WorkflowPolicies;
  readonly now?: Date;
}

export interface VerifiedOrder {
  /** The order as signed, in the workflow's words. */
  readonly details: AuthorisationDetails;
  /** The verification's result. Its `request` is shared by every verification of the same bytes: frozen, read only. */
  readonly verified: VerifiedAuthorisation;
  /** SHA-256 of the signed request: what the origin statement names (docs/package-format.md §5). */
  readonly requestSha256: string;
}

const wrong = (explanation: string) => new OrderRejection('INCOMPLETE_OR_WRONG_ORDER', explanation);

function checkedSignatures(task: Task, options: OrderCheckOptions) {
  if (!task.bundle || task.bundle.canonicalRequest.length === 0) {
    throw wrong('the task carries no signed authorisation bundle');
  }
  try {
    const bundle = bundleFromWire(task.bundle);
    const verified = verifyAuthorisation(bundle, options.trust, options.policy ?? {}, options.now ?? new Date());
    return { bundle, verified };
  } catch (error) {
    if (isEvxError(error)) throw wrong(`the signed order does not verify: ${error.message}`);
    throw error;
  }
}

function checkApproved(verified: VerifiedAuthorisation): void {
  const decisions = verified.approvals.map((a) => a.statement);
  const rejected = decisions.find((d) => d.decision === 'APPROVAL_DECISION_REJECTED');
  if (rejected) throw wrong(`the order was rejected by ${rejected.approverUri}`);
  const approved = decisions.some(
    (d) => d.decision === 'APPROVAL_DECISION_APPROVED' && d.kind !== 'APPROVAL_KIND_JUDICIAL_VALIDATION',
  );
  if (!approved) throw wrong('the order carries no signed approval');
}

/**
 * A cancellation (withdrawn, expired, validation refused) stops work and may tell the provider to restrict data, so
 * it too must be about this provider's own, genuinely signed order. Approvals are not judged: a refused emergency
 * validation is exactly what cancels an order.
 * @throws OrderRejection
 */
export function verifyCancelledOrder(task: Task, options: OrderCheckOptions): void {
  if (task.providerId !== options.providerId) {
    throw wrong(`the task is addressed to provider ${task.providerId}, not to ${options.providerId}`);
  }
  const { verified } = checkedSignatures(task, { ...options, policy: options.policy ?? {} });
  if (verified.request.targetProviderId !== options.providerId) {
    throw wrong(`the signed order is addressed to provider ${verified.request.targetProviderId}`);
  }
  if (verified.request.authorisationId !== task.authorisationId) {
    throw wrong(
      `the task names order ${task.authorisationId} but the signed order is ${verified.request.authorisationId}`,
    );
  }
}

/** @throws OrderRejection when the task must be refused; other errors are the SDK's own failures. */
export function verifyTaskOrder(task: Task, options: OrderCheckOptions): VerifiedOrder {
  if (task.providerId !== options.providerId) {
    throw wrong(`the task is addressed to provider ${task.providerId}, not to ${options.providerId}`);
  }
  const { bundle, verified } = checkedSignatures(task, options);
  checkApproved(verified);
  const request = verified.request;
  if (request.targetProviderId !== options.providerId) {
    throw wrong(`the signed order is addressed to provider ${request.targetProviderId}, not to ${options.providerId}`);
  }
  if (request.authorisationId !== task.authorisationId) {
    throw wrong(`the task names order ${task.authorisationId} but the signed order is ${request.authorisationId}`);
  }
  let details: AuthorisationDetails;
  let readable: Uint8Array;
  try {
    details = orderDetailsFromWire(task.authorisation);
    readable = encodeRequestDocument(request.authorisationId, details, new Date(request.createdAt));
  } catch (error) {
    if (isEvxError(error) || error instanceof Error) throw wrong(`task.authorisation is unreadable: ${error.message}`);
    throw error;
  }
  if (sha256Hex(readable) !== sha256Hex(bundle.request)) {
    throw wrong('task.authorisation differs from the signed order (the readable copy was altered)');
  }
  const preservationTask = task.preservation !== null && task.preservation !== undefined;
  if (preservationTask !== details.preservationOnly) {
    throw wrong(`the task is a ${preservationTask ? 'preservation' : 'disclosure'} but the signed order is not`);
  }
  if (!options.policy) checkPlan(task, bundle, details, verified, options);
  return { details, verified, requestSha256: sha256Hex(bundle.request) };
}

let shippedPolicies: WorkflowPolicies | undefined;

/**
 * The approvals must complete the plan the issuing agency's policy sets for this order (e.g. supervisor then judge
 * for traffic data); an order approved by fewer or other roles is not authorised, whatever EVX says.
 */
function checkPlan(
  task: Task,
  bundle: ReturnType<typeof bundleFromWire>,
  details: AuthorisationDetails,
  verified: VerifiedAuthorisation,
  options: OrderCheckOptions,
): void {
  const policies = options.policies ?? (shippedPolicies ??= defaultPolicies());
  try {
    const agency = policyForAgency(policies, details.issuingAgencyId);
    // An emergency order has one duty approval, or two when the agency had too many open: both are valid plans.
    const dutyApprovals = verified.approvals.filter((a) => a.statement.kind === 'APPROVAL_KIND_EMERGENCY').length;
    const openEmergencies = dutyApprovals >= 2 ? agency.emergency.maxOpenBeforeSecondApproval : 0;
    const plan = approvalPlanFor(agency, { details }, openEmergencies);
    verifyAuthorisation(
      bundle,
      options.trust,
      { plan, requireComplete: true, validatorRoles: agency.emergency.validatorRoles },
      options.now ?? new Date(),
    );
  } catch (error) {
    if (isEvxError(error))
      throw wrong(`task ${task.taskId}: the order is not authorised as its policy requires: ${error.message}`);
    throw error;
  }
}
