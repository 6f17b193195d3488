// Deadlines: the provider's, fixed at dispatch, and the instant at which an order lapses in its current status.
import { addDays, addHours, earliest } from '../clock/clock.js';
import type { Authorisation, AuthorisationDetails } from '../model/authorisation.model.js';
import type { RequestStatus } from '../model/workflow.vocabulary.js';
import type { AgencyPolicy } from './policy.model.js';

/** The provider's deadline from dispatch: the policy's (10 days, 8 hours in an emergency), or earlier if asked. */
export function providerDeadline(policy: AgencyPolicy, details: AuthorisationDetails, dispatchedAt: Date): Date {
  const byPolicy =
    details.urgency === 'EMERGENCY'
      ? addHours(dispatchedAt, policy.emergency.providerDeadlineHours)
      : addDays(dispatchedAt, policy.standardDeadlineDays);
  return earliest(byPolicy, details.requestedDeadline);
}

/** Statuses in which an order can run out of time, and the clock it runs against there. */
const BEFORE_DISPATCH: readonly RequestStatus[] = ['AWAITING_APPROVAL', 'APPROVED', 'PROVISIONALLY_APPROVED'];
const WITH_PROVIDER: readonly RequestStatus[] = ['DISPATCHED', 'ACKNOWLEDGED', 'CLARIFICATION_REQUESTED'];

/**
 * When the order expires if nothing happens: before dispatch at the requested deadline (if any), with the provider
 * at the deadline in force, while preserved at the end of the preservation. Undefined when it cannot expire.
 */
export function lapseOf(request: Authorisation): Date | undefined {
  if (BEFORE_DISPATCH.includes(request.status)) return request.details.requestedDeadline;
  if (WITH_PROVIDER.includes(request.status)) return request.deadline;
  if (request.status === 'PRESERVED') return request.preservation?.expiresAt;
  return undefined;
}

export const EXPIRABLE_STATUSES: readonly RequestStatus[] = [...BEFORE_DISPATCH, ...WITH_PROVIDER, 'PRESERVED'];
