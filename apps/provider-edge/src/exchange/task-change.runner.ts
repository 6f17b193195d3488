// One way to change a task on behalf of its adapter: read it, decide, and write the new Task, its audit event and
// its report in one transaction. Refusals for another provider's task are audited as ACCESS_DENIED.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditFacts } from '#evx/audit';
import { isEvxError } from '#evx/errors';
import type { AdapterIdentity } from '#evx/pki';
import { timestampFromDate, type Task } from '#evx/proto';
import { AuditTrail } from '#evx/transport';
import { TaskEntity } from '../persistence/task.entity.js';
import { STREAM_WAKEUPS, type StreamWakeups } from '../stream-wakeups.js';
import { wireJson } from '../persistence/wire-json.js';
import { appendTaskReport, type ReportBody } from './task-report.writer.js';
import { requireOwnTask } from './task-rules.js';

const ATTEMPTS = 5;

export type ReportKind = Pick<ReportBody, 'acknowledged' | 'clarificationRequested' | 'refused' | 'completed'>;

/** What a call decided: nothing (an idempotent repeat), or the task's next state with its trace. */
export type TaskDecision =
  | { readonly unchanged: true }
  | {
      readonly unchanged?: false;
      readonly next: Task;
      readonly audit: readonly AuditFacts[];
      readonly report: ReportKind;
      readonly acknowledgedGeneration?: number;
      /** Further writes of the same transaction (e.g. marking the upload complete). */
      readonly alsoWrite?: (manager: EntityManager) => Promise<void>;
    };

export interface StoredTask {
  readonly task: Task;
  readonly acknowledgedGeneration: number;
}

@Injectable()
export class TaskChangeRunner {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    @Optional() @Inject(STREAM_WAKEUPS) private readonly wakeups?: StreamWakeups,
  ) {}

  /** Reads the adapter's own task (no transaction): NOT_FOUND, or PERMISSION_DENIED for another provider's. */
  async read(adapter: AdapterIdentity, taskId: string): Promise<StoredTask> {
    return this.denialAudited(adapter, taskId, async () => {
      const row = await this.dataSource.getRepository(TaskEntity).findOneBy({ id: taskId });
      const task = requireOwnTask(row ? (JSON.parse(row.bundle) as Task) : undefined, taskId, adapter);
      return { task, acknowledgedGeneration: row!.acknowledgedGeneration };
    });
  }

  /** Runs `decide` on the current task and commits its decision; returns the task as it stands afterwards. */
  async change(
    adapter: AdapterIdentity,
    taskId: string,
    decide: (stored: StoredTask, now: Date) => TaskDecision,
  ): Promise<Task> {
    const task = await this.denialAudited(adapter, taskId, () => this.commit(adapter, taskId, decide));
    void this.audit.delivered();
    return task;
  }

  private async commit(
    adapter: AdapterIdentity,
    taskId: string,
    decide: (stored: StoredTask, now: Date) => TaskDecision,
  ): Promise<Task> {
    for (let attempt = 1; ; attempt++) {
      try {
        let reported = false;
        const task = await this.dataSource.transaction(async (manager) => {
          const row = await manager.findOneBy(TaskEntity, { id: taskId });
          const task = requireOwnTask(row ? (JSON.parse(row.bundle) as Task) : undefined, taskId, adapter);
          const now = new Date();
          const decision = decide({ task, acknowledgedGeneration: row!.acknowledgedGeneration }, now);
          if (decision.unchanged) return task;
          const next: Task = { ...decision.next, lastChanged: timestampFromDate(now) };
          const updated = await manager.update(
            TaskEntity,
            { id: taskId, updatedAt: row!.updatedAt, bundle: row!.bundle },
            {
              status: next.status,
              bundle: wireJson(next),
              updatedAt: now.getTime(),
              acknowledgedGeneration: decision.acknowledgedGeneration ?? row!.acknowledgedGeneration,
            },
          );
          if (updated.affected === 0) throw new Error(`task ${taskId} changed meanwhile`);
          await decision.alsoWrite?.(manager);
          await this.audit.record(manager, decision.audit);
          await appendTaskReport(
            manager,
            {
              taskId,
              authorisationId: next.authorisationId,
              generation: next.generation,
              providerId: next.providerId,
              adapterUri: adapter.uri,
              ...decision.report,
            },
            now,
          );
          reported = true;
          return next;
        });
        // authority-api's report stream, if served by this process, reads the report now.
        if (reported) this.wakeups?.reports.notify();
        return task;
      } catch (error) {
        // A concurrent change of the task or of the report stream: decide again on what is there now.
        if (isEvxError(error) || attempt >= ATTEMPTS) throw error;
      }
    }
  }

  /** Records a refused access to another provider's task in the audit trail, then lets the refusal through. */
  async denialAudited<T>(adapter: AdapterIdentity, taskId: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isEvxError(error) && error.code === 'OTHER_PROVIDER_TASK') {
        await this.dataSource.transaction((manager) =>
          this.audit.record(manager, [
            {
              actorUri: adapter.uri,
              action: 'AUDIT_ACTION_ACCESS_DENIED',
              objects: [
                { type: 'OBJECT_TYPE_TASK', id: taskId },
                { type: 'OBJECT_TYPE_ACTOR', id: adapter.uri },
              ],
              reason: error.message,
            },
          ]),
        );
        void this.audit.delivered();
      }
      throw error;
    }
  }
}

/** The audit facts of a task change by its adapter. */
export function taskFacts(
  adapter: AdapterIdentity,
  action: string,
  before: Task,
  after: Task,
  reason: string,
  extra: AuditFacts['objects'] = [],
): AuditFacts {
  return {
    actorUri: adapter.uri,
    action,
    objects: [
      { type: 'OBJECT_TYPE_TASK', id: before.taskId },
      { type: 'OBJECT_TYPE_AUTHORISATION', id: before.authorisationId },
      ...extra,
    ],
    oldState: before.status,
    newState: after.status,
    reason: `${reason} (generation ${before.generation})`.slice(0, 4000),
  };
}
