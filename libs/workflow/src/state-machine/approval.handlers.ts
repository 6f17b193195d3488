// The approval chain: approvers approve or reject an order awaiting approval, in the order its plan sets.
import { addHours } from '../clock/clock.js';
import type { Approval, ApprovalPlan, Authorisation } from '../model/authorisation.model.js';
import type { ApproverRole } from '../model/workflow.vocabulary.js';
import { describePlan, describeStep, nextApprovalStep, planApprovals } from '../policy/approval.policy.js';
import { policyForAgency } from '../policy/policy.model.js';
import { checkApproverOfAgency, checkNotYetApprovedBy, requireReason } from '../rules/separation-of-duties.rule.js';
import { type Change, type HandlerContext, policyViolation } from './transition.handler.js';

function planOf(request: Authorisation): ApprovalPlan {
  // Set by submit, and AWAITING_APPROVAL is reachable only through submit.
  if (request.approvalPlan === undefined) throw policyViolation('This order has no approval plan; submit it first.');
  return request.approvalPlan;
}

function wrongRole(plan: ApprovalPlan, request: Authorisation, role: ApproverRole): Error {
  const next = describeStep(nextApprovalStep(request) ?? []);
  const done = planApprovals(request).length;
  if (plan.steps.slice(done + 1).some((step) => step.includes(role))) {
    return policyViolation(`Approvals are given in order: this order needs ${next} next; ${role} comes after that.`);
  }
  const chain = describePlan(plan.steps);
  if (plan.steps.slice(0, done).some((step) => step.includes(role))) {
    return policyViolation(`This order needs ${next} next, not ${role}: the ${role} step of ${chain} is done.`);
  }
  const path = plan.kind === 'EMERGENCY' ? 'emergency' : 'standard';
  const duty = role === 'DUTY_OFFICER' ? '; a duty officer approves emergency orders only' : '';
  return policyViolation(
    `${role} is not an approver this ${path} order needs; it needs ${next} next (${chain})${duty}.`,
  );
}

export function approve({ request, action, actor, now, policies }: HandlerContext<'approve'>): Change {
  const plan = planOf(request);
  const approver = checkApproverOfAgency(request, actor, action.role);
  checkNotYetApprovedBy(request, approver);
  const next = nextApprovalStep(request);
  if (next === undefined || !next.includes(action.role)) throw wrongRole(plan, request, action.role);
  const approval: Approval = {
    approverUri: approver.uri,
    role: action.role,
    kind: plan.kind,
    decision: 'APPROVED',
    reason: action.reason?.trim() ?? '',
    decidedAt: now,
  };
  const approvals = [...request.approvals, approval];
  const remaining = plan.steps.slice(planApprovals(request).length + 1);
  if (remaining.length > 0) {
    return {
      status: 'AWAITING_APPROVAL',
      reason: `approved by ${action.role}; next: ${describePlan(remaining)}`,
      patch: { approvals },
    };
  }
  if (plan.kind === 'STANDARD') {
    return {
      status: 'APPROVED',
      reason: `approved by ${approvals
        .filter((a) => a.kind === 'STANDARD')
        .map((a) => a.role)
        .join(' and ')}`,
      patch: { approvals },
      effects: [{ type: 'dispatch-task' }],
    };
  }
  const rules = policyForAgency(policies, request.details.issuingAgencyId).emergency;
  const validationDueAt = addHours(now, rules.validationWindowHours);
  return {
    status: 'PROVISIONALLY_APPROVED',
    reason: `provisionally approved by ${action.role}; judicial validation due by ${validationDueAt.toISOString()}`,
    patch: { approvals, emergencyValidation: { status: 'PENDING', validationDueAt } },
    effects: [{ type: 'dispatch-task' }],
  };
}

export function reject({ request, action, actor, now }: HandlerContext<'reject'>): Change {
  const plan = planOf(request);
  const approver = checkApproverOfAgency(request, actor, action.role);
  checkNotYetApprovedBy(request, approver);
  // Any approver the order still needs may reject it early: rejecting is the safe direction, so order is not enforced.
  const stillNeeded = plan.steps.slice(planApprovals(request).length);
  if (!stillNeeded.some((step) => step.includes(action.role))) {
    throw policyViolation(
      `Only an approver this order still needs (${describePlan(stillNeeded)}) may reject it, not ${action.role}.`,
    );
  }
  const reason = requireReason(action.reason, 'Rejecting an order');
  const approval: Approval = {
    approverUri: approver.uri,
    role: action.role,
    kind: plan.kind,
    decision: 'REJECTED',
    reason,
    decidedAt: now,
  };
  return {
    status: 'REJECTED',
    reason: `rejected by ${action.role}: ${reason}`,
    patch: { approvals: [...request.approvals, approval] },
  };
}
