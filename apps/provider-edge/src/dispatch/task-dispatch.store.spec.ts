import type { Task } from '#evx/proto';
import { keepAdapterFacts } from './task-dispatch.store.js';

const task = (over: Partial<Task>): Task =>
  ({
    taskId: 't',
    generation: 1,
    status: 'TASK_STATUS_AWAITING_ACKNOWLEDGEMENT',
    desiredStatus: 'TASK_DESIRED_STATUS_ACTIVE',
    providerReference: '',
    clarifications: [],
    refusal: null,
    ...over,
  }) as unknown as Task;

describe('keepAdapterFacts (a new generation over what the adapter did)', () => {
  it("keeps the adapter's final status on a new generation", () => {
    for (const status of ['TASK_STATUS_FULFILLED', 'TASK_STATUS_PARTIALLY_FULFILLED', 'TASK_STATUS_REFUSED'] as const) {
      const next = keepAdapterFacts(task({ generation: 2 }), task({ status }));
      expect([next.generation, next.status]).toEqual([2, status]);
    }
  });

  it('lets a cancellation through, and a non-final status follow the new generation', () => {
    const cancelled = keepAdapterFacts(
      task({ generation: 2, desiredStatus: 'TASK_DESIRED_STATUS_CANCELLED', status: 'TASK_STATUS_CANCELLED' }),
      task({ status: 'TASK_STATUS_FULFILLED' }),
    );
    expect(cancelled.status).toBe('TASK_STATUS_CANCELLED');
    const acknowledged = keepAdapterFacts(task({ generation: 2 }), task({ status: 'TASK_STATUS_ACKNOWLEDGED' }));
    expect(acknowledged.status).toBe('TASK_STATUS_AWAITING_ACKNOWLEDGEMENT');
  });
});
