// What a handler sees of a task: the verified order in the workflow's words, never the unverified wire copy alone.
import { dateFromTimestamp, type Clarification, type Notification, type Task } from '#evx/proto';
import type { AuthorisationDetails, RefusalGround, RequestType, Selector, TimeRange } from '#evx/workflow';
import type { VerifiedOrder } from './order.verifier.js';

export interface OrderTask {
  readonly taskId: string;
  readonly authorisationId: string;
  readonly generation: number;
  readonly providerId: string;
  readonly kind: 'disclosure' | 'preservation';
  /** The order as its requester signed it (verified against the authority trust anchors). */
  readonly order: AuthorisationDetails;
  /** Shortcuts into `order.requestDetails`: the scope EVX enforces on upload. */
  readonly requestTypes: readonly RequestType[];
  readonly selectors: readonly Selector[];
  readonly timeRange?: TimeRange;
  /** Disclosure: when the evidence is due. */
  readonly deadline?: Date;
  /** Preservation: until when the data must be kept. */
  readonly preservationExpiration?: Date;
  readonly clarifications: readonly Clarification[];
  /** The task as received, for anything not covered above. */
  readonly wire: Task;
}

/** A cancelled task: EVX wants the provider to stop (withdrawn, expired, emergency validation refused or late). */
export interface CancelledTask {
  readonly taskId: string;
  readonly authorisationId: string;
  readonly generation: number;
  readonly reason: string;
  /** The notice that explains it, when it has arrived; `restrictData` says the data produced must be restricted. */
  readonly notice?: Notification;
  readonly wire: Task;
}

/** What a handler can say about a task besides giving records. */
export interface TaskContext {
  /**
   * Refuses the order, or with `selectorIds` the part of it about those selectors. With no record given the task is
   * refused (RefuseTask); with records, it is completed as partially fulfilled with these grounds for the rest.
   */
  refuse(ground: RefusalGround, explanation: string, selectorIds?: readonly string[]): void;
  /** Asks the authority a question instead of answering; the answer comes back as a new generation of the task. */
  clarify(question: string, selectorIds?: readonly string[]): void;
}

export interface TaskDecisions {
  refusal?: { ground: RefusalGround; explanation: string; selectorIds: readonly string[] };
  clarification?: { question: string; selectorIds: readonly string[] };
}

export function taskContext(): { ctx: TaskContext; decisions: TaskDecisions } {
  const decisions: TaskDecisions = {};
  const ctx: TaskContext = {
    refuse: (ground, explanation, selectorIds = []) => {
      decisions.refusal = { ground, explanation, selectorIds };
    },
    clarify: (question, selectorIds = []) => {
      decisions.clarification = { question, selectorIds };
    },
  };
  return { ctx, decisions };
}

export function orderTaskOf(task: Task, verified: VerifiedOrder): OrderTask {
  const rd = verified.details.requestDetails;
  return {
    taskId: task.taskId,
    authorisationId: task.authorisationId,
    generation: task.generation,
    providerId: task.providerId,
    kind: task.preservation ? 'preservation' : 'disclosure',
    order: verified.details,
    requestTypes: rd.requestTypes,
    selectors: rd.selectors,
    ...(rd.timeRange ? { timeRange: rd.timeRange } : {}),
    ...(task.disclosure?.deadline ? { deadline: dateFromTimestamp(task.disclosure.deadline) } : {}),
    ...(task.preservation?.preservationExpiration
      ? { preservationExpiration: dateFromTimestamp(task.preservation.preservationExpiration) }
      : {}),
    clarifications: task.clarifications ?? [],
    wire: task,
  };
}
