// What a transition hands back to the application: the new order, the audit fact to log, and the effects to carry
// out. The domain does no I/O; these are its instructions to the layers that do.
import type { Authorisation } from '../model/authorisation.model.js';
import type { ApproverRole, DesiredStatus, RequestStatus } from '../model/workflow.vocabulary.js';
import type { ActionType } from './request.actions.js';

/** One audit event: who did what to which order, from which state to which, and why. */
export interface AuditFact {
  readonly authorisationId: string;
  /** The transition's name; 'create' for a new draft. */
  readonly action: ActionType | 'create';
  readonly actorUri: string;
  /** The role an approver decided in. */
  readonly actorRole?: ApproverRole;
  /** Absent for 'create'. */
  readonly fromStatus?: RequestStatus;
  readonly toStatus: RequestStatus;
  readonly fromDesiredStatus?: DesiredStatus;
  readonly toDesiredStatus: DesiredStatus;
  /** The order's generation after the change. */
  readonly generation: number;
  readonly reason: string;
  readonly at: Date;
}

/** Something the application must do because of the transition, after persisting the new order. */
export type WorkflowEffect =
  /** Every approval is in: put the task on the provider's stream, then apply `dispatch`. */
  | { readonly type: 'dispatch-task' }
  /** The provider must get a new generation of its task (an answer, a longer preservation). */
  | { readonly type: 'update-task'; readonly reason: string }
  /** Set the task's desired status to CANCELLED and notify the provider; `restrictData`: stop using what it sent. */
  | { readonly type: 'cancel-task'; readonly reason: string; readonly restrictData: boolean }
  /** Mark the task EXPIRED. */
  | { readonly type: 'expire-task'; readonly reason: string }
  /** The vault must refuse every download of this order's evidence from now on. */
  | { readonly type: 'seal-evidence'; readonly reason: string };

export interface TransitionResult {
  readonly authorisation: Authorisation;
  readonly audit: AuditFact;
  readonly effects: readonly WorkflowEffect[];
}
