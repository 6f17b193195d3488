// Structural checks of an order as written, before it becomes a draft. Policy checks (which categories, how far
// back, how long a justification) come later, at submission, because they depend on the agency's policy.
import { isIP } from 'node:net';
import { EvxError } from '#evx/errors';
import type { AuthorisationDetails } from './authorisation.model.js';
import type { Selector } from './request-details.model.js';
import { TIMELESS_REQUEST_TYPES } from './workflow.vocabulary.js';

const SEGMENT = /^[a-z0-9][a-z0-9-]{0,62}$/;
const SELECTOR_ID = /^[A-Za-z0-9_-]{1,32}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAX_SELECTORS = 100;

function lengthProblem(field: string, value: string, min: number, max: number): string | undefined {
  const length = [...value.trim()].length;
  return length < min || [...value].length > max ? `${field} must be ${min} to ${max} characters` : undefined;
}

/** Why a selector's value is malformed, or undefined when it is well formed. */
export function selectorProblem(selector: Selector): string | undefined {
  const where = `selector ${JSON.stringify(selector.selectorId)}`;
  switch (selector.kind) {
    case 'msisdn':
      return /^\+[1-9][0-9]{6,14}$/.test(selector.value)
        ? undefined
        : `${where}: MSISDN must be E.164 with a leading +`;
    case 'imsi':
      return /^[0-9]{14,15}$/.test(selector.value) ? undefined : `${where}: IMSI must be 14 or 15 digits`;
    case 'imei':
      return /^[0-9]{14,16}$/.test(selector.value) ? undefined : `${where}: IMEI must be 14, 15 or 16 digits`;
    case 'iban':
      return /^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(selector.value)
        ? undefined
        : `${where}: account number must be an upper-case IBAN without spaces`;
    case 'nationalId':
      return /^[A-Z]{2}$/.test(selector.value.countryCode) && /^\S{1,64}$/.test(selector.value.value)
        ? undefined
        : `${where}: national ID needs an ISO 3166-1 alpha-2 country code and a number of 1 to 64 characters`;
    case 'ipObservation': {
      const { ipAddress, port, observedTime } = selector.value;
      if (isIP(ipAddress) === 0) return `${where}: ${JSON.stringify(ipAddress)} is not an IPv4 or IPv6 address`;
      if (!Number.isInteger(port) || port < 0 || port > 65535) return `${where}: port must be 0 (unknown) to 65535`;
      return Number.isNaN(observedTime.getTime()) ? `${where}: observed time is required` : undefined;
    }
  }
}

function requestDetailsProblems(details: AuthorisationDetails): string[] {
  const { requestTypes, selectors, timeRange } = details.requestDetails;
  const problems: string[] = [];
  if (requestTypes.length === 0) problems.push('requestDetails.requestTypes must name at least one category');
  if (new Set(requestTypes).size !== requestTypes.length) problems.push('requestDetails.requestTypes has repeats');
  if (selectors.length < 1 || selectors.length > MAX_SELECTORS) {
    problems.push(`requestDetails.selectors must hold 1 to ${MAX_SELECTORS} selectors`);
  }
  const ids = selectors.map((s) => s.selectorId);
  if (new Set(ids).size !== ids.length) problems.push('requestDetails.selectors: selector ids must be unique');
  for (const selector of selectors) {
    if (!SELECTOR_ID.test(selector.selectorId)) {
      problems.push(`selector id ${JSON.stringify(selector.selectorId)} must be 1 to 32 characters of [A-Za-z0-9_-]`);
    }
    const problem = selectorProblem(selector);
    if (problem !== undefined) problems.push(problem);
  }
  if (timeRange === undefined) {
    if (requestTypes.some((type) => !TIMELESS_REQUEST_TYPES.includes(type))) {
      problems.push(
        `requestDetails.timeRange is required unless every category is ${TIMELESS_REQUEST_TYPES.join('/')}`,
      );
    }
  } else if (!(timeRange.start.getTime() < timeRange.end.getTime())) {
    problems.push('requestDetails.timeRange: start must be before end');
  }
  return problems;
}

/** @throws EvxError invalid-argument listing every problem (code UNKNOWN_SELECTOR when only selectors are wrong). */
export function checkAuthorisationDetails(details: AuthorisationDetails, now: Date): void {
  const problems = [
    lengthProblem('caseReference', details.caseReference, 1, 128),
    lengthProblem('legalBasis.law', details.legalBasis.law, 1, 256),
    lengthProblem('legalBasis.article', details.legalBasis.article, 1, 64),
    SHA256_HEX.test(details.legalBasis.orderDocumentSha256)
      ? undefined
      : 'legalBasis.orderDocumentSha256 must be the SHA-256 of the order document (64 lowercase hex digits)',
    SEGMENT.test(details.targetProviderId) ? undefined : 'targetProviderId must be a provider id such as "telco-a"',
    details.urgency === 'EMERGENCY' && details.emergency === undefined
      ? 'an emergency order needs emergency details: the threat and a written justification'
      : undefined,
    details.urgency === 'STANDARD' && details.emergency !== undefined
      ? 'emergency details belong only to an emergency order; set urgency EMERGENCY or drop them'
      : undefined,
    details.preservationOnly && details.preservationAuthorisationId !== undefined
      ? 'a preservation order cannot follow another preservation order (preservationAuthorisationId)'
      : undefined,
    details.requestedDeadline !== undefined && details.requestedDeadline.getTime() <= now.getTime()
      ? 'requestedDeadline is in the past'
      : undefined,
  ].filter((problem): problem is string => problem !== undefined);
  const detailProblems = requestDetailsProblems(details);
  const all = [...problems, ...detailProblems];
  if (all.length === 0) return;
  const onlySelectors = problems.length === 0 && detailProblems.every((p) => p.startsWith('selector'));
  throw new EvxError(
    'invalid-argument',
    `The order is not valid: ${all.join('; ')}.`,
    onlySelectors ? 'UNKNOWN_SELECTOR' : 'INVALID_ARGUMENT',
  );
}
