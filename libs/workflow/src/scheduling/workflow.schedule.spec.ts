// The scheduler's view: which orders are due, with time driven by a ManualClock (no sleeps).
import { ManualClock } from '../clock/manual.clock.js';
import { RequestStateMachine } from '../state-machine/request.state-machine.js';
import { WorkflowFlow } from '../testing/workflow.flow.js';
import {
  aDraftInput,
  anAdapter,
  anApprover,
  anAuthorisation,
  anEmergencyDraftInput,
  anInvestigator,
  at,
  defaultPolicies,
  errorOf,
  HOUR,
  T0,
  theSystem,
} from '../testing/workflow.fixtures.js';
import { countOpenEmergencies, isOpenEmergency, lapsedOrders, overdueEmergencies } from './workflow.schedule.js';

const requester = anInvestigator();
const system = theSystem();

function dispatchedEmergency(clock: ManualClock, id: string) {
  const flow = WorkflowFlow.start(
    new RequestStateMachine(defaultPolicies()),
    clock,
    anEmergencyDraftInput(),
    requester,
    id,
  );
  flow.act(requester, { type: 'submit', openEmergencyOrders: 0 });
  flow.act(anApprover('DUTY_OFFICER'), { type: 'approve', role: 'DUTY_OFFICER' });
  flow.act(system, { type: 'dispatch', taskId: `task-${id}` });
  return flow;
}

describe('emergency validation over time', () => {
  it('marks an unvalidated emergency overdue at 48 hours and seals its evidence', () => {
    const clock = new ManualClock(T0);
    const flow = dispatchedEmergency(clock, 'e1');
    flow.act(anAdapter(), { type: 'acknowledge' });

    clock.advance({ hours: 47, minutes: 59 });
    expect(overdueEmergencies([flow.order], clock.now())).toEqual([]);
    expect(errorOf(() => flow.act(system, { type: 'mark-validation-overdue' })).message).toContain('not overdue yet');

    clock.advance({ minutes: 1 });
    expect(overdueEmergencies([flow.order], clock.now())).toEqual([flow.order]);
    const result = flow.act(system, { type: 'mark-validation-overdue' });

    expect(flow.order).toMatchObject({
      status: 'VALIDATION_OVERDUE',
      evidenceSealed: true,
      evidenceSealReason: `no judicial validation by ${at(48 * HOUR).toISOString()}`,
      emergencyValidation: { status: 'OVERDUE', validationDueAt: at(48 * HOUR) },
    });
    expect(result.effects).toEqual([
      { type: 'cancel-task', reason: flow.order.evidenceSealReason, restrictData: true },
      { type: 'seal-evidence', reason: flow.order.evidenceSealReason },
    ]);
    expect(result.audit).toMatchObject({
      fromStatus: 'ACKNOWLEDGED',
      toStatus: 'VALIDATION_OVERDUE',
      actorUri: system.uri,
    });
    expect(overdueEmergencies([flow.order], clock.now())).toEqual([]);
  });

  it('refuses a validation that comes after the due time, even before the scheduler ran', () => {
    const clock = new ManualClock(T0);
    const flow = dispatchedEmergency(clock, 'e2');
    clock.advance({ hours: 48 });
    const error = errorOf(() =>
      flow.act(anApprover('JUDGE'), { type: 'validate', role: 'JUDGE', reason: 'Late but fine.' }),
    );
    expect(error).toMatchObject({ kind: 'failed-precondition', code: 'DEADLINE_PASSED' });
  });

  it('seals the evidence when the judge refuses validation, even after delivery', () => {
    const clock = new ManualClock(T0);
    const flow = dispatchedEmergency(clock, 'e3');
    const adapter = anAdapter();
    flow.act(adapter, { type: 'acknowledge' });
    flow.act(adapter, { type: 'fulfil' });
    flow.act(system, { type: 'deliver', packageId: 'pkg-3' });
    clock.advance({ hours: 20 });
    const result = flow.act(anApprover('JUDGE'), {
      type: 'reject-validation',
      role: 'JUDGE',
      reason: 'No imminent threat to life was shown.',
    });
    expect(flow.order).toMatchObject({
      status: 'VALIDATION_REJECTED',
      evidenceSealed: true,
      evidenceSealReason: 'judicial validation refused by JUDGE: No imminent threat to life was shown.',
    });
    expect(result.effects.map((effect) => effect.type)).toEqual(['cancel-task', 'seal-evidence']);
    expect(errorOf(() => flow.act(requester, { type: 'close' })).code).toBe('INVALID_STATE');
  });

  it('cannot close an emergency order while its validation is pending', () => {
    const clock = new ManualClock(T0);
    const flow = dispatchedEmergency(clock, 'e4');
    flow.act(anAdapter(), { type: 'refuse', refusal: { ground: 'DATA_NOT_HELD' } });
    expect(errorOf(() => flow.act(requester, { type: 'close' })).message).toContain('judicial validation is pending');
    flow.act(anApprover('JUDGE'), { type: 'validate', role: 'JUDGE', reason: 'Threat established by the call log.' });
    flow.act(requester, { type: 'close' });
    expect(flow.order.status).toBe('CLOSED');
  });

  it('lists overdue orders oldest due time first, skipping decided ones', () => {
    const clock = new ManualClock(T0);
    const first = dispatchedEmergency(clock, 'a');
    clock.advance({ hours: 1 });
    const second = dispatchedEmergency(clock, 'b');
    const validated = dispatchedEmergency(clock, 'c');
    validated.act(anApprover('JUDGE'), { type: 'validate', role: 'JUDGE', reason: 'Threat established.' });
    clock.advance({ hours: 72 });
    const due = overdueEmergencies([second.order, validated.order, first.order], clock.now());
    expect(due.map((order) => order.authorisationId)).toEqual(['a', 'b']);
  });
});

describe('lapsedOrders', () => {
  it('finds orders past their deadline in their current status', () => {
    const pastDeadline = anAuthorisation('ACKNOWLEDGED', { deadline: at(-1) });
    const notYet = anAuthorisation('ACKNOWLEDGED', { deadline: at(HOUR) });
    const preserved = anAuthorisation('PRESERVED', { preservation: { expiresAt: at(-1), extensions: 1 } });
    const requestedPassed = anAuthorisation('AWAITING_APPROVAL', {}, aDraftInput({ requestedDeadline: at(-1) }));
    const delivered = anAuthorisation('DELIVERED', { deadline: at(-1) });
    expect(lapsedOrders([pastDeadline, notYet, preserved, requestedPassed, delivered], T0)).toEqual([
      pastDeadline,
      preserved,
      requestedPassed,
    ]);
  });
});

describe('open emergency orders', () => {
  it('counts emergency orders of the agency not yet judicially reviewed', () => {
    const emergency = anEmergencyDraftInput();
    const orders = [
      anAuthorisation('AWAITING_APPROVAL', { authorisationId: '1' }, emergency),
      anAuthorisation(
        'DISPATCHED',
        { authorisationId: '2', emergencyValidation: { status: 'PENDING', validationDueAt: T0 } },
        emergency,
      ),
      anAuthorisation(
        'DISPATCHED',
        { authorisationId: '3', emergencyValidation: { status: 'VALIDATED', validationDueAt: T0 } },
        emergency,
      ),
      anAuthorisation('AWAITING_APPROVAL', { authorisationId: '4' }),
      anAuthorisation('DRAFT', { authorisationId: '5' }, emergency),
    ];
    expect(orders.map(isOpenEmergency)).toEqual([true, true, false, false, false]);
    expect(countOpenEmergencies(orders, 'police-hn')).toBe(2);
    expect(countOpenEmergencies(orders, 'police-hn', '1')).toBe(1);
    expect(countOpenEmergencies(orders, 'police-dn')).toBe(0);
  });
});
