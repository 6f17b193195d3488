// Transitions EVX itself triggers: the dispatcher, the vault's delivery, the scheduler.
import { EvxError } from '#evx/errors';
import { addDays } from '../clock/clock.js';
import { lapseOf, providerDeadline } from '../policy/deadline.policy.js';
import { policyForAgency } from '../policy/policy.model.js';
import type { WorkflowEffect } from './transition.result.js';
import { type Change, type HandlerContext, preconditionFailed, unchanged } from './transition.handler.js';

function requireId(value: string, what: string): string {
  if (value.trim().length === 0) throw new EvxError('invalid-argument', `${what} is required.`);
  return value;
}

export function dispatch({ request, action, now, policies }: HandlerContext<'dispatch'>): Change {
  const taskId = requireId(action.taskId, 'The task id');
  const policy = policyForAgency(policies, request.details.issuingAgencyId);
  const requested = request.details.requestedDeadline;
  if (requested !== undefined && requested.getTime() <= now.getTime()) {
    throw preconditionFailed(
      `The requested deadline ${requested.toISOString()} passed before dispatch; the order expires instead.`,
      'DEADLINE_PASSED',
    );
  }
  const deadline = providerDeadline(policy, request.details, now);
  const preservation = request.details.preservationOnly
    ? { expiresAt: addDays(now, policy.preservation.periodDays), extensions: 0 }
    : undefined;
  return {
    status: 'DISPATCHED',
    reason: `dispatched to ${request.details.targetProviderId}; deadline ${deadline.toISOString()}`,
    patch: { taskId, deadline, dispatchedAt: now, ...(preservation === undefined ? {} : { preservation }) },
  };
}

export function deliver({ action }: HandlerContext<'deliver'>): Change {
  const packageId = requireId(action.packageId, 'The package id');
  return { status: 'DELIVERED', reason: `evidence package ${packageId} is ready`, patch: { packageId } };
}

export function expire({ request, now }: HandlerContext<'expire'>): Change {
  const lapse = lapseOf(request);
  if (lapse === undefined || now.getTime() < lapse.getTime()) {
    throw preconditionFailed(
      lapse === undefined
        ? `Order ${request.authorisationId} has no deadline in status ${request.status}, so it cannot expire.`
        : `Order ${request.authorisationId} does not lapse until ${lapse.toISOString()}.`,
    );
  }
  const what = request.status === 'PRESERVED' ? 'the preservation period' : 'the deadline';
  const reason = `${what} passed at ${lapse.toISOString()}`;
  const effects: WorkflowEffect[] = request.taskId === undefined ? [] : [{ type: 'expire-task', reason }];
  return { status: 'EXPIRED', reason: `expired: ${reason}`, effects };
}

export function linkProductionOrder({ request, action }: HandlerContext<'link-production-order'>): Change {
  const productionId = requireId(action.productionAuthorisationId, 'The production order id');
  const terms = request.preservation;
  if (terms === undefined) throw preconditionFailed('Only a preservation order is followed up by a production order.');
  if (terms.followedUpByAuthorisationId !== undefined && terms.followedUpByAuthorisationId !== productionId) {
    throw preconditionFailed(
      `This preservation is already followed up by ${terms.followedUpByAuthorisationId}; it cannot be linked twice.`,
    );
  }
  return {
    status: unchanged(request),
    reason: `followed up by production order ${productionId}`,
    patch: { preservation: { ...terms, followedUpByAuthorisationId: productionId } },
  };
}
