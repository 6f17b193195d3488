// Typed factories for the workflow's specs: actors, policies, orders in any status. One place, so a model change is
// fixed here once.
import { readFileSync } from 'node:fs';
import { EvxError } from '#evx/errors';
import type { AdapterActor, ApproverActor, InvestigatorActor, ServiceActor } from '../model/actor.model.js';
import type { Authorisation, AuthorisationDetails } from '../model/authorisation.model.js';
import type { ApproverRole, RequestStatus, RequestType } from '../model/workflow.vocabulary.js';
import { loadPolicies } from '../policy/policy.config.js';
import type { WorkflowPolicies } from '../policy/policy.model.js';
import type { DraftInput } from '../state-machine/request.state-machine.js';

export const T0 = new Date('2030-01-01T00:00:00.000Z');
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function at(offsetMillis: number, from: Date = T0): Date {
  return new Date(from.getTime() + offsetMillis);
}

export const AGENCY = 'police-hn';
export const OTHER_AGENCY = 'police-dn';
export const PROVIDER = 'telco-a';

export function anInvestigator(id = 'inv-1', agency = AGENCY): InvestigatorActor {
  return { kind: 'investigator', uri: `evx://authority/${agency}/investigator/${id}`, agency, id };
}

export function anApprover(role: ApproverRole, id?: string, agency = AGENCY): ApproverActor {
  const person = id ?? `${role.toLowerCase().replace('_', '-')}-1`;
  return { kind: 'approver', uri: `evx://authority/${agency}/approver/${person}`, agency, id: person, role };
}

export function anAdapter(provider = PROVIDER): AdapterActor {
  return { kind: 'adapter', uri: `evx://provider/${provider}/adapter/main`, provider };
}

export function theSystem(): ServiceActor {
  return { kind: 'service', uri: 'evx://service/authority-api' };
}

export function defaultPolicyJson(): Record<string, unknown> {
  const file = new URL('../../policies/default.policy.json', import.meta.url);
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

export function defaultPolicies(): WorkflowPolicies {
  return loadPolicies(defaultPolicyJson());
}

const SHA = 'a'.repeat(64);

export function aDraftInput(overrides: Partial<DraftInput> = {}): DraftInput {
  return {
    caseReference: 'HN-2030-0001',
    legalBasis: { law: 'Code of Criminal Procedure', article: '126na(1)', orderDocumentSha256: SHA },
    typeOfCase: 'CYBERCRIME',
    urgency: 'STANDARD',
    targetProviderId: PROVIDER,
    requestDetails: {
      requestTypes: ['SUBSCRIBER_DATA'],
      selectors: [{ selectorId: 's1', kind: 'msisdn', value: '+31612345678' }],
    },
    confidential: true,
    preservationOnly: false,
    ...overrides,
  };
}

export const JUSTIFICATION = 'Kidnapped child; the kidnapper phoned from this number an hour ago.';

export function anEmergencyDraftInput(
  requestTypes: readonly RequestType[] = ['LOCATION_DATA'],
  overrides: Partial<DraftInput> = {},
): DraftInput {
  return aDraftInput({
    urgency: 'EMERGENCY',
    emergency: { threat: 'LIFE', justification: JUSTIFICATION },
    requestDetails: {
      requestTypes,
      selectors: [{ selectorId: 's1', kind: 'msisdn', value: '+31612345678' }],
      timeRange: { start: at(-2 * DAY), end: T0 },
    },
    ...overrides,
  });
}

export function detailsOf(input: DraftInput, requester: InvestigatorActor = anInvestigator()): AuthorisationDetails {
  return { ...input, issuingAgencyId: requester.agency, requesterUri: requester.uri };
}

/** An order put straight into any status, consistent enough for the transition from there. */
export function anAuthorisation(
  status: RequestStatus,
  overrides: Partial<Authorisation> = {},
  input: DraftInput = aDraftInput(),
): Authorisation {
  return {
    authorisationId: '0e4b5f1c-6a7d-4e8f-9a0b-1c2d3e4f5a6b',
    generation: 5,
    details: detailsOf(input),
    status,
    desiredStatus: status === 'DRAFT' ? 'DRAFT' : 'ACTIVE',
    statusReason: 'fixture',
    approvalPlan:
      status === 'DRAFT'
        ? undefined
        : input.urgency === 'EMERGENCY'
          ? { kind: 'EMERGENCY', steps: [['DUTY_OFFICER']] }
          : { kind: 'STANDARD', steps: [['SUPERVISOR'], ['PROSECUTOR', 'JUDGE']] },
    approvals: [],
    clarifications: [],
    evidenceSealed: false,
    createdAt: T0,
    lastChanged: T0,
    ...overrides,
  };
}

/** The EvxError `fn` throws; fails the test when it throws nothing or something else. */
export function errorOf(fn: () => unknown): EvxError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EvxError) return error;
    throw error;
  }
  throw new Error('expected an EvxError, but nothing was thrown');
}

/** Freezes an object graph, so that a handler mutating its input fails loudly in a spec. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !(value instanceof Date) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
