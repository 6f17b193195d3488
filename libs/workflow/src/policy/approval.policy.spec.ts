// Every approval rule of the default policy as a table: request type × path × approvers (in order) → outcome.
import { EvxError } from '#evx/errors';
import { ManualClock } from '../clock/manual.clock.js';
import { REQUEST_TYPES, type ApproverRole, type RequestType } from '../model/workflow.vocabulary.js';
import { RequestStateMachine } from '../state-machine/request.state-machine.js';
import { WorkflowFlow } from '../testing/workflow.flow.js';
import {
  aDraftInput,
  anApprover,
  anEmergencyDraftInput,
  anInvestigator,
  at,
  DAY,
  defaultPolicies,
  defaultPolicyJson,
  T0,
} from '../testing/workflow.fixtures.js';
import { standardApprovalChain } from './approval.policy.js';
import { loadPolicies } from './policy.config.js';
import { policyForAgency } from './policy.model.js';

type Path = 'standard' | 'emergency';
type Row = readonly [RequestType, Path, readonly ApproverRole[], string];

/** The default policy's second standard step, spelled out so that the table pins it. */
const SECOND_STEP: Record<RequestType, 'PROSECUTOR or JUDGE' | 'JUDGE'> = {
  SUBSCRIBER_DATA: 'PROSECUTOR or JUDGE',
  USER_IDENTIFYING_DATA: 'PROSECUTOR or JUDGE',
  TRAFFIC_DATA: 'JUDGE',
  LOCATION_DATA: 'JUDGE',
  STORED_CONTENT_DATA: 'JUDGE',
  ACCOUNT_HOLDER_DATA: 'PROSECUTOR or JUDGE',
  ACCOUNT_DATA: 'PROSECUTOR or JUDGE',
  TRANSACTION_DATA: 'JUDGE',
};

const ROWS: Row[] = REQUEST_TYPES.flatMap((type): Row[] => {
  const prosecutorSuffices = SECOND_STEP[type] !== 'JUDGE';
  const emergencyAllowed = type !== 'STORED_CONTENT_DATA';
  return [
    [type, 'standard', ['SUPERVISOR', 'JUDGE'], 'APPROVED'],
    [type, 'standard', ['SUPERVISOR', 'PROSECUTOR'], prosecutorSuffices ? 'APPROVED' : 'refused: needs JUDGE next'],
    [type, 'standard', ['SUPERVISOR'], 'AWAITING_APPROVAL'],
    [type, 'standard', ['JUDGE'], 'refused: approvals are given in order'],
    [
      type,
      'standard',
      ['PROSECUTOR'],
      `refused: ${prosecutorSuffices ? 'approvals are given in order' : 'needs SUPERVISOR next'}`,
    ],
    [type, 'standard', ['SUPERVISOR', 'SUPERVISOR'], `refused: needs ${SECOND_STEP[type]} next`],
    [type, 'standard', ['DUTY_OFFICER'], 'refused: duty officer approves emergency orders only'],
    [type, 'emergency', ['DUTY_OFFICER'], emergencyAllowed ? 'PROVISIONALLY_APPROVED' : 'refused at submit'],
    [
      type,
      'emergency',
      ['SUPERVISOR'],
      emergencyAllowed ? 'refused: not an approver this emergency order needs' : 'refused at submit',
    ],
    [
      type,
      'emergency',
      ['JUDGE'],
      emergencyAllowed ? 'refused: not an approver this emergency order needs' : 'refused at submit',
    ],
  ];
});

function inputFor(type: RequestType, path: Path) {
  if (path === 'emergency') return anEmergencyDraftInput([type]);
  const base = aDraftInput();
  return aDraftInput({
    requestDetails: { ...base.requestDetails, requestTypes: [type], timeRange: { start: at(-30 * DAY), end: T0 } },
  });
}

/** Runs the order through submit and the approvers in turn; the outcome is the last status or the refusal. */
function outcomeOf(type: RequestType, path: Path, roles: readonly ApproverRole[]): string {
  const flow = WorkflowFlow.start(
    new RequestStateMachine(defaultPolicies()),
    new ManualClock(T0),
    inputFor(type, path),
  );
  try {
    flow.act(anInvestigator(), { type: 'submit', openEmergencyOrders: 0 });
  } catch (error) {
    if (error instanceof EvxError) return 'refused at submit';
    throw error;
  }
  try {
    // Distinct people, so that only the roles decide the outcome.
    roles.forEach((role, index) => flow.act(anApprover(role, `person-${index}`), { type: 'approve', role }));
    return flow.order.status;
  } catch (error) {
    if (error instanceof EvxError) return `refused: ${error.message}`;
    throw error;
  }
}

describe('approval policy (default): type × path × approvers → outcome', () => {
  it.each(ROWS)('%s on the %s path approved by %j → %s', (type, path, roles, expected) => {
    const outcome = outcomeOf(type, path, roles);
    if (expected.startsWith('refused: ')) {
      expect(outcome.toLowerCase()).toContain(expected.slice('refused: '.length).toLowerCase());
    } else {
      expect(outcome).toBe(expected);
    }
  });
});

describe('standardApprovalChain (multi-category orders)', () => {
  const policy = policyForAgency(defaultPolicies(), 'police-hn');

  it.each([
    [
      ['SUBSCRIBER_DATA', 'TRAFFIC_DATA'],
      [['SUPERVISOR'], ['JUDGE']],
    ],
    [
      ['SUBSCRIBER_DATA', 'ACCOUNT_HOLDER_DATA'],
      [['SUPERVISOR'], ['PROSECUTOR', 'JUDGE']],
    ],
    [
      ['ACCOUNT_DATA', 'TRANSACTION_DATA'],
      [['SUPERVISOR'], ['JUDGE']],
    ],
    [['LOCATION_DATA'], [['SUPERVISOR'], ['JUDGE']]],
  ] as const)('%j needs %j', (types, chain) => {
    expect(standardApprovalChain(policy, types)).toEqual(chain);
  });

  it('requires each step in turn when no role satisfies every category at a position', () => {
    const json = defaultPolicyJson();
    const custom = loadPolicies({
      ...json,
      agencies: {
        'police-hn': { standard: { SUBSCRIBER_DATA: ['PROSECUTOR'], TRAFFIC_DATA: ['SUPERVISOR', 'JUDGE'] } },
      },
    });
    const chain = standardApprovalChain(policyForAgency(custom, 'police-hn'), ['SUBSCRIBER_DATA', 'TRAFFIC_DATA']);
    expect(chain).toEqual([['PROSECUTOR'], ['SUPERVISOR'], ['JUDGE']]);
  });
});
