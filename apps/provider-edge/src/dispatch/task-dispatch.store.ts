// Writes dispatched tasks into provider_task, the table the task stream reads. A task, or a new generation of it,
// goes to the end of its provider's stream (position = last + 1), so adapters that resume after their cursor see
// it; the unique (provider, position) index turns two concurrent dispatches into one retry.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Task } from '#evx/proto';
import { TaskEntity } from '../persistence/task.entity.js';
import { STREAM_WAKEUPS, type StreamWakeups } from '../stream-wakeups.js';
import { wireJson } from '../persistence/wire-json.js';

const ATTEMPTS = 5;

/** The stored JSON must go back through proto-loader's fromObject: bytes as base64, never Buffer's JSON shape. */
export function taskJson(task: Task): string {
  return wireJson(task);
}

@Injectable()
export class TaskDispatchStore {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() @Inject(STREAM_WAKEUPS) private readonly wakeups?: StreamWakeups,
  ) {}

  /** Returns the task's position on its stream; a generation already stored (or older) changes nothing. */
  async dispatch(task: Task, now: Date): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        const position = await this.dataSource.transaction(async (manager) => {
          const existing = await manager.findOneBy(TaskEntity, { id: task.taskId });
          const previous = existing ? (JSON.parse(existing.bundle) as Task) : undefined;
          if (existing && previous && previous.generation >= task.generation) return existing.position;
          const stored = previous ? keepAdapterFacts(task, previous) : task;
          const last = await manager
            .createQueryBuilder(TaskEntity, 't')
            .select('MAX(t.position)', 'max')
            .where('t.provider_id = :p', { p: task.providerId })
            .getRawOne<{ max: string | number | null }>();
          const position = Number(last?.max ?? 0) + 1;
          const columns = {
            providerId: task.providerId,
            position,
            requestId: task.authorisationId,
            status: stored.status,
            bundle: taskJson(stored),
            updatedAt: now.getTime(),
          };
          if (existing) await manager.update(TaskEntity, { id: task.taskId }, columns);
          else await manager.insert(TaskEntity, { id: task.taskId, createdAt: now.getTime(), ...columns });
          return position;
        });
        // Open task streams of this process read it now rather than at their next poll.
        this.wakeups?.tasks.notify();
        return position;
      } catch (error) {
        // Another dispatch took the position: try again after it.
        if (attempt >= ATTEMPTS) throw error;
      }
    }
  }
}

/** The adapter's final word on a task; a new generation does not undo it, only a cancellation replaces it. */
const ADAPTER_FINAL: ReadonlySet<Task['status']> = new Set<Task['status']>([
  'TASK_STATUS_FULFILLED',
  'TASK_STATUS_PARTIALLY_FULFILLED',
  'TASK_STATUS_REFUSED',
] as Task['status'][]);

/**
 * What the adapter told provider-edge stays on a new generation even when authority-api has not applied it yet:
 * the first provider reference, the questions asked, the refusal given, and a final status (fulfilled, refused)
 * unless the new generation cancels the task.
 */
export function keepAdapterFacts(next: Task, previous: Task): Task {
  const cancels = next.desiredStatus === 'TASK_DESIRED_STATUS_CANCELLED' || next.status === 'TASK_STATUS_CANCELLED';
  const keepStatus = ADAPTER_FINAL.has(previous.status) && !cancels;
  return {
    ...next,
    ...(keepStatus ? { status: previous.status } : {}),
    providerReference: next.providerReference || previous.providerReference,
    clarifications: next.clarifications?.length ? next.clarifications : (previous.clarifications ?? []),
    refusal: next.refusal ?? previous.refusal ?? null,
  };
}
