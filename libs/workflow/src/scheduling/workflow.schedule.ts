// What the scheduler asks the workflow: which orders are due for a system transition now. Pure functions over
// orders the caller loaded; the caller applies the transitions (see docs/workflow.md, "Driving the clock").
import type { Authorisation } from '../model/authorisation.model.js';
import { EXPIRABLE_STATUSES, lapseOf } from '../policy/deadline.policy.js';

/**
 * Emergency orders whose judicial validation is still pending at or after its due time: apply
 * `mark-validation-overdue` to each. Orders are returned in due-time order, oldest first.
 */
export function overdueEmergencies(requests: readonly Authorisation[], now: Date): Authorisation[] {
  return requests
    .filter((request) => {
      const validation = request.emergencyValidation;
      return validation?.status === 'PENDING' && validation.validationDueAt.getTime() <= now.getTime();
    })
    .sort((a, b) => dueTime(a) - dueTime(b));
}

function dueTime(request: Authorisation): number {
  return request.emergencyValidation?.validationDueAt.getTime() ?? 0;
}

/** Orders whose deadline or preservation period has passed in their current status: apply `expire` to each. */
export function lapsedOrders(requests: readonly Authorisation[], now: Date): Authorisation[] {
  return requests.filter((request) => {
    const lapse = EXPIRABLE_STATUSES.includes(request.status) ? lapseOf(request) : undefined;
    return lapse !== undefined && lapse.getTime() <= now.getTime();
  });
}

/**
 * An emergency order not yet judicially reviewed: awaiting its duty approval, or provisionally approved with the
 * validation pending. These are what the "at most N open emergency orders" rule counts, since an emergency path
 * flooded with unreviewed orders is the mark of a compromised account.
 */
export function isOpenEmergency(request: Authorisation): boolean {
  if (request.details.urgency !== 'EMERGENCY') return false;
  return request.status === 'AWAITING_APPROVAL' || request.emergencyValidation?.status === 'PENDING';
}

/** The agency's open emergency orders other than `excludingId`: what `submit` needs as openEmergencyOrders. */
export function countOpenEmergencies(
  requests: readonly Authorisation[],
  agencyId: string,
  excludingId?: string,
): number {
  return requests.filter(
    (request) =>
      request.details.issuingAgencyId === agencyId &&
      request.authorisationId !== excludingId &&
      isOpenEmergency(request),
  ).length;
}
