// The scheduler: marks emergency validations overdue, expires lapsed orders, and dispatches approved orders whose
// dispatch failed (provider-edge was down). `tick()` is what tests call with a
// ManualClock; in the service it runs every `intervalMs`. A transition another instance already made
// (stale-generation, INVALID_STATE) is skipped, so several instances may run it. The seal is recorded on the order
// (evidenceSealed), which DownloadPackage refuses, and the vault's SealEvidence is called; the provider is told
// through a new task generation (desired status CANCELLED, restrict data).
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { isEvxError } from '#evx/errors';
import { lapsedOrders, overdueEmergencies, type WorkflowAction } from '#evx/workflow';
import { RequestWorkflowService, SERVICE_ACTOR } from './request-workflow.service.js';
import { TaskDispatcher } from './task-dispatcher.service.js';

export const SCHEDULER_INTERVAL = Symbol('SCHEDULER_INTERVAL');

@Injectable()
export class RequestSchedulerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RequestScheduler');
  private timer: NodeJS.Timeout | undefined;
  intervalMs = 60_000;

  constructor(
    private readonly workflow: RequestWorkflowService,
    private readonly dispatcher: TaskDispatcher,
  ) {}

  /** One round; returns the ids of the orders it moved. */
  async tick(): Promise<string[]> {
    const now = this.workflow.clock.now();
    const stored = await this.workflow.repository.schedulable();
    const orders = stored.map((s) => s.authorisation);
    const moves: [string, WorkflowAction][] = [
      ...overdueEmergencies(orders, now).map((o): [string, WorkflowAction] => [
        o.authorisationId,
        { type: 'mark-validation-overdue' },
      ]),
      ...lapsedOrders(orders, now).map((o): [string, WorkflowAction] => [o.authorisationId, { type: 'expire' }]),
    ];
    const moved: string[] = [];
    for (const [id, action] of moves) {
      try {
        const applied = await this.workflow.apply(SERVICE_ACTOR, id, action);
        await this.dispatcher.carryOut(applied.stored, applied.effects);
        moved.push(id);
      } catch (error) {
        if (isEvxError(error) && (error.kind === 'stale-generation' || error.code === 'INVALID_STATE')) continue;
        throw error;
      }
    }
    for (const pending of stored.filter((s) =>
      ['APPROVED', 'PROVISIONALLY_APPROVED'].includes(s.authorisation.status),
    )) {
      if (moved.includes(pending.authorisation.authorisationId)) continue;
      try {
        const after = await this.dispatcher.carryOut(pending, [{ type: 'dispatch-task' }]);
        // Still undispatched when provider-edge is unreachable: the next tick tries again.
        if (after.authorisation.status === 'DISPATCHED') moved.push(pending.authorisation.authorisationId);
      } catch (error) {
        if (isEvxError(error) && (error.kind === 'stale-generation' || error.code === 'INVALID_STATE')) continue;
        throw error;
      }
    }
    // Task changes provider-edge could not take when they were made (a withdrawal, a restrict-data notice).
    moved.push(...(await this.dispatcher.deliverPending()));
    return moved;
  }

  onApplicationBootstrap(): void {
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.tick().catch((error: unknown) => this.logger.error(`scheduler tick failed: ${String(error)}`));
    }, this.intervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
