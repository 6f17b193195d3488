// Preservation orders (ETSI LPTask): 60 days from dispatch, one extension of 30, closed once followed up.
import { ManualClock } from '../clock/manual.clock.js';
import { taskOf } from '../model/task.model.js';
import { WorkflowFlow } from '../testing/workflow.flow.js';
import {
  aDraftInput,
  anAdapter,
  anApprover,
  anInvestigator,
  at,
  DAY,
  defaultPolicies,
  errorOf,
  T0,
  theSystem,
} from '../testing/workflow.fixtures.js';
import { RequestStateMachine } from './request.state-machine.js';

const requester = anInvestigator();
const system = theSystem();

function preserved() {
  const clock = new ManualClock(T0);
  const flow = WorkflowFlow.start(
    new RequestStateMachine(defaultPolicies()),
    clock,
    aDraftInput({ preservationOnly: true }),
  );
  flow.act(requester, { type: 'submit', openEmergencyOrders: 0 });
  flow.act(anApprover('SUPERVISOR'), { type: 'approve', role: 'SUPERVISOR' });
  flow.act(anApprover('PROSECUTOR'), { type: 'approve', role: 'PROSECUTOR' });
  flow.act(system, { type: 'dispatch', taskId: 'task-p' });
  flow.act(anAdapter(), { type: 'confirm-preservation' });
  return flow;
}

describe('preservation orders', () => {
  it('preserve for 60 days from dispatch', () => {
    const flow = preserved();
    expect(flow.order.status).toBe('PRESERVED');
    expect(flow.order.preservation).toEqual({ expiresAt: at(60 * DAY), extensions: 0 });
    expect(taskOf(flow.order)).toEqual({
      kind: 'preservation',
      deadline: at(10 * DAY),
      preservationExpiration: at(60 * DAY),
      extensions: 0,
    });
  });

  it('extend once by 30 days, and refuse a second extension', () => {
    const flow = preserved();
    flow.clock.advance({ days: 50 });
    const extended = flow.act(requester, { type: 'extend-preservation', reason: 'Production order awaits a judge.' });
    expect(flow.order.status).toBe('PRESERVED');
    expect(flow.order.preservation).toEqual({ expiresAt: at(90 * DAY), extensions: 1 });
    expect(extended.effects).toEqual([
      { type: 'update-task', reason: `preservation extended to ${at(90 * DAY).toISOString()}` },
    ]);

    const error = errorOf(() => flow.act(requester, { type: 'extend-preservation', reason: 'Still waiting.' }));
    expect(error).toMatchObject({ kind: 'failed-precondition', code: 'POLICY_VIOLATION' });
    expect(error.message).toBe(
      'This preservation was already extended 1 time and the policy allows 1; follow it up with a production order before it ends.',
    );
  });

  it('cannot be extended once ended, and expires at the end', () => {
    const flow = preserved();
    flow.clock.advance({ days: 60 });
    const error = errorOf(() => flow.act(requester, { type: 'extend-preservation', reason: 'Too late.' }));
    expect(error.code).toBe('DEADLINE_PASSED');
    flow.act(system, { type: 'expire' });
    expect(flow.order.status).toBe('EXPIRED');
    expect(flow.order.statusReason).toBe(`expired: the preservation period passed at ${at(60 * DAY).toISOString()}`);
  });

  it('is closed once a production order follows it, not before', () => {
    const flow = preserved();
    expect(errorOf(() => flow.act(requester, { type: 'close' })).message).toContain('once a production order follows');
    flow.act(system, { type: 'link-production-order', productionAuthorisationId: 'prod-1' });
    expect(flow.order.preservation?.followedUpByAuthorisationId).toBe('prod-1');
    expect(
      errorOf(() => flow.act(system, { type: 'link-production-order', productionAuthorisationId: 'prod-2' })).message,
    ).toContain('already followed up by prod-1');
    const closed = flow.act(requester, { type: 'close', reason: 'Data produced under prod-1.' });
    expect(flow.order.status).toBe('CLOSED');
    expect(closed.effects).toEqual([
      { type: 'cancel-task', reason: 'preservation closed, followed up by prod-1', restrictData: false },
    ]);
  });

  it('is acknowledged by confirming the preservation, not as a disclosure', () => {
    const clock = new ManualClock(T0);
    const flow = WorkflowFlow.start(
      new RequestStateMachine(defaultPolicies()),
      clock,
      aDraftInput({ preservationOnly: true }),
    );
    flow.act(requester, { type: 'submit', openEmergencyOrders: 0 });
    flow.act(anApprover('SUPERVISOR'), { type: 'approve', role: 'SUPERVISOR' });
    flow.act(anApprover('JUDGE'), { type: 'approve', role: 'JUDGE' });
    flow.act(system, { type: 'dispatch', taskId: 'task-p' });
    expect(errorOf(() => flow.act(anAdapter(), { type: 'acknowledge' })).message).toBe(
      'This is a preservation order; confirm the preservation instead of acknowledging.',
    );
  });
});
