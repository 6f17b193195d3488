// Transitions the requesting agency's investigators trigger.
import { EvxError } from '#evx/errors';
import { addDays } from '../clock/clock.js';
import { approvalPlanFor, describePlan } from '../policy/approval.policy.js';
import { checkEmergencyScope } from '../policy/emergency.policy.js';
import { policyForAgency } from '../policy/policy.model.js';
import { requireReason } from '../rules/separation-of-duties.rule.js';
import { type Change, type HandlerContext, preconditionFailed, unchanged } from './transition.handler.js';

/** Statuses in which the provider already holds the task, so withdrawal waits for its confirmation. */
const WITH_PROVIDER = ['DISPATCHED', 'ACKNOWLEDGED', 'CLARIFICATION_REQUESTED', 'PRESERVED'];

export function submit({ request, action, now, policies }: HandlerContext<'submit'>): Change {
  const { details } = request;
  const policy = policyForAgency(policies, details.issuingAgencyId);
  if (!Number.isInteger(action.openEmergencyOrders) || action.openEmergencyOrders < 0) {
    throw new EvxError(
      'internal',
      'submit: openEmergencyOrders must count the other open emergency orders of the agency (countOpenEmergencies)',
    );
  }
  if (details.requestedDeadline !== undefined && details.requestedDeadline.getTime() <= now.getTime()) {
    throw preconditionFailed(
      `The requested deadline ${details.requestedDeadline.toISOString()} has passed; create a new draft with a later one.`,
      'DEADLINE_PASSED',
    );
  }
  if (details.urgency === 'EMERGENCY') checkEmergencyScope(policy, details, now);
  const plan = approvalPlanFor(policy, request, action.openEmergencyOrders);
  const second = plan.kind === 'EMERGENCY' && plan.steps.length > 1;
  return {
    status: 'AWAITING_APPROVAL',
    desiredStatus: 'ACTIVE',
    reason:
      `submitted; needs ${describePlan(plan.steps)}` +
      (second
        ? ` (the agency has ${action.openEmergencyOrders} open emergency orders, so a second duty approval)`
        : ''),
    patch: { approvalPlan: plan, submittedAt: now },
  };
}

export function withdraw({ request, action }: HandlerContext<'withdraw'>): Change {
  const reason = requireReason(action.reason, 'Withdrawing an order');
  if (request.desiredStatus === 'WITHDRAWN') {
    throw preconditionFailed('This order is already being withdrawn; the provider has yet to confirm it.');
  }
  if (!WITH_PROVIDER.includes(request.status)) {
    return { status: 'WITHDRAWN', desiredStatus: 'WITHDRAWN', reason: `withdrawn: ${reason}` };
  }
  return {
    status: unchanged(request),
    desiredStatus: 'WITHDRAWN',
    reason: `withdrawal requested, waiting for the provider: ${reason}`,
    effects: [{ type: 'cancel-task', reason: `withdrawn by the requester: ${reason}`, restrictData: false }],
  };
}

export function answerClarification({ request, action, actor, now }: HandlerContext<'answer-clarification'>): Change {
  const answer = requireReason(action.answer, 'Answering a clarification');
  const open = request.clarifications.find((c) => c.clarificationId === action.clarificationId);
  if (open === undefined || open.answer !== undefined) {
    throw preconditionFailed(
      `Clarification ${JSON.stringify(action.clarificationId)} is not an open question of this order; ` +
        'answer the one the provider asked last.',
    );
  }
  const clarifications = request.clarifications.map((c) =>
    c === open ? { ...c, answer, answeredByUri: actor.uri, answeredAt: now } : c,
  );
  return {
    status: 'ACKNOWLEDGED',
    reason: `clarification ${open.clarificationId} answered`,
    patch: { clarifications },
    effects: [{ type: 'update-task', reason: `answer to clarification ${open.clarificationId}` }],
  };
}

export function extendPreservation({ request, action, now, policies }: HandlerContext<'extend-preservation'>): Change {
  const reason = requireReason(action.reason, 'Extending a preservation');
  const rules = policyForAgency(policies, request.details.issuingAgencyId).preservation;
  const terms = request.preservation;
  if (terms === undefined) throw preconditionFailed('Only a preservation order can be extended.');
  if (now.getTime() >= terms.expiresAt.getTime()) {
    throw preconditionFailed(
      `The preservation ended at ${terms.expiresAt.toISOString()}; it can no longer be extended.`,
      'DEADLINE_PASSED',
    );
  }
  if (terms.extensions >= rules.maxExtensions) {
    throw policyExtensionLimit(terms.extensions, rules.maxExtensions);
  }
  const expiresAt = addDays(terms.expiresAt, rules.extensionDays);
  return {
    status: unchanged(request),
    reason: `preservation extended by ${rules.extensionDays} days to ${expiresAt.toISOString()}: ${reason}`,
    patch: { preservation: { ...terms, expiresAt, extensions: terms.extensions + 1 } },
    effects: [{ type: 'update-task', reason: `preservation extended to ${expiresAt.toISOString()}` }],
  };
}

function policyExtensionLimit(done: number, allowed: number): EvxError {
  return new EvxError(
    'failed-precondition',
    `This preservation was already extended ${done} time${done === 1 ? '' : 's'} and the policy allows ${allowed}; ` +
      'follow it up with a production order before it ends.',
    'POLICY_VIOLATION',
  );
}

export function close({ request, action }: HandlerContext<'close'>): Change {
  if (request.emergencyValidation?.status === 'PENDING') {
    throw preconditionFailed(
      'This emergency order cannot be closed while its judicial validation is pending ' +
        `(due ${request.emergencyValidation.validationDueAt.toISOString()}); close it once a judge has decided.`,
    );
  }
  const followUp = request.preservation?.followedUpByAuthorisationId;
  if (request.status === 'PRESERVED' && followUp === undefined) {
    throw preconditionFailed(
      'A preservation order is closed once a production order follows it; until then extend it or withdraw it.',
    );
  }
  const note = action.reason?.trim() ?? '';
  return {
    status: 'CLOSED',
    desiredStatus: 'CLOSED',
    reason: note.length > 0 ? `closed: ${note}` : 'closed',
    effects:
      request.status === 'PRESERVED'
        ? [{ type: 'cancel-task', reason: `preservation closed, followed up by ${followUp}`, restrictData: false }]
        : [],
  };
}
