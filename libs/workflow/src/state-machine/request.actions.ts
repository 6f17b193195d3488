// What an actor asks the workflow to do. Authority actions name the generation the actor saw (ETSI Generation),
// always: a decision on a stale view is refused. Provider and system actions may name it; the provider's own calls
// carry the task's generation, which provider-edge checks itself.
import type { ApproverRole, RefusalGround } from '../model/workflow.vocabulary.js';

interface Seen {
  readonly expectedGeneration: number;
}
interface MaybeSeen {
  readonly expectedGeneration?: number;
}

/** Structured grounds, as the provider gives them. */
export interface RefusalInput {
  readonly ground: RefusalGround;
  /** Required for OTHER. */
  readonly explanation?: string;
  /** Selectors concerned; empty or absent for the whole order. */
  readonly selectorIds?: readonly string[];
}

// The requester's side.
export type SubmitAction = Seen & {
  readonly type: 'submit';
  /** The agency's other open emergency orders (countOpenEmergencies); decides whether a 2nd duty approval is due. */
  readonly openEmergencyOrders: number;
};
export type WithdrawAction = Seen & { readonly type: 'withdraw'; readonly reason: string };
export type AnswerClarificationAction = Seen & {
  readonly type: 'answer-clarification';
  readonly clarificationId: string;
  readonly answer: string;
};
export type ExtendPreservationAction = Seen & { readonly type: 'extend-preservation'; readonly reason: string };
export type CloseAction = Seen & { readonly type: 'close'; readonly reason?: string };

// The approvers' side.
export type ApproveAction = Seen & { readonly type: 'approve'; readonly role: ApproverRole; readonly reason?: string };
export type RejectAction = Seen & { readonly type: 'reject'; readonly role: ApproverRole; readonly reason: string };
export type ValidateAction = Seen & { readonly type: 'validate'; readonly role: ApproverRole; readonly reason: string };
export type RejectValidationAction = Seen & {
  readonly type: 'reject-validation';
  readonly role: ApproverRole;
  readonly reason: string;
};

// The provider's side.
export type AcknowledgeAction = MaybeSeen & { readonly type: 'acknowledge' };
export type ConfirmPreservationAction = MaybeSeen & { readonly type: 'confirm-preservation' };
export type RequestClarificationAction = MaybeSeen & {
  readonly type: 'request-clarification';
  readonly clarificationId: string;
  readonly question: string;
  readonly selectorIds?: readonly string[];
};
export type FulfilAction = MaybeSeen & { readonly type: 'fulfil' };
export type FulfilPartiallyAction = MaybeSeen & {
  readonly type: 'fulfil-partially';
  readonly unfulfilled: RefusalInput;
};
export type RefuseAction = MaybeSeen & { readonly type: 'refuse'; readonly refusal: RefusalInput };
export type ConfirmWithdrawalAction = MaybeSeen & { readonly type: 'confirm-withdrawal' };

// EVX itself.
export type DispatchAction = MaybeSeen & { readonly type: 'dispatch'; readonly taskId: string };
export type DeliverAction = MaybeSeen & { readonly type: 'deliver'; readonly packageId: string };
export type ExpireAction = MaybeSeen & { readonly type: 'expire' };
export type LinkProductionOrderAction = MaybeSeen & {
  readonly type: 'link-production-order';
  readonly productionAuthorisationId: string;
};
export type MarkValidationOverdueAction = MaybeSeen & { readonly type: 'mark-validation-overdue' };

export type WorkflowAction =
  | SubmitAction
  | WithdrawAction
  | AnswerClarificationAction
  | ExtendPreservationAction
  | CloseAction
  | ApproveAction
  | RejectAction
  | ValidateAction
  | RejectValidationAction
  | AcknowledgeAction
  | ConfirmPreservationAction
  | RequestClarificationAction
  | FulfilAction
  | FulfilPartiallyAction
  | RefuseAction
  | ConfirmWithdrawalAction
  | DispatchAction
  | DeliverAction
  | ExpireAction
  | LinkProductionOrderAction
  | MarkValidationOverdueAction;

export type ActionType = WorkflowAction['type'];
export type ActionOf<T extends ActionType> = Extract<WorkflowAction, { readonly type: T }>;
