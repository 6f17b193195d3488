import { ManualClock } from '../clock/manual.clock.js';
import type { DraftInput } from '../state-machine/request.state-machine.js';
import { RequestStateMachine } from '../state-machine/request.state-machine.js';
import { WorkflowFlow } from '../testing/workflow.flow.js';
import {
  anApprover,
  anEmergencyDraftInput,
  anInvestigator,
  at,
  DAY,
  defaultPolicies,
  errorOf,
  HOUR,
  T0,
  theSystem,
} from '../testing/workflow.fixtures.js';

const requester = anInvestigator();
const duty = anApprover('DUTY_OFFICER', 'duty-1');

function draft(input: DraftInput) {
  return WorkflowFlow.start(new RequestStateMachine(defaultPolicies()), new ManualClock(T0), input, requester);
}

function submitError(input: DraftInput) {
  const flow = draft(input);
  return errorOf(() => flow.act(requester, { type: 'submit', openEmergencyOrders: 0 }));
}

describe('emergency path rules (default policy)', () => {
  it.each([
    ['a blank justification', '   ', 'a written justification is mandatory on the emergency path'],
    ['a too short justification', 'Life in danger.', 'the justification has 15 characters; write at least 20'],
  ])('refuses %s', (_, justification, message) => {
    const error = submitError(
      anEmergencyDraftInput(['LOCATION_DATA'], { emergency: { threat: 'LIFE', justification } }),
    );
    expect(error).toMatchObject({ kind: 'failed-precondition', code: 'POLICY_VIOLATION' });
    expect(error.message).toContain(message);
  });

  it('refuses content, naming what is allowed', () => {
    const error = submitError(anEmergencyDraftInput(['LOCATION_DATA', 'STORED_CONTENT_DATA']));
    expect(error.code).toBe('POLICY_VIOLATION');
    expect(error.message).toContain('STORED_CONTENT_DATA may not be requested on the emergency path (allowed: ');
    expect(error.message).toContain('use the standard path for them');
  });

  it('refuses a time range starting more than 7 days back', () => {
    const base = anEmergencyDraftInput();
    const input = { ...base, requestDetails: { ...base.requestDetails, timeRange: { start: at(-8 * DAY), end: T0 } } };
    const error = submitError(input);
    expect(error.message).toContain(
      'more than 7 days back; on the emergency path it may start at 2029-12-25T00:00:00.000Z',
    );
  });

  it('refuses an IP observation older than the look-back window', () => {
    const base = anEmergencyDraftInput(['USER_IDENTIFYING_DATA']);
    const selector = {
      selectorId: 'ip1',
      kind: 'ipObservation' as const,
      value: { ipAddress: '192.0.2.7', port: 4711, observedTime: at(-7 * DAY - HOUR) },
    };
    const error = submitError({ ...base, requestDetails: { ...base.requestDetails, selectors: [selector] } });
    expect(error.message).toContain('selector "ip1" was observed more than 7 days back');
  });

  it('accepts exactly 7 days back', () => {
    const base = anEmergencyDraftInput();
    const flow = draft({
      ...base,
      requestDetails: { ...base.requestDetails, timeRange: { start: at(-7 * DAY), end: T0 } },
    });
    flow.act(requester, { type: 'submit', openEmergencyOrders: 0 });
    expect(flow.order.status).toBe('AWAITING_APPROVAL');
  });

  it('needs one duty approval, then dispatches at once with an 8-hour deadline and validation due in 48 hours', () => {
    const flow = draft(anEmergencyDraftInput());
    flow.act(requester, { type: 'submit', openEmergencyOrders: 2 });
    const approved = flow.act(duty, { type: 'approve', role: 'DUTY_OFFICER' });
    expect(flow.order.status).toBe('PROVISIONALLY_APPROVED');
    expect(approved.effects).toEqual([{ type: 'dispatch-task' }]);
    expect(flow.order.emergencyValidation).toEqual({ status: 'PENDING', validationDueAt: at(48 * HOUR) });

    flow.clock.advance({ minutes: 1 });
    flow.act(theSystem(), { type: 'dispatch', taskId: 'task-9' });
    expect(flow.order.status).toBe('DISPATCHED');
    expect(flow.order.deadline).toEqual(at(8 * HOUR + 60_000));
  });

  it('requires a second duty approval from another person for the N+1th open emergency (N = 3)', () => {
    const flow = draft(anEmergencyDraftInput());
    flow.act(requester, { type: 'submit', openEmergencyOrders: 3 });
    expect(flow.order.approvalPlan).toEqual({ kind: 'EMERGENCY', steps: [['DUTY_OFFICER'], ['DUTY_OFFICER']] });
    expect(flow.order.statusReason).toContain('the agency has 3 open emergency orders, so a second duty approval');

    flow.act(duty, { type: 'approve', role: 'DUTY_OFFICER' });
    expect(flow.order.status).toBe('AWAITING_APPROVAL');
    const again = errorOf(() => flow.act(duty, { type: 'approve', role: 'DUTY_OFFICER' }));
    expect(again.code).toBe('SELF_APPROVAL');

    flow.act(anApprover('DUTY_OFFICER', 'duty-2'), { type: 'approve', role: 'DUTY_OFFICER' });
    expect(flow.order.status).toBe('PROVISIONALLY_APPROVED');
  });

  it('is refused to approvers who are not duty officers', () => {
    const flow = draft(anEmergencyDraftInput());
    flow.act(requester, { type: 'submit', openEmergencyOrders: 0 });
    const error = errorOf(() => flow.act(anApprover('JUDGE'), { type: 'approve', role: 'JUDGE' }));
    expect(error.message).toBe(
      'JUDGE is not an approver this emergency order needs; it needs DUTY_OFFICER next (DUTY_OFFICER).',
    );
  });
});
