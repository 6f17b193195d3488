// Every transition of an order, by name: from which statuses, to which, who may trigger it, and its preconditions
// beyond the status. The state machine executes exactly this table, the exhaustive spec walks it, and
// docs/workflow.md prints it, so the three cannot drift apart.
import type { RequestStatus } from '../model/workflow.vocabulary.js';
import { EXPIRABLE_STATUSES } from '../policy/deadline.policy.js';
import { approve, reject } from './approval.handlers.js';
import { markValidationOverdue, rejectValidation, validate } from './emergency-validation.handlers.js';
import * as provider from './provider.handlers.js';
import type { ActionType } from './request.actions.js';
import * as requester from './requester.handlers.js';
import { deliver, dispatch, expire, linkProductionOrder } from './system.handlers.js';
import type { Handler } from './transition.handler.js';

/**
 * Who may trigger a transition. `requester`: the investigator who created the order (it signs what it submits);
 * `agency-investigator`: any investigator of the issuing agency (the case team); `approver`: an approver of the
 * issuing agency, whose role the handler checks against the plan; `provider`: an adapter of the target provider;
 * `system`: EVX itself (dispatcher, vault, scheduler).
 */
export type Trigger = 'requester' | 'agency-investigator' | 'approver' | 'provider' | 'system';

/** A transition that records something without moving the status lists 'UNCHANGED' among its outcomes. */
export type TransitionTarget = RequestStatus | 'UNCHANGED';

export interface TransitionDefinition<T extends ActionType = ActionType> {
  readonly action: T;
  readonly from: readonly RequestStatus[];
  /** Every status it can lead to; the core refuses a handler outcome not listed here. */
  readonly to: readonly TransitionTarget[];
  readonly trigger: Trigger;
  /** Preconditions beyond status and trigger, in words (the handler enforces them). */
  readonly preconditions: readonly string[];
  readonly apply: Handler<T>;
}

const WITH_PROVIDER: readonly RequestStatus[] = ['DISPATCHED', 'ACKNOWLEDGED', 'CLARIFICATION_REQUESTED', 'PRESERVED'];
const BEFORE_DISPATCH: readonly RequestStatus[] = ['DRAFT', 'AWAITING_APPROVAL', 'APPROVED', 'PROVISIONALLY_APPROVED'];
/** Where an emergency order's validation can still be pending: everywhere after provisional approval but CLOSED. */
const AFTER_PROVISIONAL_APPROVAL: readonly RequestStatus[] = [
  'PROVISIONALLY_APPROVED',
  'DISPATCHED',
  'ACKNOWLEDGED',
  'CLARIFICATION_REQUESTED',
  'PRESERVED',
  'FULFILLED',
  'PARTIALLY_FULFILLED',
  'REFUSED',
  'DELIVERED',
  'WITHDRAWN',
  'EXPIRED',
];
const PROVIDER_WORKS = 'the requester has not withdrawn it (DesiredStatus ACTIVE)';
const PENDING = 'an emergency order whose judicial validation is PENDING';

export const REQUEST_TRANSITIONS: { readonly [T in ActionType]: TransitionDefinition<T> } = {
  submit: {
    action: 'submit',
    from: ['DRAFT'],
    to: ['AWAITING_APPROVAL'],
    trigger: 'requester',
    preconditions: [
      'the agency has a policy',
      'requested deadline, if any, not passed',
      'emergency: justification long enough, only allowed categories, within the look-back window',
    ],
    apply: requester.submit,
  },
  approve: {
    action: 'approve',
    from: ['AWAITING_APPROVAL'],
    to: ['AWAITING_APPROVAL', 'APPROVED', 'PROVISIONALLY_APPROVED'],
    trigger: 'approver',
    preconditions: ['role is the next step of the plan', 'not the requester; no earlier approval by the same person'],
    apply: approve,
  },
  reject: {
    action: 'reject',
    from: ['AWAITING_APPROVAL'],
    to: ['REJECTED'],
    trigger: 'approver',
    preconditions: ['role is a step still needed', 'not the requester nor an earlier approver', 'reason given'],
    apply: reject,
  },
  dispatch: {
    action: 'dispatch',
    from: ['APPROVED', 'PROVISIONALLY_APPROVED'],
    to: ['DISPATCHED'],
    trigger: 'system',
    preconditions: ['requested deadline, if any, not passed'],
    apply: dispatch,
  },
  acknowledge: {
    action: 'acknowledge',
    from: ['DISPATCHED'],
    to: ['ACKNOWLEDGED'],
    trigger: 'provider',
    preconditions: ['a production order', PROVIDER_WORKS],
    apply: provider.acknowledge,
  },
  'confirm-preservation': {
    action: 'confirm-preservation',
    from: ['DISPATCHED'],
    to: ['PRESERVED'],
    trigger: 'provider',
    preconditions: ['a preservation order', PROVIDER_WORKS],
    apply: provider.confirmPreservation,
  },
  'request-clarification': {
    action: 'request-clarification',
    from: ['ACKNOWLEDGED'],
    to: ['CLARIFICATION_REQUESTED'],
    trigger: 'provider',
    preconditions: ['question given; selectors named exist', PROVIDER_WORKS],
    apply: provider.requestClarification,
  },
  'answer-clarification': {
    action: 'answer-clarification',
    from: ['CLARIFICATION_REQUESTED'],
    to: ['ACKNOWLEDGED'],
    trigger: 'agency-investigator',
    preconditions: ['answers the open question', 'answer given'],
    apply: requester.answerClarification,
  },
  fulfil: {
    action: 'fulfil',
    from: ['ACKNOWLEDGED'],
    to: ['FULFILLED'],
    trigger: 'provider',
    preconditions: ['a production order', PROVIDER_WORKS],
    apply: provider.fulfil,
  },
  'fulfil-partially': {
    action: 'fulfil-partially',
    from: ['ACKNOWLEDGED'],
    to: ['PARTIALLY_FULFILLED'],
    trigger: 'provider',
    preconditions: ['a production order', 'grounds for the rest (explanation for OTHER)', PROVIDER_WORKS],
    apply: provider.fulfilPartially,
  },
  refuse: {
    action: 'refuse',
    from: ['DISPATCHED', 'ACKNOWLEDGED', 'CLARIFICATION_REQUESTED'],
    to: ['REFUSED'],
    trigger: 'provider',
    preconditions: [
      'structured ground (explanation for OTHER; DATA_NOT_HELD = disclosure not available)',
      PROVIDER_WORKS,
    ],
    apply: provider.refuse,
  },
  deliver: {
    action: 'deliver',
    from: ['FULFILLED', 'PARTIALLY_FULFILLED'],
    to: ['DELIVERED'],
    trigger: 'system',
    preconditions: ['package id given'],
    apply: deliver,
  },
  close: {
    action: 'close',
    from: ['DELIVERED', 'REFUSED', 'PRESERVED'],
    to: ['CLOSED'],
    trigger: 'agency-investigator',
    preconditions: ['no judicial validation pending', 'PRESERVED: a production order followed it up'],
    apply: requester.close,
  },
  withdraw: {
    action: 'withdraw',
    from: [...BEFORE_DISPATCH, ...WITH_PROVIDER],
    to: ['WITHDRAWN', 'UNCHANGED'],
    trigger: 'agency-investigator',
    preconditions: [
      'reason given; not already being withdrawn',
      'before dispatch: WITHDRAWN at once; with the provider: DesiredStatus WITHDRAWN until it confirms',
    ],
    apply: requester.withdraw,
  },
  'confirm-withdrawal': {
    action: 'confirm-withdrawal',
    from: WITH_PROVIDER,
    to: ['WITHDRAWN'],
    trigger: 'provider',
    preconditions: ['DesiredStatus WITHDRAWN'],
    apply: provider.confirmWithdrawal,
  },
  expire: {
    action: 'expire',
    from: EXPIRABLE_STATUSES,
    to: ['EXPIRED'],
    trigger: 'system',
    preconditions: ['now ≥ requested deadline (before dispatch), deadline (with provider) or preservation end'],
    apply: expire,
  },
  'extend-preservation': {
    action: 'extend-preservation',
    from: ['PRESERVED'],
    to: ['UNCHANGED'],
    trigger: 'agency-investigator',
    preconditions: ['preservation not ended', 'fewer extensions than the policy allows (default 1)', 'reason given'],
    apply: requester.extendPreservation,
  },
  'link-production-order': {
    action: 'link-production-order',
    from: ['PRESERVED'],
    to: ['UNCHANGED'],
    trigger: 'system',
    preconditions: ['not yet followed up by another order'],
    apply: linkProductionOrder,
  },
  validate: {
    action: 'validate',
    from: AFTER_PROVISIONAL_APPROVAL,
    to: ['UNCHANGED'],
    trigger: 'approver',
    preconditions: [
      PENDING,
      'before the due time',
      'a validator role (default JUDGE), not a duty approver',
      'reason given',
    ],
    apply: validate,
  },
  'reject-validation': {
    action: 'reject-validation',
    from: AFTER_PROVISIONAL_APPROVAL,
    to: ['VALIDATION_REJECTED'],
    trigger: 'approver',
    preconditions: [
      PENDING,
      'before the due time',
      'a validator role (default JUDGE), not a duty approver',
      'reason given',
    ],
    apply: rejectValidation,
  },
  'mark-validation-overdue': {
    action: 'mark-validation-overdue',
    from: AFTER_PROVISIONAL_APPROVAL,
    to: ['VALIDATION_OVERDUE'],
    trigger: 'system',
    preconditions: [PENDING, 'now ≥ validationDueAt'],
    apply: markValidationOverdue,
  },
};

export const ACTION_TYPES = Object.keys(REQUEST_TRANSITIONS) as ActionType[];

/** The actions whose from-statuses include `status` (triggers and other preconditions aside). */
export function actionsFrom(status: RequestStatus): ActionType[] {
  return ACTION_TYPES.filter((type) => REQUEST_TRANSITIONS[type].from.includes(status));
}
