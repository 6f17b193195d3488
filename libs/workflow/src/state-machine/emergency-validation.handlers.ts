// The after-the-fact judicial validation of an emergency order (Regulation (EU) 2023/1543 Art 4(5)). Its verdict
// lands whatever the order's progress: a rejection or a lapse seals the evidence even if the order was meanwhile
// delivered, refused, withdrawn or expired, because data may already have been produced.
import type { Approval, Authorisation, EmergencyValidation } from '../model/authorisation.model.js';
import { policyForAgency } from '../policy/policy.model.js';
import { checkValidator, requireReason } from '../rules/separation-of-duties.rule.js';
import type { WorkflowEffect } from './transition.result.js';
import { type Change, type HandlerContext, preconditionFailed, unchanged } from './transition.handler.js';

function pendingValidation(request: Authorisation): EmergencyValidation {
  const validation = request.emergencyValidation;
  if (request.details.urgency !== 'EMERGENCY' || validation === undefined || validation.status !== 'PENDING') {
    throw preconditionFailed(
      `Order ${request.authorisationId} has no pending judicial validation` +
        (validation === undefined ? '' : ` (it is ${validation.status})`) +
        '; only a provisionally approved emergency order is validated.',
    );
  }
  return validation;
}

/** A judge may decide until the due time, not after, whether or not the scheduler has run yet. */
function decidableValidation(request: Authorisation, now: Date): EmergencyValidation {
  const validation = pendingValidation(request);
  if (now.getTime() >= validation.validationDueAt.getTime()) {
    throw preconditionFailed(
      `The judicial validation was due by ${validation.validationDueAt.toISOString()} and is overdue; ` +
        'the evidence is being sealed and a late validation cannot restore it.',
      'DEADLINE_PASSED',
    );
  }
  return validation;
}

function sealing(request: Authorisation, reason: string): readonly WorkflowEffect[] {
  const cancel: WorkflowEffect[] =
    request.taskId === undefined ? [] : [{ type: 'cancel-task', reason, restrictData: true }];
  return [...cancel, { type: 'seal-evidence', reason }];
}

function judgesDecision(context: HandlerContext<'validate'> | HandlerContext<'reject-validation'>, what: string) {
  const { request, action, actor, now, policies } = context;
  const validation = decidableValidation(request, now);
  const rules = policyForAgency(policies, request.details.issuingAgencyId).emergency;
  const judge = checkValidator(request, actor, action.role, rules.validatorRoles);
  const reason = requireReason(action.reason, what);
  const approval: Approval = {
    approverUri: judge.uri,
    role: action.role,
    kind: 'JUDICIAL_VALIDATION',
    decision: action.type === 'validate' ? 'APPROVED' : 'REJECTED',
    reason,
    decidedAt: now,
  };
  return { validation, reason, approvals: [...request.approvals, approval] };
}

export function validate(context: HandlerContext<'validate'>): Change {
  const { validation, reason, approvals } = judgesDecision(context, 'Validating an emergency order');
  return {
    status: unchanged(context.request),
    reason: `emergency approval validated by ${context.action.role}: ${reason}`,
    patch: { approvals, emergencyValidation: { ...validation, status: 'VALIDATED', decidedAt: context.now } },
  };
}

export function rejectValidation(context: HandlerContext<'reject-validation'>): Change {
  const { validation, reason, approvals } = judgesDecision(context, 'Refusing to validate an emergency order');
  const sealReason = `judicial validation refused by ${context.action.role}: ${reason}`;
  return {
    status: 'VALIDATION_REJECTED',
    reason: sealReason,
    patch: {
      approvals,
      emergencyValidation: { ...validation, status: 'REJECTED', decidedAt: context.now },
      evidenceSealed: true,
      evidenceSealReason: sealReason,
    },
    effects: sealing(context.request, sealReason),
  };
}

export function markValidationOverdue({ request, now }: HandlerContext<'mark-validation-overdue'>): Change {
  const validation = pendingValidation(request);
  if (now.getTime() < validation.validationDueAt.getTime()) {
    throw preconditionFailed(
      `The judicial validation is not due until ${validation.validationDueAt.toISOString()}; it is not overdue yet.`,
    );
  }
  const sealReason = `no judicial validation by ${validation.validationDueAt.toISOString()}`;
  return {
    status: 'VALIDATION_OVERDUE',
    reason: sealReason,
    patch: {
      emergencyValidation: { ...validation, status: 'OVERDUE' },
      evidenceSealed: true,
      evidenceSealReason: sealReason,
    },
    effects: sealing(request, sealReason),
  };
}
