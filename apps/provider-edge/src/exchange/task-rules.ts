// The task states and checks every ProviderExchangeService call shares.
import { EvxError } from '#evx/errors';
import type { AdapterIdentity } from '#evx/pki';
import { WIRE_LIMITS, type Task } from '#evx/proto';

type Status = Task['status'];

/** Statuses after which the provider can do nothing more with the task. */
export const FINISHED: ReadonlySet<Status> = new Set<Status>([
  'TASK_STATUS_FULFILLED',
  'TASK_STATUS_PARTIALLY_FULFILLED',
  'TASK_STATUS_REFUSED',
  'TASK_STATUS_CANCELLED',
  'TASK_STATUS_EXPIRED',
] as Status[]);

export function isDisclosure(task: Task): boolean {
  return !task.preservation;
}

/** Another provider's task is refused (never shown); the caller learns nothing about it but that it is not its own. */
export function requireOwnTask(task: Task | undefined, taskId: string, adapter: AdapterIdentity): Task {
  if (!task) throw new EvxError('not-found', `task ${taskId} does not exist`);
  if (task.providerId !== adapter.provider) {
    throw new EvxError(
      'permission-denied',
      `task ${taskId} is not addressed to provider ${adapter.provider}; an adapter may act only on its own provider's tasks`,
      'OTHER_PROVIDER_TASK',
    );
  }
  return task;
}

export function requireCurrentGeneration(task: Task, expected: number): void {
  if (expected !== task.generation) {
    throw new EvxError(
      'stale-generation',
      `task ${task.taskId} is at generation ${task.generation}, not ${expected}: read the newer generation from the task stream and retry`,
      'STALE_GENERATION',
    );
  }
}

export function requireActive(task: Task, action: string): void {
  if (FINISHED.has(task.status)) {
    throw new EvxError(
      'failed-precondition',
      `task ${task.taskId} is ${task.status}; it can no longer be ${action}`,
      'INVALID_STATE',
    );
  }
  if (task.desiredStatus === 'TASK_DESIRED_STATUS_CANCELLED') {
    throw new EvxError(
      'failed-precondition',
      `task ${task.taskId} was cancelled by the authority (${task.statusReason || 'no reason given'}); acknowledge the cancellation instead`,
      'INVALID_STATE',
    );
  }
}

export function requireText(value: string, field: string, required: boolean): void {
  if (required && value.trim().length === 0) throw new EvxError('invalid-argument', `${field} is required`);
  if (value.length > WIRE_LIMITS.maxTextLength) {
    throw new EvxError('invalid-argument', `${field} is longer than ${WIRE_LIMITS.maxTextLength} characters`);
  }
}

/** Selector ids named by the adapter must be the order's own. */
export function requireKnownSelectors(task: Task, selectorIds: readonly string[], field: string): void {
  const known = new Set((task.authorisation?.requestDetails?.selectors ?? []).map((s) => s.selectorId));
  const unknown = selectorIds.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new EvxError(
      'invalid-argument',
      `${field} names ${unknown.join(', ')}, which the order does not have; its selectors are ${[...known].join(', ')}`,
      'UNKNOWN_SELECTOR',
    );
  }
}
