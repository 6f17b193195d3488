// Carries out a transition's effects on the provider side: puts the task on provider-edge's stream (internal
// mTLS, TaskDispatchService) and records the dispatch, or publishes a new task generation (cancellation with
// restrictData, expiry, updates). A provider-edge outage leaves the order APPROVED / PROVISIONALLY_APPROVED; the
// scheduler's tick dispatches it later (the status itself is the pending-dispatch flag).
import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Client } from '@grpc/grpc-js';
import { isEvxError } from '#evx/errors';
import { timestampFromDate, type DispatchTaskResponse, type SealEvidenceResponse, type Task } from '#evx/proto';
import { callInternal, VaultClient } from '#evx/transport';
import { taskOf, type Authorisation, type RequestStatus, type WorkflowEffect } from '#evx/workflow';
import { IsNull, Not, type Repository } from 'typeorm';
import { RequestEntity } from '../persistence/request.entity.js';
import { authorisationToWire } from './authorisation.wire.js';
import { RequestRepository } from './request.repository.js';
import { RequestWorkflowService, SERVICE_ACTOR } from './request-workflow.service.js';
import { bundleToWire, type StoredRequest } from './stored-request.js';

export const TASK_DISPATCH_CLIENT = Symbol('TASK_DISPATCH_CLIENT');

/** One task per order, with an id derived from the order's, so a retried dispatch names the same task. */
export function taskIdOf(authorisationId: string): string {
  const hex = createHash('sha256').update(`evx-task:${authorisationId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const TASK_STATUS: Partial<Record<RequestStatus, Task['status']>> = {
  ACKNOWLEDGED: 'TASK_STATUS_ACKNOWLEDGED' as Task['status'],
  CLARIFICATION_REQUESTED: 'TASK_STATUS_CLARIFICATION_REQUESTED' as Task['status'],
  PRESERVED: 'TASK_STATUS_PRESERVED' as Task['status'],
  FULFILLED: 'TASK_STATUS_FULFILLED' as Task['status'],
  PARTIALLY_FULFILLED: 'TASK_STATUS_PARTIALLY_FULFILLED' as Task['status'],
  REFUSED: 'TASK_STATUS_REFUSED' as Task['status'],
  EXPIRED: 'TASK_STATUS_EXPIRED' as Task['status'],
};

interface TaskChange {
  readonly cancelled?: boolean;
  readonly reason: string;
}

/** What a provider-side effect tells the provider, as it can be stored and sent again. */
function taskChangeOf(effect: WorkflowEffect): TaskChange | undefined {
  switch (effect.type) {
    case 'cancel-task':
      return {
        cancelled: true,
        reason: effect.restrictData ? `${effect.reason}; restrict the data already produced` : effect.reason,
      };
    case 'update-task':
    case 'expire-task':
      return { reason: effect.reason };
    default:
      return undefined;
  }
}

/** The provider's view of the order: details, the signed bundle it verifies itself, and its LDTask or LPTask. */
export function taskFor(stored: StoredRequest, taskId: string, change: TaskChange): Task {
  const a: Authorisation = stored.authorisation;
  const kind = taskOf(a);
  const wire = authorisationToWire(a, stored.bundle);
  const ts = (date: Date | undefined) => (date ? timestampFromDate(date) : undefined);
  return {
    taskId,
    authorisationId: a.authorisationId,
    generation: a.generation,
    providerId: a.details.targetProviderId,
    status: TASK_STATUS[a.status] ?? ('TASK_STATUS_AWAITING_ACKNOWLEDGEMENT' as Task['status']),
    desiredStatus: (change.cancelled
      ? 'TASK_DESIRED_STATUS_CANCELLED'
      : 'TASK_DESIRED_STATUS_ACTIVE') as Task['desiredStatus'],
    statusReason: change.reason,
    authorisation: wire.details,
    bundle: bundleToWire(stored.bundle),
    ...(kind?.kind === 'preservation'
      ? { preservation: { preservationExpiration: ts(kind.preservationExpiration) } }
      : { disclosure: { deadline: ts(kind?.deadline), preservationTaskId: '' } }),
    // The provider's questions with the authority's answers, and a refusal once given.
    clarifications: wire.clarifications,
    refusal: wire.refusal,
    providerReference: '',
    dispatchedAt: ts(a.dispatchedAt),
    lastChanged: ts(a.lastChanged),
  } as Task;
}

@Injectable()
export class TaskDispatcher implements OnModuleDestroy {
  private readonly logger = new Logger('TaskDispatcher');

  constructor(
    private readonly workflow: RequestWorkflowService,
    @Inject(TASK_DISPATCH_CLIENT) private readonly client: Client,
    private readonly vault: VaultClient,
    private readonly repository: RequestRepository,
  ) {}

  private get requests(): Repository<RequestEntity> {
    return this.repository.dataSource.getRepository(RequestEntity);
  }

  onModuleDestroy(): void {
    this.client.close();
  }

  /**
   * Carries out `effects` of a committed transition; returns the order as it stands afterwards. `actorUri` is whose
   * decision caused them (the judge refusing validation; EVX itself for a lapse).
   */
  async carryOut(
    stored: StoredRequest,
    effects: readonly WorkflowEffect[],
    actorUri = SERVICE_ACTOR.uri,
  ): Promise<StoredRequest> {
    let current = stored;
    for (const effect of effects) {
      try {
        current = await this.one(current, effect, actorUri);
      } catch (error) {
        // The change is committed and audited; the provider side catches up on the scheduler's next tick.
        if (!isEvxError(error) || error.kind !== 'unavailable') throw error;
        const change = taskChangeOf(effect);
        if (change) await this.remember(current.authorisation.authorisationId, change);
        this.logger.warn(
          `${effect.type} for order ${current.authorisation.authorisationId} deferred: ${error.message}`,
        );
      }
    }
    return current;
  }

  /** Puts an approved order on its provider's stream, then records the dispatch (verified bundle, complete plan). */
  async dispatch(stored: StoredRequest): Promise<StoredRequest> {
    const id = stored.authorisation.authorisationId;
    const taskId = taskIdOf(id);
    this.workflow.verify(stored.bundle, stored.authorisation, this.workflow.clock.now(), true);
    const prepared = await this.workflow.prepare(SERVICE_ACTOR, id, { type: 'dispatch', taskId });
    await this.send(taskFor(prepared.next, taskId, { reason: 'dispatched' }));
    await this.workflow.commit(prepared);
    return prepared.next;
  }

  /** Delivers the task changes that provider-edge could not take when they were made (the scheduler calls this). */
  async deliverPending(): Promise<string[]> {
    const rows = await this.requests.find({
      where: { pendingTaskChange: Not(IsNull()) },
      select: { id: true },
      take: 100,
    });
    const delivered: string[] = [];
    for (const { id } of rows) {
      const stored = await this.repository.find(id);
      const row = await this.requests.findOne({ where: { id }, select: { id: true, pendingTaskChange: true } });
      if (!stored?.authorisation.taskId || !row?.pendingTaskChange) continue;
      const change = JSON.parse(row.pendingTaskChange) as TaskChange;
      try {
        // The order as it is now, with the change's meaning (a cancellation stays a cancellation).
        await this.send(taskFor(stored, stored.authorisation.taskId, change));
      } catch (error) {
        if (isEvxError(error) && error.kind === 'unavailable') break;
        throw error;
      }
      await this.requests.manager.transaction((m) =>
        m.update(RequestEntity, { id, pendingTaskChange: row.pendingTaskChange }, { pendingTaskChange: null }),
      );
      delivered.push(id);
    }
    return delivered;
  }

  private async remember(id: string, change: TaskChange): Promise<void> {
    await this.requests.manager.transaction(async (m) => {
      const row = await m.findOne(RequestEntity, { where: { id }, select: { id: true, pendingTaskChange: true } });
      const before = row?.pendingTaskChange ? (JSON.parse(row.pendingTaskChange) as TaskChange) : undefined;
      // A cancellation is never downgraded by a later update.
      const merged: TaskChange = before?.cancelled && !change.cancelled ? before : change;
      await m.update(RequestEntity, { id }, { pendingTaskChange: JSON.stringify(merged) });
    });
  }

  private async one(stored: StoredRequest, effect: WorkflowEffect, actorUri: string): Promise<StoredRequest> {
    const taskId = stored.authorisation.taskId;
    switch (effect.type) {
      case 'dispatch-task':
        return this.dispatch(stored);
      case 'cancel-task':
      case 'update-task':
      case 'expire-task':
        if (taskId) await this.send(taskFor(stored, taskId, taskChangeOf(effect)!));
        return stored;
      case 'seal-evidence':
        // Recorded on the order (evidenceSealed, which download refuses) in the transition's transaction; the vault
        // seals its packages too (idempotent), so no path to the evidence stays open.
        await this.vault.call<SealEvidenceResponse>('sealEvidence', {
          authorisationId: stored.authorisation.authorisationId,
          reason:
            stored.authorisation.status === 'VALIDATION_REJECTED'
              ? 'SEAL_REASON_EMERGENCY_VALIDATION_REJECTED'
              : 'SEAL_REASON_EMERGENCY_VALIDATION_OVERDUE',
          details: effect.reason.slice(0, 4000),
          onBehalfOfUri: actorUri,
        });
        return stored;
    }
  }

  private async send(task: Task): Promise<void> {
    await callInternal<DispatchTaskResponse>(this.client, 'dispatchTask', { task });
  }
}
