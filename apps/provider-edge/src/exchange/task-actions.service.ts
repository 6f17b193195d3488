// AcknowledgeTask, RequestClarification and RefuseTask: each a decision on the adapter's own task, committed with
// its audit event and its report by TaskChangeRunner.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EvxError } from '#evx/errors';
import type { AdapterIdentity } from '#evx/pki';
import {
  timestampFromDate,
  type AcknowledgeTaskRequest,
  type Clarification,
  type Refusal,
  type RefuseTaskRequest,
  type RequestClarificationRequest,
  type Task,
} from '#evx/proto';
import { TaskChangeRunner, taskFacts, type TaskDecision } from './task-change.runner.js';
import {
  FINISHED,
  isDisclosure,
  requireActive,
  requireCurrentGeneration,
  requireKnownSelectors,
  requireText,
} from './task-rules.js';

const MAX_PROVIDER_REFERENCE = 128;

@Injectable()
export class TaskActionsService {
  constructor(private readonly tasks: TaskChangeRunner) {}

  /** Idempotent: a generation acknowledged before, or an older one, changes nothing. */
  acknowledge(adapter: AdapterIdentity, request: AcknowledgeTaskRequest): Promise<Task> {
    const reference = request.providerReference.trim();
    if (reference.length > MAX_PROVIDER_REFERENCE) {
      throw new EvxError('invalid-argument', `provider_reference is longer than ${MAX_PROVIDER_REFERENCE} characters`);
    }
    return this.tasks.change(adapter, request.taskId, ({ task, acknowledgedGeneration }): TaskDecision => {
      if (request.generation > task.generation) {
        throw new EvxError(
          'invalid-argument',
          `task ${task.taskId} has no generation ${request.generation} yet (current: ${task.generation})`,
        );
      }
      if (request.generation < task.generation || acknowledgedGeneration >= task.generation) return { unchanged: true };
      const next: Task = {
        ...task,
        status: acknowledgedStatus(task),
        providerReference: task.providerReference || reference,
      };
      return {
        next,
        acknowledgedGeneration: task.generation,
        audit: [taskFacts(adapter, 'AUDIT_ACTION_TASK_ACKNOWLEDGED', task, next, 'the adapter acknowledged the task')],
        report: { acknowledged: { providerReference: next.providerReference } },
      };
    });
  }

  requestClarification(adapter: AdapterIdentity, request: RequestClarificationRequest): Promise<Task> {
    requireText(request.question, 'question', true);
    return this.tasks.change(adapter, request.taskId, ({ task }, now): TaskDecision => {
      requireCurrentGeneration(task, request.expectedGeneration);
      requireActive(task, 'questioned');
      if (task.status === 'TASK_STATUS_CLARIFICATION_REQUESTED') {
        throw new EvxError(
          'failed-precondition',
          `task ${task.taskId} already has an open question; the answer arrives as a new task generation`,
          'INVALID_STATE',
        );
      }
      requireKnownSelectors(task, request.selectorIds, 'selector_ids');
      const clarification: Clarification = {
        clarificationId: randomUUID(),
        question: request.question,
        selectorIds: request.selectorIds,
        askedByUri: adapter.uri,
        askedAt: timestampFromDate(now),
        answer: '',
        answeredByUri: '',
        answeredAt: null,
      };
      const next: Task = {
        ...task,
        status: 'TASK_STATUS_CLARIFICATION_REQUESTED',
        clarifications: [...(task.clarifications ?? []), clarification],
      };
      return {
        next,
        audit: [taskFacts(adapter, 'AUDIT_ACTION_CLARIFICATION_REQUESTED', task, next, request.question)],
        report: { clarificationRequested: clarification },
      };
    });
  }

  refuse(adapter: AdapterIdentity, request: RefuseTaskRequest): Promise<Task> {
    const refusalOf = refusalFrom(adapter, request, 'ground');
    return this.tasks.change(adapter, request.taskId, ({ task }, now): TaskDecision => {
      requireCurrentGeneration(task, request.expectedGeneration);
      requireActive(task, 'refused');
      requireKnownSelectors(task, request.selectorIds, 'selector_ids');
      const refusal = refusalOf(now);
      const next: Task = { ...task, status: 'TASK_STATUS_REFUSED', refusal };
      const reason = `${refusal.ground}${refusal.explanation ? `: ${refusal.explanation}` : ''}`;
      return {
        next,
        audit: [taskFacts(adapter, 'AUDIT_ACTION_TASK_REFUSED', task, next, reason)],
        report: { refused: refusal },
      };
    });
  }
}

/** What acknowledging the current generation means for the task's status. */
function acknowledgedStatus(task: Task): Task['status'] {
  if (task.desiredStatus === 'TASK_DESIRED_STATUS_CANCELLED') return 'TASK_STATUS_CANCELLED';
  if (FINISHED.has(task.status)) return task.status;
  return isDisclosure(task) ? 'TASK_STATUS_ACKNOWLEDGED' : 'TASK_STATUS_PRESERVED';
}

/** Validated grounds (a refusal, or what a partial fulfilment leaves out), stamped with who and when. */
export function refusalFrom(
  adapter: AdapterIdentity,
  given: { ground: Refusal['ground']; explanation: string; selectorIds: string[] },
  field: string,
): (now: Date) => Refusal {
  if (!given.ground || given.ground === 'REFUSAL_GROUND_UNSPECIFIED') {
    throw new EvxError('invalid-argument', `${field} is required: one of the REFUSAL_GROUND_* values`);
  }
  if (given.ground === 'REFUSAL_GROUND_OTHER' && given.explanation.trim() === '') {
    throw new EvxError('invalid-argument', `explanation is required when the ${field} is REFUSAL_GROUND_OTHER`);
  }
  requireText(given.explanation, 'explanation', false);
  return (now) => ({
    ground: given.ground,
    explanation: given.explanation,
    selectorIds: given.selectorIds,
    refusedByUri: adapter.uri,
    refusedAt: timestampFromDate(now),
  });
}
