// The contract between the state machine's core (request.state-machine.ts) and the handler of each transition.
import { EvxError } from '#evx/errors';
import type { Actor } from '../model/actor.model.js';
import type { Authorisation } from '../model/authorisation.model.js';
import type { DesiredStatus, RequestStatus } from '../model/workflow.vocabulary.js';
import type { WorkflowPolicies } from '../policy/policy.model.js';
import type { ActionOf, ActionType } from './request.actions.js';
import type { WorkflowEffect } from './transition.result.js';

export interface HandlerContext<T extends ActionType> {
  readonly request: Authorisation;
  readonly action: ActionOf<T>;
  readonly actor: Actor;
  readonly now: Date;
  readonly policies: WorkflowPolicies;
}

/** Fields a handler may change besides status; identity, details, generation and timestamps belong to the core. */
export type AuthorisationPatch = Partial<
  Omit<Authorisation, 'authorisationId' | 'generation' | 'details' | 'status' | 'desiredStatus' | 'lastChanged'>
>;

export interface Change {
  readonly status: RequestStatus;
  readonly desiredStatus?: DesiredStatus;
  /** Goes into the audit fact, and into statusReason when the status changes. */
  readonly reason: string;
  readonly patch?: AuthorisationPatch;
  readonly effects?: readonly WorkflowEffect[];
}

export type Handler<T extends ActionType> = (context: HandlerContext<T>) => Change;

/** A precondition other than the status failed: the message says which and what to do instead. */
export function preconditionFailed(message: string, code = 'FAILED_PRECONDITION'): EvxError {
  return new EvxError('failed-precondition', message, code);
}

export function policyViolation(message: string): EvxError {
  return new EvxError('failed-precondition', message, 'POLICY_VIOLATION');
}

/** For transitions that record something without moving the status. */
export function unchanged(request: Authorisation): RequestStatus {
  return request.status;
}
