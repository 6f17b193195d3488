// The emergency path's scope rules, checked when an emergency order is submitted: a forged or over-broad
// "emergency" is the known attack on this path, so the rules are the policy's, never the requester's.
import { EvxError } from '#evx/errors';
import { addDays } from '../clock/clock.js';
import type { AuthorisationDetails } from '../model/authorisation.model.js';
import type { AgencyPolicy } from './policy.model.js';

/** Every way the order breaks the agency's emergency rules, in words a requester can act on. */
export function emergencyScopeProblems(policy: AgencyPolicy, details: AuthorisationDetails, now: Date): string[] {
  const rules = policy.emergency;
  const problems: string[] = [];
  const justification = details.emergency?.justification.trim() ?? '';
  if (justification.length === 0) {
    problems.push('a written justification is mandatory on the emergency path');
  } else if ([...justification].length < rules.minJustificationLength) {
    problems.push(
      `the justification has ${[...justification].length} characters; write at least ` +
        `${rules.minJustificationLength}: what is threatened, why it is imminent, why this data helps`,
    );
  }
  const disallowed = details.requestDetails.requestTypes.filter((type) => !rules.allowedRequestTypes.includes(type));
  if (disallowed.length > 0) {
    const allowed = rules.allowedRequestTypes.length === 0 ? 'none' : rules.allowedRequestTypes.join(', ');
    problems.push(
      `${disallowed.join(', ')} may not be requested on the emergency path (allowed: ${allowed}); ` +
        'use the standard path for them',
    );
  }
  const earliestAllowed = addDays(now, -rules.maxLookBackDays);
  const { timeRange, selectors } = details.requestDetails;
  if (timeRange !== undefined && timeRange.start.getTime() < earliestAllowed.getTime()) {
    problems.push(
      `the time range starts ${timeRange.start.toISOString()}, more than ${rules.maxLookBackDays} days back; ` +
        `on the emergency path it may start at ${earliestAllowed.toISOString()} at the earliest`,
    );
  }
  for (const selector of selectors) {
    if (selector.kind === 'ipObservation' && selector.value.observedTime.getTime() < earliestAllowed.getTime()) {
      problems.push(
        `selector ${JSON.stringify(selector.selectorId)} was observed more than ${rules.maxLookBackDays} days back`,
      );
    }
  }
  return problems;
}

/** @throws EvxError failed-precondition POLICY_VIOLATION naming every broken rule */
export function checkEmergencyScope(policy: AgencyPolicy, details: AuthorisationDetails, now: Date): void {
  const problems = emergencyScopeProblems(policy, details, now);
  if (problems.length > 0) {
    throw new EvxError(
      'failed-precondition',
      `This emergency order breaks the emergency rules of agency ${policy.agencyId}: ${problems.join('; ')}.`,
      'POLICY_VIOLATION',
    );
  }
}
