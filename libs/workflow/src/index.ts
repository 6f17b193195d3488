// Public surface of #evx/workflow: the request workflow's domain (model, state machine, policies, separation of
// duties, emergency rules, clock). No I/O: callers persist the returned order, log its audit fact and carry out its
// effects. docs/workflow.md describes the states, the transitions and the default policy.
export * from './model/workflow.vocabulary.js';
export type * from './model/authorisation.model.js';
export type * from './model/request-details.model.js';
export type * from './model/actor.model.js';
export { approverRoleFromCertificate, personKeyOf, personKeyOfUri } from './model/actor.model.js';
export type { LDTask, LPTask } from './model/task.model.js';
export { taskOf } from './model/task.model.js';
export { checkAuthorisationDetails, selectorProblem } from './model/authorisation-details.check.js';

export type { Clock } from './clock/clock.js';
export { addDays, addHours, systemClock } from './clock/clock.js';
export { ManualClock, type ClockStep } from './clock/manual.clock.js';

export type * from './policy/policy.model.js';
export { policyForAgency } from './policy/policy.model.js';
export { loadPolicies, PolicyConfigError } from './policy/policy.config.js';
export { defaultPolicies, defaultPolicyFile } from './policy/default-policy.file.js';
export {
  approvalPlanFor,
  describePlan,
  needsSecondEmergencyApproval,
  nextApprovalStep,
  planApprovals,
  standardApprovalChain,
} from './policy/approval.policy.js';
export { checkEmergencyScope, emergencyScopeProblems } from './policy/emergency.policy.js';
export { EXPIRABLE_STATUSES, lapseOf, providerDeadline } from './policy/deadline.policy.js';

export {
  checkApproverOfAgency,
  checkNotYetApprovedBy,
  checkValidator,
  requireReason,
} from './rules/separation-of-duties.rule.js';

export type * from './state-machine/request.actions.js';
export type * from './state-machine/transition.result.js';
export type { TransitionDefinition, TransitionTarget, Trigger } from './state-machine/request.transitions.js';
export { ACTION_TYPES, actionsFrom, REQUEST_TRANSITIONS } from './state-machine/request.transitions.js';
export { RequestStateMachine, type DraftInput } from './state-machine/request.state-machine.js';

export {
  countOpenEmergencies,
  isOpenEmergency,
  lapsedOrders,
  overdueEmergencies,
} from './scheduling/workflow.schedule.js';
