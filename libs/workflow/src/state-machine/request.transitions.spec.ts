// The whole (status × action) table, generated from REQUEST_TRANSITIONS: every allowed pair succeeds, every other
// pair is refused for the status, so the table and the code cannot drift apart.
import { REQUEST_STATUSES, type RequestStatus } from '../model/workflow.vocabulary.js';
import { attemptOf } from '../testing/transition.attempts.js';
import { deepFreeze, defaultPolicies, errorOf } from '../testing/workflow.fixtures.js';
import type { ActionType } from './request.actions.js';
import { RequestStateMachine } from './request.state-machine.js';
import { ACTION_TYPES, actionsFrom, REQUEST_TRANSITIONS } from './request.transitions.js';

const pairs = REQUEST_STATUSES.flatMap((status) => ACTION_TYPES.map((action) => [status, action] as const));
const isAllowed = ([status, action]: readonly [RequestStatus, ActionType]) =>
  REQUEST_TRANSITIONS[action].from.includes(status);
const allowed = pairs.filter(isAllowed);
const forbidden = pairs.filter((pair) => !isAllowed(pair));

describe('RequestStateMachine: the full transition table', () => {
  const sut = new RequestStateMachine(defaultPolicies());

  it('covers every pair of status and action', () => {
    expect(allowed.length + forbidden.length).toBe(REQUEST_STATUSES.length * ACTION_TYPES.length);
    expect(allowed.length).toBeGreaterThan(40);
  });

  it.each(allowed)('from %s, %s is allowed and lands on a listed target', (status, type) => {
    const { request, action, actor, now } = attemptOf(type, status);
    deepFreeze(request);

    const { authorisation, audit } = sut.transition(request, action, actor, now);

    const targets = REQUEST_TRANSITIONS[type].to;
    const landed = authorisation.status;
    expect(targets.includes(landed) || (landed === status && targets.includes('UNCHANGED'))).toBe(true);
    expect(authorisation.generation).toBe(request.generation + 1);
    expect(authorisation.lastChanged).toEqual(now);
    expect(audit).toMatchObject({ action: type, actorUri: actor.uri, fromStatus: status, toStatus: landed });
    expect(audit.generation).toBe(authorisation.generation);
    expect(audit.reason.length).toBeGreaterThan(0);
  });

  it.each(forbidden)('from %s, %s is refused naming the status and the action', (status, type) => {
    const { request, action, actor, now } = attemptOf(type, status);

    const error = errorOf(() => sut.transition(request, action, actor, now));

    expect(error.kind).toBe('failed-precondition');
    expect(error.code).toBe('INVALID_STATE');
    expect(error.message).toContain(`Cannot ${type}`);
    expect(error.message).toContain(`it is ${status}`);
  });

  it('ends nowhere from REJECTED, CLOSED, VALIDATION_REJECTED and VALIDATION_OVERDUE', () => {
    const finals = REQUEST_STATUSES.filter((status) => actionsFrom(status).length === 0);
    expect(finals).toEqual(['REJECTED', 'CLOSED', 'VALIDATION_REJECTED', 'VALIDATION_OVERDUE']);
  });

  it('leaves WITHDRAWN and EXPIRED only for the verdict of a pending judicial validation', () => {
    for (const status of ['WITHDRAWN', 'EXPIRED'] as const) {
      expect(actionsFrom(status)).toEqual(['validate', 'reject-validation', 'mark-validation-overdue']);
    }
  });

  it('reaches every status but DRAFT through some transition', () => {
    const targets = new Set(ACTION_TYPES.flatMap((type) => REQUEST_TRANSITIONS[type].to));
    expect(REQUEST_STATUSES.filter((status) => !targets.has(status))).toEqual(['DRAFT']);
  });
});
