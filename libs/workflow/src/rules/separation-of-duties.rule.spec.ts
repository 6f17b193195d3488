import { ManualClock } from '../clock/manual.clock.js';
import type { ApproverActor } from '../model/actor.model.js';
import { RequestStateMachine } from '../state-machine/request.state-machine.js';
import { WorkflowFlow } from '../testing/workflow.flow.js';
import {
  aDraftInput,
  anApprover,
  anEmergencyDraftInput,
  anInvestigator,
  defaultPolicies,
  errorOf,
  OTHER_AGENCY,
  T0,
} from '../testing/workflow.fixtures.js';

const requester = anInvestigator('inv-1');

function submitted(input = aDraftInput()) {
  const flow = WorkflowFlow.start(new RequestStateMachine(defaultPolicies()), new ManualClock(T0), input, requester);
  flow.act(requester, { type: 'submit', openEmergencyOrders: 0 });
  return flow;
}

function provisionallyApproved(duty: ApproverActor = anApprover('DUTY_OFFICER', 'duty-1')) {
  const flow = submitted(anEmergencyDraftInput());
  flow.act(duty, { type: 'approve', role: 'DUTY_OFFICER' });
  return flow;
}

describe('separation of duties', () => {
  it('refuses self-approval: the requester approving under an approver certificate', () => {
    const flow = submitted();
    const sameperson: ApproverActor = { ...anApprover('SUPERVISOR', 'inv-1') };
    const error = errorOf(() => flow.act(sameperson, { type: 'approve', role: 'SUPERVISOR' }));
    expect(error).toMatchObject({ kind: 'permission-denied', code: 'SELF_APPROVAL' });
    expect(error.message).toBe('You requested this order, so you cannot decide on it; another approver must.');
  });

  it('refuses a second approval by the same person in the chain', () => {
    const flow = submitted({ ...aDraftInput() });
    flow.act(anApprover('SUPERVISOR', 'alex'), { type: 'approve', role: 'SUPERVISOR' });
    // The same person, now with a judge certificate.
    const error = errorOf(() => flow.act(anApprover('JUDGE', 'alex'), { type: 'approve', role: 'JUDGE' }));
    expect(error).toMatchObject({ kind: 'permission-denied', code: 'SELF_APPROVAL' });
    expect(error.message).toContain('You already approved this order as SUPERVISOR');
  });

  it('refuses an approver of another agency', () => {
    const flow = submitted();
    const error = errorOf(() =>
      flow.act(anApprover('SUPERVISOR', 'sup-1', OTHER_AGENCY), { type: 'approve', role: 'SUPERVISOR' }),
    );
    expect(error.kind).toBe('permission-denied');
    expect(error.message).toBe(
      "Approvers act only for their own agency: you belong to police-dn, this order is police-hn's. " +
        'An approver of police-hn must decide.',
    );
  });

  it('refuses a decision in a role the certificate does not grant', () => {
    const flow = submitted();
    const error = errorOf(() => flow.act(anApprover('SUPERVISOR'), { type: 'approve', role: 'JUDGE' }));
    expect(error.message).toBe('Your certificate makes you SUPERVISOR; you cannot decide as JUDGE.');
  });

  it('refuses a rejection without a reason, and records one with it', () => {
    const flow = submitted();
    const judge = anApprover('JUDGE');
    const error = errorOf(() => flow.act(judge, { type: 'reject', role: 'JUDGE', reason: ' ' }));
    expect(error).toMatchObject({ kind: 'invalid-argument' });
    expect(error.message).toBe('Rejecting an order needs a reason: say why, in words.');

    flow.act(judge, { type: 'reject', role: 'JUDGE', reason: 'Disproportionate for a theft of a bicycle.' });
    expect(flow.order.status).toBe('REJECTED');
    expect(flow.order.approvals.at(-1)).toMatchObject({ decision: 'REJECTED', role: 'JUDGE' });
  });

  it('refuses a rejection by a role the order does not need', () => {
    const flow = submitted();
    const error = errorOf(() =>
      flow.act(anApprover('DUTY_OFFICER'), { type: 'reject', role: 'DUTY_OFFICER', reason: 'no' }),
    );
    expect(error.message).toContain('Only an approver this order still needs (SUPERVISOR, then PROSECUTOR or JUDGE)');
  });

  describe('judicial validation of an emergency order', () => {
    it('must not come from the duty approver, even holding a judge certificate', () => {
      const flow = provisionallyApproved(anApprover('DUTY_OFFICER', 'pat'));
      const error = errorOf(() =>
        flow.act(anApprover('JUDGE', 'pat'), { type: 'validate', role: 'JUDGE', reason: 'Fine.' }),
      );
      expect(error).toMatchObject({ kind: 'permission-denied', code: 'SELF_APPROVAL' });
      expect(error.message).toContain('You gave this order its emergency approval, so you cannot validate it');
    });

    it('must come from a judge', () => {
      const flow = provisionallyApproved();
      const error = errorOf(() =>
        flow.act(anApprover('PROSECUTOR'), { type: 'validate', role: 'PROSECUTOR', reason: 'Fine.' }),
      );
      expect(error.message).toBe('The judicial validation of an emergency order must come from JUDGE, not PROSECUTOR.');
    });

    it('must give reasons', () => {
      const flow = provisionallyApproved();
      const error = errorOf(() => flow.act(anApprover('JUDGE'), { type: 'validate', role: 'JUDGE', reason: '' }));
      expect(error.message).toBe('Validating an emergency order needs a reason: say why, in words.');
    });

    it('is recorded as a JUDICIAL_VALIDATION decision and leaves the status alone', () => {
      const flow = provisionallyApproved();
      flow.act(anApprover('JUDGE'), { type: 'validate', role: 'JUDGE', reason: 'Imminent threat established.' });
      expect(flow.order.status).toBe('PROVISIONALLY_APPROVED');
      expect(flow.order.emergencyValidation).toMatchObject({ status: 'VALIDATED', decidedAt: T0 });
      expect(flow.order.approvals.map((a) => `${a.kind}:${a.decision}`)).toEqual([
        'EMERGENCY:APPROVED',
        'JUDICIAL_VALIDATION:APPROVED',
      ]);
    });
  });
});
