// Applies one report of provider-edge (TaskDispatchService.StreamTaskReports) to its order through the workflow:
// acknowledged, clarification requested, refused, completed (fulfilled or partially, then delivered when the vault
// holds the complete package). One transaction holds everything: the order's new generation(s) with compare-and-set,
// the watch feed rows, the audit events, the package reference, the report's id (a repeat changes nothing) and the
// stream's cursor. A report the workflow refuses (wrong status, another provider, withdrawn order) is recorded as
// `ignored` with the reason and audited, and the stream moves on: one bad report must never block the others.
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditFacts } from '#evx/audit';
import { EvxError, isEvxError } from '#evx/errors';
import { dateFromTimestamp, type EvidencePackage, type Refusal as WireRefusal, type TaskReport } from '#evx/proto';
import { AuditTrail } from '#evx/transport';
import {
  fromProtoName,
  PROTO_ENUM_PREFIX as P,
  REFUSAL_GROUNDS,
  type Actor,
  type Authorisation,
  type AuditFact,
  type Clock,
  type RefusalInput,
  type WorkflowAction,
  type WorkflowEffect,
} from '#evx/workflow';
import { RequestChangeEntity, RequestEntity } from '../persistence/request.entity.js';
import { ReportCursorEntity, TaskReportEntity } from '../persistence/task-report.entity.js';
import { auditFactsOf } from '../requests/request-audit.js';
import { RequestRepository } from '../requests/request.repository.js';
import { RequestWorkflowService, SERVICE_ACTOR } from '../requests/request-workflow.service.js';
import type { StoredRequest } from '../requests/stored-request.js';
import { WORKFLOW_CLOCK } from '../requests/request-workflow.tokens.js';

/** The report stream authority-api follows. */
export const PROVIDER_EDGE_REPORTS = 'provider-edge';

export type ReportKind = 'acknowledged' | 'clarification_requested' | 'refused' | 'completed';

export interface ReportOutcome {
  /** `applied`: the order moved; `ignored`: recorded without effect (see `detail`); `duplicate`: seen before. */
  readonly outcome: 'applied' | 'ignored' | 'duplicate';
  readonly detail: string;
  /** The order after the report, when it exists. */
  readonly stored?: StoredRequest;
  /** What the transitions ask for next (none for provider transitions today; carried out by the caller). */
  readonly effects: readonly WorkflowEffect[];
}

const ATTEMPTS = 5;
const MAX_TEXT = 4000;

export function kindOf(report: TaskReport): ReportKind | undefined {
  if (report.acknowledged) return 'acknowledged';
  if (report.clarificationRequested) return 'clarification_requested';
  if (report.refused) return 'refused';
  if (report.completed) return 'completed';
  return undefined;
}

const AUDIT_OF_KIND: Record<ReportKind, string> = {
  acknowledged: 'AUDIT_ACTION_TASK_ACKNOWLEDGED',
  clarification_requested: 'AUDIT_ACTION_CLARIFICATION_REQUESTED',
  refused: 'AUDIT_ACTION_TASK_REFUSED',
  completed: 'AUDIT_ACTION_TASK_COMPLETED',
};

function refusalInput(refusal: WireRefusal | null | undefined, what: string): RefusalInput {
  if (!refusal) throw new EvxError('invalid-argument', `${what} carries no grounds`);
  return {
    ground: fromProtoName(P.RefusalGround, REFUSAL_GROUNDS, refusal.ground, `${what}.ground`),
    explanation: refusal.explanation,
    selectorIds: refusal.selectorIds,
  };
}

type Step = readonly [Actor, WorkflowAction];

/** The workflow transitions a report stands for, given where the order is. */
export function stepsFor(report: TaskReport, order: Authorisation, withdrawalGeneration?: number): Step[] {
  const adapter: Actor = { kind: 'adapter', uri: report.adapterUri, provider: report.providerId };
  if (report.acknowledged) {
    // Acknowledging the generation that carries a withdrawal confirms it (an older generation's acknowledgement,
    // still on its way, does not: the provider has not seen the withdrawal yet); a preservation order is then in
    // force.
    const sawWithdrawal = withdrawalGeneration === undefined || report.generation >= withdrawalGeneration;
    if (order.desiredStatus === 'WITHDRAWN' && sawWithdrawal) return [[adapter, { type: 'confirm-withdrawal' }]];
    if (order.details.preservationOnly) return [[adapter, { type: 'confirm-preservation' }]];
    return [[adapter, { type: 'acknowledge' }]];
  }
  if (report.clarificationRequested) {
    const c = report.clarificationRequested;
    return [
      [
        adapter,
        {
          type: 'request-clarification',
          clarificationId: c.clarificationId || report.reportId,
          question: c.question,
          selectorIds: c.selectorIds,
        },
      ],
    ];
  }
  if (report.refused) return [[adapter, { type: 'refuse', refusal: refusalInput(report.refused, 'the refusal') }]];
  if (report.completed) {
    const c = report.completed;
    const steps: Step[] = [];
    // provider-edge takes uploads only for acknowledged tasks; should that report have been lost, the completion
    // implies it.
    if (order.status === 'DISPATCHED') steps.push([adapter, { type: 'acknowledge' }]);
    if (c.outcome === 'COMPLETION_OUTCOME_FULFILLED') steps.push([adapter, { type: 'fulfil' }]);
    else if (c.outcome === 'COMPLETION_OUTCOME_PARTIALLY_FULFILLED')
      steps.push([
        adapter,
        { type: 'fulfil-partially', unfulfilled: refusalInput(c.unfulfilled, 'the partial fulfilment') },
      ]);
    else
      throw new EvxError(
        'invalid-argument',
        `completion outcome ${String(c.outcome)} is neither FULFILLED nor PARTIALLY_FULFILLED`,
      );
    const pkg = c.evidencePackage;
    if (pkg?.packageId && pkg.state === 'PACKAGE_STATE_COMPLETE')
      steps.push([SERVICE_ACTOR, { type: 'deliver', packageId: pkg.packageId }]);
    return steps;
  }
  throw new EvxError('invalid-argument', `report ${report.reportId} says nothing the workflow knows`);
}

/** Whether an error means "the workflow refuses this report", as opposed to "try again" (database, race). */
function refusedByWorkflow(error: unknown): error is EvxError {
  return (
    isEvxError(error) &&
    ['failed-precondition', 'invalid-argument', 'permission-denied', 'already-exists', 'not-found'].includes(error.kind)
  );
}

@Injectable()
export class TaskReportApplier {
  private readonly logger = new Logger('TaskReports');

  constructor(
    private readonly workflow: RequestWorkflowService,
    private readonly repository: RequestRepository,
    private readonly audit: AuditTrail,
    @Inject(WORKFLOW_CLOCK) private readonly clock: Clock,
  ) {}

  /** The cursor to resume `source` after; empty when nothing was applied yet. */
  async cursor(source: string = PROVIDER_EDGE_REPORTS): Promise<string> {
    const row = await this.repository.dataSource.manager.findOneBy(ReportCursorEntity, { source });
    return row?.cursor ?? '';
  }

  /** Forgets the cursor (provider-edge no longer knows it): the stream restarts, and report ids keep it idempotent. */
  async resetCursor(source: string = PROVIDER_EDGE_REPORTS): Promise<void> {
    await this.repository.dataSource.transaction(async (manager) => {
      await manager.delete(ReportCursorEntity, { source });
    });
  }

  /**
   * Applies `report`, received at `cursor`, exactly once. A lost race with another writer of the order
   * (stale generation) is retried on the fresh order.
   */
  async apply(report: TaskReport, cursor: string, source: string = PROVIDER_EDGE_REPORTS): Promise<ReportOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.repository.dataSource.transaction((manager) =>
          this.applyIn(manager, report, cursor, source),
        );
        if (outcome.outcome !== 'duplicate') void this.audit.delivered();
        if (outcome.outcome === 'ignored')
          this.logger.warn(`report ${report.reportId} on order ${report.authorisationId} ignored: ${outcome.detail}`);
        return outcome;
      } catch (error) {
        const retry = isEvxError(error) && error.kind === 'stale-generation';
        if (!retry || attempt >= ATTEMPTS) throw error;
      }
    }
  }

  private async applyIn(
    manager: EntityManager,
    report: TaskReport,
    cursor: string,
    source: string,
  ): Promise<ReportOutcome> {
    // A report without an id (a provider-edge bug) is known by its position, so it still cannot apply twice.
    if (!report.reportId) report = { ...report, reportId: `cursor:${cursor}`.slice(0, 64) };
    const now = this.clock.now();
    if (await manager.findOneBy(TaskReportEntity, { reportId: report.reportId })) {
      await this.saveCursor(manager, source, cursor, now);
      return { outcome: 'duplicate', detail: `report ${report.reportId} was applied before`, effects: [] };
    }
    const kind = kindOf(report);
    const stored = await this.repository.find(report.authorisationId, manager);
    let outcome: ReportOutcome;
    if (!stored) {
      outcome = { outcome: 'ignored', detail: `no order ${report.authorisationId}`, effects: [] };
    } else if (!kind) {
      outcome = { outcome: 'ignored', detail: 'the report says nothing this version knows', stored, effects: [] };
    } else {
      outcome = await this.transition(manager, report, kind, stored, now);
    }
    // Only a completion the order took: a refused or ignored one must not overwrite the package on record.
    if (stored && outcome.outcome === 'applied' && report.completed?.evidencePackage) {
      await this.savePackage(manager, stored.authorisation.authorisationId, report.completed.evidencePackage);
    }
    await manager.insert(TaskReportEntity, {
      reportId: report.reportId,
      authorisationId: report.authorisationId.slice(0, 36),
      kind: kind ?? 'unknown',
      generation: report.generation,
      adapterUri: report.adapterUri.slice(0, 255),
      outcome: outcome.outcome,
      detail: outcome.detail.slice(0, MAX_TEXT),
      reportedAt: report.reportedAt ? dateFromTimestamp(report.reportedAt).getTime() : now.getTime(),
      appliedAt: now.getTime(),
    });
    await this.saveCursor(manager, source, cursor, now);
    return outcome;
  }

  /** Runs the report's transitions in memory, then writes the result once; a refusal writes only its audit event. */
  private async transition(
    manager: EntityManager,
    report: TaskReport,
    kind: ReportKind,
    stored: StoredRequest,
    now: Date,
  ): Promise<ReportOutcome> {
    const related = relatedObjects(report);
    const facts: AuditFact[] = [];
    const effects: WorkflowEffect[] = [];
    const changes: StoredRequest[] = [];
    let current = stored;
    try {
      const withdrawal =
        stored.authorisation.desiredStatus === 'WITHDRAWN'
          ? await manager
              .createQueryBuilder(RequestChangeEntity, 'c')
              .select('MIN(c.generation)', 'generation')
              .where('c.authorisation_id = :id AND c.desired_status = :w', {
                id: stored.authorisation.authorisationId,
                w: 'REQUEST_DESIRED_STATUS_WITHDRAWN',
              })
              .getRawOne<{ generation: number | string | null }>()
          : undefined;
      const withdrawalGeneration = withdrawal?.generation == null ? undefined : Number(withdrawal.generation);
      for (const [actor, action] of stepsFor(report, stored.authorisation, withdrawalGeneration)) {
        const result = this.workflow.machine.transition(current.authorisation, action, actor, now);
        current = { authorisation: result.authorisation, bundle: current.bundle };
        facts.push(result.audit);
        effects.push(...result.effects);
        changes.push(current);
      }
    } catch (error) {
      if (!refusedByWorkflow(error)) throw error;
      const a = stored.authorisation;
      await this.audit.record(manager, [
        {
          actorUri: report.adapterUri || SERVICE_ACTOR.uri,
          action: AUDIT_OF_KIND[kind],
          objects: [{ type: 'OBJECT_TYPE_AUTHORISATION', id: a.authorisationId }, ...related],
          oldState: a.status,
          newState: a.status,
          reason:
            `report ${report.reportId} (task generation ${report.generation}) not applied: ${error.message}`.slice(
              0,
              MAX_TEXT,
            ),
        },
      ]);
      return { outcome: 'ignored', detail: error.message, stored, effects: [] };
    }
    await this.repository.compareAndSet(manager, current, stored.authorisation.generation);
    const audits: AuditFacts[] = facts.flatMap((fact) => auditFactsOf(fact, [], related));
    for (let i = 0; i < facts.length; i++) await this.repository.recordChange(manager, facts[i]!, changes[i]!);
    await this.audit.record(manager, audits);
    const moved = facts.map((f) => `${f.action} (${f.fromStatus} → ${f.toStatus})`).join(', ');
    return { outcome: 'applied', detail: moved, stored: current, effects };
  }

  private async savePackage(manager: EntityManager, id: string, pkg: EvidencePackage): Promise<void> {
    if (pkg.authorisationId && pkg.authorisationId !== id) {
      this.logger.warn(`package ${pkg.packageId} names order ${pkg.authorisationId}, not ${id}; not recorded`);
      return;
    }
    await manager.update(
      RequestEntity,
      { id },
      {
        packageId: pkg.packageId || null,
        packageState: pkg.state || null,
        packageLogIndex: count(pkg.logIndex),
        packageRecordCount: count(pkg.recordCount),
        packagePayloadBytes: count(pkg.payloadBytes),
      },
    );
  }

  private async saveCursor(manager: EntityManager, source: string, cursor: string, now: Date): Promise<void> {
    if (!cursor) return;
    await manager.upsert(ReportCursorEntity, { source, cursor, updatedAt: now.getTime() }, ['source']);
  }
}

/** An int64 of the wire (decimal string, or absent in a report written as JSON) as a column value. */
function count(value: string | number | null | undefined): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** The task, and the package of a completion, named in the audit events beside the order. */
function relatedObjects(report: TaskReport): AuditFacts['objects'] {
  const objects: AuditFacts['objects'] = [];
  if (report.taskId) objects.push({ type: 'OBJECT_TYPE_TASK', id: report.taskId });
  const packageId = report.completed?.evidencePackage?.packageId;
  if (packageId) objects.push({ type: 'OBJECT_TYPE_EVIDENCE_PACKAGE', id: packageId });
  return objects;
}
