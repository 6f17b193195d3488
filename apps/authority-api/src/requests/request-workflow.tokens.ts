// Injection tokens of the request workflow: the clock (ManualClock in tests), the policies, the trust anchors.
export const WORKFLOW_CLOCK = Symbol('WORKFLOW_CLOCK');
export const WORKFLOW_POLICIES = Symbol('WORKFLOW_POLICIES');
export const TRUST_STORE = Symbol('TRUST_STORE');
