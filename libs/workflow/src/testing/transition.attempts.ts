// For every transition, an attempt from any status: the right actor, a well-formed action and an order that meets
// the transition's other preconditions. From an allowed status it must succeed, from any other it must be refused
// for the status alone (request.transitions.spec.ts walks every pair).
import type { Actor } from '../model/actor.model.js';
import type { Authorisation } from '../model/authorisation.model.js';
import type { RequestStatus } from '../model/workflow.vocabulary.js';
import type { ActionType, WorkflowAction } from '../state-machine/request.actions.js';
import {
  aDraftInput,
  anAdapter,
  anApprover,
  anAuthorisation,
  anEmergencyDraftInput,
  anInvestigator,
  at,
  DAY,
  HOUR,
  T0,
  theSystem,
} from './workflow.fixtures.js';

export interface Attempt {
  readonly request: Authorisation;
  readonly action: WorkflowAction;
  readonly actor: Actor;
  readonly now: Date;
}

const seen = 5;
const preservationInput = aDraftInput({ preservationOnly: true });

function preserved(status: RequestStatus, expiresAt: Date, extra: Partial<Authorisation> = {}): Authorisation {
  return anAuthorisation(
    status,
    { deadline: at(DAY), preservation: { expiresAt, extensions: 0 }, taskId: 'task-1', ...extra },
    preservationInput,
  );
}

function pendingEmergency(status: RequestStatus, dueAt: Date): Authorisation {
  const duty = anApprover('DUTY_OFFICER');
  return anAuthorisation(
    status,
    {
      approvals: [
        {
          approverUri: duty.uri,
          role: 'DUTY_OFFICER',
          kind: 'EMERGENCY',
          decision: 'APPROVED',
          reason: '',
          decidedAt: at(-HOUR),
        },
      ],
      emergencyValidation: { status: 'PENDING', validationDueAt: dueAt },
      taskId: 'task-1',
    },
    anEmergencyDraftInput(),
  );
}

const judge = anApprover('JUDGE');
const system = theSystem();
const adapter = anAdapter();
const requester = anInvestigator();
const colleague = anInvestigator('inv-2');

const ATTEMPTS: { readonly [T in ActionType]: (status: RequestStatus) => Attempt } = {
  submit: (status) => ({
    request: anAuthorisation(status, { approvalPlan: undefined }),
    action: { type: 'submit', expectedGeneration: seen, openEmergencyOrders: 0 },
    actor: requester,
    now: T0,
  }),
  approve: (status) => ({
    request: anAuthorisation(status),
    action: { type: 'approve', expectedGeneration: seen, role: 'SUPERVISOR' },
    actor: anApprover('SUPERVISOR'),
    now: T0,
  }),
  reject: (status) => ({
    request: anAuthorisation(status),
    action: { type: 'reject', expectedGeneration: seen, role: 'SUPERVISOR', reason: 'No legal basis for this.' },
    actor: anApprover('SUPERVISOR'),
    now: T0,
  }),
  dispatch: (status) => ({
    request: anAuthorisation(status),
    action: { type: 'dispatch', taskId: 'task-1' },
    actor: system,
    now: T0,
  }),
  acknowledge: (status) => ({
    request: anAuthorisation(status),
    action: { type: 'acknowledge' },
    actor: adapter,
    now: T0,
  }),
  'confirm-preservation': (status) => ({
    request: preserved(status, at(60 * DAY)),
    action: { type: 'confirm-preservation' },
    actor: adapter,
    now: T0,
  }),
  'request-clarification': (status) => ({
    request: anAuthorisation(status),
    action: {
      type: 'request-clarification',
      clarificationId: 'c1',
      question: 'Which SIM do you mean?',
      selectorIds: ['s1'],
    },
    actor: adapter,
    now: T0,
  }),
  'answer-clarification': (status) => ({
    request: anAuthorisation(status, {
      clarifications: [
        { clarificationId: 'c1', question: 'Which SIM?', selectorIds: [], askedByUri: adapter.uri, askedAt: at(-HOUR) },
      ],
    }),
    action: {
      type: 'answer-clarification',
      expectedGeneration: seen,
      clarificationId: 'c1',
      answer: 'The prepaid one.',
    },
    actor: colleague,
    now: T0,
  }),
  fulfil: (status) => ({ request: anAuthorisation(status), action: { type: 'fulfil' }, actor: adapter, now: T0 }),
  'fulfil-partially': (status) => ({
    request: anAuthorisation(status),
    action: { type: 'fulfil-partially', unfulfilled: { ground: 'DATA_NOT_HELD', selectorIds: ['s1'] } },
    actor: adapter,
    now: T0,
  }),
  refuse: (status) => ({
    request: anAuthorisation(status),
    action: { type: 'refuse', refusal: { ground: 'NOT_OUR_CUSTOMER' } },
    actor: adapter,
    now: T0,
  }),
  deliver: (status) => ({
    request: anAuthorisation(status),
    action: { type: 'deliver', packageId: 'pkg-1' },
    actor: system,
    now: T0,
  }),
  close: (status) => ({
    request:
      status === 'PRESERVED'
        ? preserved(status, at(30 * DAY), {
            preservation: { expiresAt: at(30 * DAY), extensions: 0, followedUpByAuthorisationId: 'prod-1' },
          })
        : anAuthorisation(status),
    action: { type: 'close', expectedGeneration: seen },
    actor: requester,
    now: T0,
  }),
  withdraw: (status) => ({
    request: anAuthorisation(status),
    action: { type: 'withdraw', expectedGeneration: seen, reason: 'Suspect identified otherwise.' },
    actor: requester,
    now: T0,
  }),
  'confirm-withdrawal': (status) => ({
    request: anAuthorisation(status, { desiredStatus: 'WITHDRAWN' }),
    action: { type: 'confirm-withdrawal' },
    actor: adapter,
    now: T0,
  }),
  expire: (status) => ({
    request:
      status === 'PRESERVED'
        ? preserved(status, at(-HOUR))
        : anAuthorisation(status, { deadline: at(-HOUR) }, aDraftInput({ requestedDeadline: at(-HOUR) })),
    action: { type: 'expire' },
    actor: system,
    now: T0,
  }),
  'extend-preservation': (status) => ({
    request: preserved(status, at(10 * DAY)),
    action: { type: 'extend-preservation', expectedGeneration: seen, reason: 'Production order being drafted.' },
    actor: requester,
    now: T0,
  }),
  'link-production-order': (status) => ({
    request: preserved(status, at(10 * DAY)),
    action: { type: 'link-production-order', productionAuthorisationId: 'prod-1' },
    actor: system,
    now: T0,
  }),
  validate: (status) => ({
    request: pendingEmergency(status, at(24 * HOUR)),
    action: { type: 'validate', expectedGeneration: seen, role: 'JUDGE', reason: 'Threat to life was real.' },
    actor: judge,
    now: T0,
  }),
  'reject-validation': (status) => ({
    request: pendingEmergency(status, at(24 * HOUR)),
    action: { type: 'reject-validation', expectedGeneration: seen, role: 'JUDGE', reason: 'No imminent threat shown.' },
    actor: judge,
    now: T0,
  }),
  'mark-validation-overdue': (status) => ({
    request: pendingEmergency(status, at(-HOUR)),
    action: { type: 'mark-validation-overdue' },
    actor: system,
    now: T0,
  }),
};

export function attemptOf(type: ActionType, status: RequestStatus): Attempt {
  return ATTEMPTS[type](status);
}
