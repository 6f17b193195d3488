import { ManualClock } from '../clock/manual.clock.js';
import { WorkflowFlow } from '../testing/workflow.flow.js';
import {
  aDraftInput,
  anAdapter,
  anApprover,
  anAuthorisation,
  anInvestigator,
  anEmergencyDraftInput,
  at,
  DAY,
  defaultPolicies,
  errorOf,
  OTHER_AGENCY,
  T0,
  theSystem,
} from '../testing/workflow.fixtures.js';
import { RequestStateMachine } from './request.state-machine.js';

const requester = anInvestigator();
const supervisor = anApprover('SUPERVISOR');
const judge = anApprover('JUDGE');
const adapter = anAdapter();
const system = theSystem();

function setup() {
  const sut = new RequestStateMachine(defaultPolicies());
  const clock = new ManualClock(T0);
  return { sut, clock };
}

function dispatchedFlow(input = aDraftInput()) {
  const { sut, clock } = setup();
  const flow = WorkflowFlow.start(sut, clock, input);
  flow.act(requester, { type: 'submit', openEmergencyOrders: 0 });
  flow.act(supervisor, { type: 'approve', role: 'SUPERVISOR' });
  flow.act(judge, { type: 'approve', role: 'JUDGE' });
  flow.act(system, { type: 'dispatch', taskId: 'task-1' });
  return flow;
}

describe('RequestStateMachine', () => {
  describe('createDraft', () => {
    it('creates generation 1 in DRAFT, taking agency and requester from the identity', () => {
      const { sut } = setup();
      const { authorisation, audit } = sut.createDraft('id-1', aDraftInput(), requester, T0);
      expect(authorisation).toMatchObject({ generation: 1, status: 'DRAFT', desiredStatus: 'DRAFT' });
      expect(authorisation.details).toMatchObject({ issuingAgencyId: 'police-hn', requesterUri: requester.uri });
      expect(audit).toMatchObject({ action: 'create', toStatus: 'DRAFT', actorUri: requester.uri, generation: 1 });
    });

    it('lets only investigators create orders', () => {
      const { sut } = setup();
      const error = errorOf(() => sut.createDraft('id-1', aDraftInput(), supervisor, T0));
      expect(error.kind).toBe('permission-denied');
    });

    it('refuses a malformed order, listing every problem', () => {
      const { sut } = setup();
      const input = aDraftInput({
        caseReference: ' ',
        requestDetails: {
          requestTypes: ['TRAFFIC_DATA', 'TRAFFIC_DATA'],
          selectors: [{ selectorId: 's1', kind: 'imsi', value: '12' }],
        },
      });
      const error = errorOf(() => sut.createDraft('id-1', input, requester, T0));
      expect(error.kind).toBe('invalid-argument');
      expect(error.message).toContain('caseReference must be 1 to 128 characters');
      expect(error.message).toContain('requestTypes has repeats');
      expect(error.message).toContain('IMSI must be 14 or 15 digits');
      expect(error.message).toContain('timeRange is required');
    });

    it('refuses an emergency order without its emergency details', () => {
      const { sut } = setup();
      const input = { ...anEmergencyDraftInput(), emergency: undefined };
      const error = errorOf(() => sut.createDraft('id-1', input, requester, T0));
      expect(error.message).toContain('needs emergency details');
    });
  });

  it('walks the standard path from draft to closed, one generation per step', () => {
    const flow = dispatchedFlow();
    expect(flow.order).toMatchObject({ status: 'DISPATCHED', desiredStatus: 'ACTIVE', taskId: 'task-1' });
    expect(flow.order.deadline).toEqual(at(10 * DAY));

    flow.act(adapter, { type: 'acknowledge' });
    flow.act(adapter, { type: 'request-clarification', clarificationId: 'c1', question: 'Which period exactly?' });
    flow.act(requester, { type: 'answer-clarification', clarificationId: 'c1', answer: 'All of March.' });
    expect(flow.lastEffects).toEqual([{ type: 'update-task', reason: 'answer to clarification c1' }]);
    flow.act(adapter, { type: 'fulfil' });
    flow.act(system, { type: 'deliver', packageId: 'pkg-1' });
    flow.act(requester, { type: 'close' });

    expect(flow.order).toMatchObject({ status: 'CLOSED', desiredStatus: 'CLOSED', packageId: 'pkg-1', generation: 11 });
    expect(flow.order.clarifications[0]).toMatchObject({ answer: 'All of March.', answeredByUri: requester.uri });
    expect(flow.audits.map((audit) => `${audit.fromStatus ?? '-'}>${audit.toStatus}`)).toEqual([
      '->DRAFT',
      'DRAFT>AWAITING_APPROVAL',
      'AWAITING_APPROVAL>AWAITING_APPROVAL',
      'AWAITING_APPROVAL>APPROVED',
      'APPROVED>DISPATCHED',
      'DISPATCHED>ACKNOWLEDGED',
      'ACKNOWLEDGED>CLARIFICATION_REQUESTED',
      'CLARIFICATION_REQUESTED>ACKNOWLEDGED',
      'ACKNOWLEDGED>FULFILLED',
      'FULFILLED>DELIVERED',
      'DELIVERED>CLOSED',
    ]);
    expect(flow.audits.map((audit) => audit.generation)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('asks the application to dispatch once the last approval is in', () => {
    const { sut, clock } = setup();
    const flow = WorkflowFlow.start(sut, clock, aDraftInput());
    flow.act(requester, { type: 'submit', openEmergencyOrders: 0 });
    expect(flow.act(supervisor, { type: 'approve', role: 'SUPERVISOR' }).effects).toEqual([]);
    const last = flow.act(judge, { type: 'approve', role: 'JUDGE' });
    expect(last.effects).toEqual([{ type: 'dispatch-task' }]);
    expect(last.audit).toMatchObject({ actorRole: 'JUDGE', reason: 'approved by SUPERVISOR and JUDGE' });
  });

  it('refuses a stale generation, naming both generations', () => {
    const { sut } = setup();
    const order = anAuthorisation('AWAITING_APPROVAL');
    const error = errorOf(() =>
      sut.transition(order, { type: 'approve', expectedGeneration: 4, role: 'SUPERVISOR' }, supervisor, T0),
    );
    expect(error.kind).toBe('stale-generation');
    expect(error.code).toBe('STALE_GENERATION');
    expect(error.message).toContain('at generation 5, but you acted on generation 4');
  });

  describe('withdrawal (Status follows DesiredStatus)', () => {
    it('withdraws at once before dispatch', () => {
      const { sut, clock } = setup();
      const flow = WorkflowFlow.start(sut, clock, aDraftInput());
      flow.act(requester, { type: 'submit', openEmergencyOrders: 0 });
      flow.act(anInvestigator('inv-2'), { type: 'withdraw', reason: 'Case closed by prosecutor.' });
      expect(flow.order).toMatchObject({ status: 'WITHDRAWN', desiredStatus: 'WITHDRAWN' });
    });

    it('waits for the provider once dispatched, and stops its work meanwhile', () => {
      const flow = dispatchedFlow();
      flow.act(requester, { type: 'withdraw', reason: 'Suspect arrested.' });
      expect(flow.order).toMatchObject({ status: 'DISPATCHED', desiredStatus: 'WITHDRAWN' });
      expect(flow.lastEffects).toEqual([
        { type: 'cancel-task', reason: 'withdrawn by the requester: Suspect arrested.', restrictData: false },
      ]);
      expect(errorOf(() => flow.act(adapter, { type: 'acknowledge' })).message).toContain('confirm the cancellation');
      expect(errorOf(() => flow.act(requester, { type: 'withdraw', reason: 'again' })).message).toContain(
        'already being withdrawn',
      );
      flow.act(adapter, { type: 'confirm-withdrawal' });
      expect(flow.order.status).toBe('WITHDRAWN');
    });

    it('needs a reason', () => {
      const flow = dispatchedFlow();
      const error = errorOf(() => flow.act(requester, { type: 'withdraw', reason: '  ' }));
      expect(error.kind).toBe('invalid-argument');
      expect(error.message).toContain('needs a reason');
    });
  });

  describe('who may trigger what', () => {
    it.each([
      [
        'another provider acknowledging',
        anAdapter('bank-b'),
        { type: 'acknowledge' } as const,
        'only the adapter of provider telco-a',
      ],
      [
        'an investigator of another agency withdrawing',
        anInvestigator('inv-1', OTHER_AGENCY),
        { type: 'withdraw', reason: 'x' } as const,
        'only an investigator of police-hn',
      ],
      ['an investigator dispatching', requester, { type: 'dispatch', taskId: 't' } as const, 'done by EVX itself'],
      ['a provider approving', adapter, { type: 'approve', role: 'SUPERVISOR' } as const, 'only an approver'],
    ])('refuses %s', (_, actor, action, message) => {
      const flow = dispatchedFlow();
      const error = errorOf(() => flow.act(actor, action));
      expect(error.kind).toBe('permission-denied');
      expect(error.message).toContain(message);
    });

    it('lets only the requester submit, as it signs the order', () => {
      const { sut, clock } = setup();
      const flow = WorkflowFlow.start(sut, clock, aDraftInput());
      const error = errorOf(() => flow.act(anInvestigator('inv-2'), { type: 'submit', openEmergencyOrders: 0 }));
      expect(error.message).toContain(`only the requester (${requester.uri}) may submit`);
    });
  });

  describe('provider outcomes', () => {
    it('records structured grounds; DATA_NOT_HELD is "disclosure not available"', () => {
      const flow = dispatchedFlow();
      flow.act(adapter, { type: 'refuse', refusal: { ground: 'DATA_NOT_HELD' } });
      expect(flow.order.status).toBe('REFUSED');
      expect(flow.order.refusal).toMatchObject({ ground: 'DATA_NOT_HELD', refusedByUri: adapter.uri, refusedAt: T0 });
      expect(flow.order.statusReason).toBe('refused by the provider: DATA_NOT_HELD');
    });

    it('needs an explanation for the ground OTHER and known selectors', () => {
      const flow = dispatchedFlow();
      expect(errorOf(() => flow.act(adapter, { type: 'refuse', refusal: { ground: 'OTHER' } })).message).toContain(
        'explanation of the ground OTHER is required',
      );
      const unknown = errorOf(() =>
        flow.act(adapter, { type: 'refuse', refusal: { ground: 'NOT_OUR_CUSTOMER', selectorIds: ['s9'] } }),
      );
      expect(unknown.code).toBe('UNKNOWN_SELECTOR');
    });

    it('fulfils partially with grounds for the rest', () => {
      const flow = dispatchedFlow();
      flow.act(adapter, { type: 'acknowledge' });
      flow.act(adapter, { type: 'fulfil-partially', unfulfilled: { ground: 'DATA_NOT_HELD', selectorIds: ['s1'] } });
      expect(flow.order.status).toBe('PARTIALLY_FULFILLED');
      expect(flow.order.statusReason).toBe('partially fulfilled; not given: DATA_NOT_HELD for s1');
    });
  });

  describe('deadlines', () => {
    it('caps the provider deadline at the requested one', () => {
      const flow = dispatchedFlow(aDraftInput({ requestedDeadline: at(3 * DAY) }));
      expect(flow.order.deadline).toEqual(at(3 * DAY));
    });

    it('expires once the deadline has passed, not before', () => {
      const flow = dispatchedFlow();
      flow.clock.advance({ days: 9 });
      expect(errorOf(() => flow.act(system, { type: 'expire' })).message).toContain('does not lapse until');
      flow.clock.advance({ days: 1 });
      flow.act(system, { type: 'expire' });
      expect(flow.order.status).toBe('EXPIRED');
      expect(flow.lastEffects).toEqual([
        { type: 'expire-task', reason: `the deadline passed at ${at(10 * DAY).toISOString()}` },
      ]);
    });
  });
});
