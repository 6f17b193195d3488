// An agency's workflow policy, as loadPolicies resolves it from the policy file (defaults merged with the agency's
// overrides). docs/workflow.md explains each setting and the shipped defaults.
import { EvxError } from '#evx/errors';
import type { ApprovalStep } from '../model/authorisation.model.js';
import type { ApproverRole, RequestType } from '../model/workflow.vocabulary.js';

export interface EmergencyRules {
  /** Roles that may give the provisional approval alone (a duty officer by default). */
  readonly approverRoles: readonly ApproverRole[];
  /** Roles that may give the judicial validation afterwards (a judge by default). */
  readonly validatorRoles: readonly ApproverRole[];
  /** Categories an emergency order may ask for; content is left out by default. */
  readonly allowedRequestTypes: readonly RequestType[];
  /** How far before submission the requested period (and any IP observation) may start. */
  readonly maxLookBackDays: number;
  /** The provider's deadline from dispatch. */
  readonly providerDeadlineHours: number;
  /** From provisional approval to the judicial validation's due time (EU 2023/1543 Art 4(5): 48 h). */
  readonly validationWindowHours: number;
  /** With this many emergency orders of the agency already open, a new one needs a second duty approval. */
  readonly maxOpenBeforeSecondApproval: number;
  readonly minJustificationLength: number;
}

export interface PreservationRules {
  readonly periodDays: number;
  readonly extensionDays: number;
  readonly maxExtensions: number;
}

export interface AgencyPolicy {
  readonly agencyId: string;
  /** The standard path's approval chain per category: steps in order, each satisfied by any one of its roles. */
  readonly standard: Readonly<Record<RequestType, readonly ApprovalStep[]>>;
  readonly standardDeadlineDays: number;
  readonly emergency: EmergencyRules;
  readonly preservation: PreservationRules;
}

export interface WorkflowPolicies {
  readonly version: 1;
  readonly agencies: ReadonlyMap<string, AgencyPolicy>;
}

/** @throws EvxError failed-precondition when the agency has no policy: EVX moves no data without one. */
export function policyForAgency(policies: WorkflowPolicies, agencyId: string): AgencyPolicy {
  const policy = policies.agencies.get(agencyId);
  if (policy === undefined) {
    throw new EvxError(
      'failed-precondition',
      `Agency ${JSON.stringify(agencyId)} has no workflow policy, so its orders cannot be submitted or decided; ` +
        `add it under "agencies" in the policy file.`,
      'POLICY_VIOLATION',
    );
  }
  return policy;
}
