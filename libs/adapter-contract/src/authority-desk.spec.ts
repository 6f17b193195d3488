import { resolve } from 'node:path';
import {
  approversFor,
  orderDetailsFor,
  placeOrder,
  validatorFor,
  type Approver,
  type AuthorityDesk,
  type OrderState,
} from './authority-desk.js';

const POLICY = resolve(process.cwd(), 'libs/workflow/policies/default.policy.json');

describe('approversFor (the default policy)', () => {
  it('subscriber data: supervisor, then the first of prosecutor or judge', () => {
    expect(approversFor(POLICY, 'STANDARD', ['SUBSCRIBER_DATA'])).toEqual([
      { identity: 'police-hn.sup-1', role: 'SUPERVISOR' },
      { identity: 'police-hn.pros-1', role: 'PROSECUTOR' },
    ]);
  });

  it('subscriber plus traffic data merge to supervisor, then judge', () => {
    expect(approversFor(POLICY, 'STANDARD', ['SUBSCRIBER_DATA', 'TRAFFIC_DATA']).map((a) => a.role)).toEqual([
      'SUPERVISOR',
      'JUDGE',
    ]);
  });

  it('an emergency needs the duty officer alone; the judge validates', () => {
    expect(approversFor(POLICY, 'EMERGENCY', ['LOCATION_DATA'])).toEqual([
      { identity: 'police-hn.duty-1', role: 'DUTY_OFFICER' },
    ]);
    expect(validatorFor(POLICY)).toEqual({ identity: 'police-hn.judge-1', role: 'JUDGE' });
  });

  it('an agency without a policy is refused with the reason', () => {
    expect(() => approversFor(POLICY, 'STANDARD', ['SUBSCRIBER_DATA'], 'police-xx')).toThrow(/has no workflow policy/);
  });
});

describe('orderDetailsFor', () => {
  it('turns "the last N days" into an absolute period ending now, and adds emergency grounds', () => {
    const now = new Date('2026-11-26T10:00:00.000Z');
    const sut = orderDetailsFor(
      'telco-a',
      {
        requestTypes: ['LOCATION_DATA'],
        selectors: [{ selectorId: 's1', kind: 'msisdn', value: '+31612345678' }],
        timeRange: { lastDays: 2 },
      },
      { label: 'T', urgency: 'EMERGENCY', now },
    );
    expect(sut.requestDetails.timeRange).toEqual({
      start: '2026-11-24T10:00:00.000Z',
      end: '2026-11-26T10:00:00.000Z',
    });
    expect(sut.urgency).toBe('EMERGENCY');
    expect(sut.emergency?.justification.length).toBeGreaterThanOrEqual(20);
    expect(sut.caseReference).toMatch(/^T-[0-9a-f]{8}$/);
  });
});

/** A desk that records calls and answers with the statuses given. */
function fakeDesk(afterApprovals: string[]): { sut: AuthorityDesk; calls: string[] } {
  const calls: string[] = [];
  const state = (status: string): OrderState => ({ authorisationId: 'o-1', status, generation: 1, statusReason: '' });
  let i = 0;
  const sut = {
    createDraft: async () => (calls.push('create'), state('DRAFT')),
    submit: async () => (calls.push('submit'), state('AWAITING_APPROVAL')),
    approve: async (_id: string, a: Approver) => (calls.push(`approve ${a.identity}`), state(afterApprovals[i++])),
  } as unknown as AuthorityDesk;
  return { sut, calls };
}

describe('placeOrder', () => {
  const details = orderDetailsFor(
    'bank-b',
    { requestTypes: ['ACCOUNT_DATA'], selectors: [{ selectorId: 'a', kind: 'iban', value: 'NL91ABNA0417164300' }] },
    { label: 'T' },
  );

  it('creates, submits, then asks each approver in turn', async () => {
    const { sut, calls } = fakeDesk(['AWAITING_APPROVAL', 'DISPATCHED']);
    const lines: string[] = [];
    const placed = await placeOrder(sut, details, approversFor(POLICY, 'STANDARD', ['ACCOUNT_DATA']), (l) =>
      lines.push(l),
    );
    expect(placed.status).toBe('DISPATCHED');
    expect(calls).toEqual(['create', 'submit', 'approve police-hn.sup-1', 'approve police-hn.pros-1']);
    expect(lines).toHaveLength(4);
  });

  it('says what to do when the plan needs more approvals than it knows (a second duty officer)', async () => {
    const { sut } = fakeDesk(['AWAITING_APPROVAL']);
    const emergency = { ...details, urgency: 'EMERGENCY' as const };
    await expect(placeOrder(sut, emergency, approversFor(POLICY, 'EMERGENCY', ['ACCOUNT_DATA']))).rejects.toThrow(
      /second duty officer.*evx request validate/,
    );
  });
});
