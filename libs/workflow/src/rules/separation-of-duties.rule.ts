// Separation of duties: who may decide on an order. Each refusal says what the caller can do about it.
import { EvxError } from '#evx/errors';
import { type Actor, type ApproverActor, personKeyOf, personKeyOfUri } from '../model/actor.model.js';
import type { Authorisation } from '../model/authorisation.model.js';
import type { ApproverRole } from '../model/workflow.vocabulary.js';

const MAX_REASON_LENGTH = 4000;

function denied(message: string, code = 'PERMISSION_DENIED'): EvxError {
  return new EvxError('permission-denied', message, code);
}

/**
 * The checks every decision shares: an approver, of the order's own agency, deciding in the role its certificate
 * grants, who is not the requester.
 * @throws EvxError permission-denied (code SELF_APPROVAL for the requester)
 */
export function checkApproverOfAgency(request: Authorisation, actor: Actor, role: ApproverRole): ApproverActor {
  if (actor.kind !== 'approver') {
    throw denied(
      `Only approvers decide on orders; ${actor.uri} is a${actor.kind === 'adapter' ? 'n' : ''} ${actor.kind}.`,
    );
  }
  const agency = request.details.issuingAgencyId;
  if (actor.agency !== agency) {
    throw denied(
      `Approvers act only for their own agency: you belong to ${actor.agency}, this order is ${agency}'s. ` +
        `An approver of ${agency} must decide.`,
    );
  }
  if (actor.role !== role) {
    throw denied(`Your certificate makes you ${actor.role}; you cannot decide as ${role}.`);
  }
  if (personKeyOfUri(request.details.requesterUri) === personKeyOf(actor)) {
    throw denied('You requested this order, so you cannot decide on it; another approver must.', 'SELF_APPROVAL');
  }
  return actor;
}

/**
 * One person gives at most one approval in a chain, so two steps are always two people.
 * @throws EvxError permission-denied SELF_APPROVAL
 */
export function checkNotYetApprovedBy(request: Authorisation, approver: ApproverActor): void {
  const earlier = request.approvals.find(
    (approval) =>
      approval.kind !== 'JUDICIAL_VALIDATION' && personKeyOfUri(approval.approverUri) === personKeyOf(approver),
  );
  if (earlier !== undefined) {
    throw denied(
      `You already approved this order as ${earlier.role}; each approval in the chain must come from a different person.`,
      'SELF_APPROVAL',
    );
  }
}

/**
 * The judicial validation of an emergency order: one of the validator roles, and not a duty approver of the order.
 * @throws EvxError permission-denied
 */
export function checkValidator(
  request: Authorisation,
  actor: Actor,
  role: ApproverRole,
  validatorRoles: readonly ApproverRole[],
): ApproverActor {
  const approver = checkApproverOfAgency(request, actor, role);
  if (!validatorRoles.includes(role)) {
    throw denied(
      `The judicial validation of an emergency order must come from ${validatorRoles.join(' or ')}, not ${role}.`,
    );
  }
  const approvedIt = request.approvals.some(
    (approval) => approval.kind === 'EMERGENCY' && personKeyOfUri(approval.approverUri) === personKeyOf(approver),
  );
  if (approvedIt) {
    throw denied(
      'You gave this order its emergency approval, so you cannot validate it; another judge must.',
      'SELF_APPROVAL',
    );
  }
  return approver;
}

/**
 * Every rejection, refusal, withdrawal and validation carries its reasons.
 * @throws EvxError invalid-argument: a missing reason is a missing field of the call
 */
export function requireReason(reason: string | undefined, what: string): string {
  const text = reason?.trim() ?? '';
  if (text.length === 0) throw new EvxError('invalid-argument', `${what} needs a reason: say why, in words.`);
  if ([...text].length > MAX_REASON_LENGTH) {
    throw new EvxError('invalid-argument', `${what}: the reason is longer than ${MAX_REASON_LENGTH} characters.`);
  }
  return text;
}
