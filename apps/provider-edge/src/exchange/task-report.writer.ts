// Appends to the report stream (provider_task_report) inside the transaction of the task change it reports, so
// authority-api never sees a report of a change that did not commit, nor misses one that did.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { timestampFromDate, type TaskReport } from '#evx/proto';
import { TaskReportEntity } from '../persistence/exchange.entities.js';
import { wireJson } from '../persistence/wire-json.js';

export type ReportBody = Omit<TaskReport, 'reportId' | 'reportedAt'>;

/** Writes the report at the end of the stream; a concurrent writer taking the same position fails the transaction. */
export async function appendTaskReport(manager: EntityManager, body: ReportBody, now: Date): Promise<TaskReport> {
  const last = await manager
    .createQueryBuilder(TaskReportEntity, 'r')
    .select('MAX(r.position)', 'max')
    .getRawOne<{ max: string | number | null }>();
  const report: TaskReport = { ...body, reportId: randomUUID(), reportedAt: timestampFromDate(now) };
  await manager.insert(TaskReportEntity, {
    position: Number(last?.max ?? 0) + 1,
    reportId: report.reportId,
    taskId: report.taskId,
    body: wireJson(report),
    createdAt: now.getTime(),
  });
  return report;
}
