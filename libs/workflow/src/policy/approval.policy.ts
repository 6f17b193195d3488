// Which approvals an order needs. The plan is computed once, at submission, and stored on the order.
import type { Approval, ApprovalPlan, ApprovalStep, Authorisation } from '../model/authorisation.model.js';
import { APPROVER_ROLES, type RequestType } from '../model/workflow.vocabulary.js';
import type { AgencyPolicy } from './policy.model.js';

function ordered(roles: Iterable<string>): ApprovalStep {
  const set = new Set(roles);
  return APPROVER_ROLES.filter((role) => set.has(role));
}

function stepKey(step: ApprovalStep): string {
  return ordered(step).join('|');
}

/**
 * The standard chain for a multi-category order: the union of each category's chain, merged step by step. At each
 * position, the roles acceptable to every category that has a step there form the merged step (so supervisor then
 * "prosecutor or judge" merged with supervisor then judge needs supervisor then judge). When no role is acceptable
 * to all, each distinct step is required in turn, so every category's own chain is still met.
 */
export function standardApprovalChain(policy: AgencyPolicy, requestTypes: readonly RequestType[]): ApprovalStep[] {
  const chains = requestTypes.map((type) => policy.standard[type]);
  const depth = Math.max(0, ...chains.map((chain) => chain.length));
  const merged: ApprovalStep[] = [];
  for (let position = 0; position < depth; position += 1) {
    const steps = chains.filter((chain) => chain.length > position).map((chain) => chain[position]);
    const common = steps.reduce<ApprovalStep>((acc, step) => acc.filter((role) => step.includes(role)), steps[0]);
    if (common.length > 0) {
      merged.push(ordered(common));
      continue;
    }
    const distinct = new Map(steps.map((step) => [stepKey(step), ordered(step)]));
    merged.push(...distinct.values());
  }
  return merged;
}

/** Whether a new emergency order of this agency needs a second duty approval, given its open emergencies. */
export function needsSecondEmergencyApproval(policy: AgencyPolicy, openEmergencyOrders: number): boolean {
  return openEmergencyOrders >= policy.emergency.maxOpenBeforeSecondApproval;
}

/** The plan an order gets when submitted. `openEmergencyOrders` counts the agency's others (isOpenEmergency). */
export function approvalPlanFor(
  policy: AgencyPolicy,
  request: Pick<Authorisation, 'details'>,
  openEmergencyOrders: number,
): ApprovalPlan {
  const { urgency, requestDetails } = request.details;
  if (urgency === 'STANDARD') {
    return { kind: 'STANDARD', steps: standardApprovalChain(policy, requestDetails.requestTypes) };
  }
  const duty = ordered(policy.emergency.approverRoles);
  return {
    kind: 'EMERGENCY',
    steps: needsSecondEmergencyApproval(policy, openEmergencyOrders) ? [duty, duty] : [duty],
  };
}

/** The approvals given so far towards the plan (rejections and the judicial validation are not steps). */
export function planApprovals(request: Pick<Authorisation, 'approvals' | 'approvalPlan'>): Approval[] {
  const kind = request.approvalPlan?.kind;
  return request.approvals.filter((approval) => approval.kind === kind && approval.decision === 'APPROVED');
}

/** The step the next approval must satisfy, or undefined when the plan is complete (or absent). */
export function nextApprovalStep(request: Pick<Authorisation, 'approvals' | 'approvalPlan'>): ApprovalStep | undefined {
  return request.approvalPlan?.steps[planApprovals(request).length];
}

export function describeStep(step: ApprovalStep): string {
  return step.length === 1 ? step[0] : `${step.slice(0, -1).join(', ')} or ${step[step.length - 1]}`;
}

export function describePlan(steps: readonly ApprovalStep[]): string {
  return steps.map(describeStep).join(', then ');
}
