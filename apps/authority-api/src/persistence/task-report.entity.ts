import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMillis } from '#evx/persistence';

/**
 * Where authority-api stands in a report stream (TaskDispatchService.StreamTaskReports): the cursor of the last
 * report applied, written in the transaction that applied it, so a restart resumes exactly after it.
 */
@Entity('authority_report_cursor')
export class ReportCursorEntity {
  /** The stream, e.g. `provider-edge`. */
  @PrimaryColumn({ type: 'varchar', length: 63 })
  source: string;

  /** Opaque, as provider-edge sent it. */
  @Column({ type: 'varchar', length: 255 })
  cursor: string;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillis })
  updatedAt: number;
}

/**
 * Every report seen, by its id: a report delivered again (at-least-once) finds its row and changes nothing. The
 * outcome says whether it moved the order (`applied`) or was recorded without effect (`ignored`, with why).
 */
@Entity('authority_task_report')
@Index('authority_task_report_order', ['authorisationId'])
export class TaskReportEntity {
  @PrimaryColumn({ name: 'report_id', type: 'varchar', length: 64 })
  reportId: string;

  @Column({ name: 'authorisation_id', type: 'varchar', length: 36 })
  authorisationId: string;

  /** acknowledged, clarification_requested, refused, completed. */
  @Column({ type: 'varchar', length: 32 })
  kind: string;

  @Column({ type: 'integer' })
  generation: number;

  @Column({ name: 'adapter_uri', type: 'varchar', length: 255 })
  adapterUri: string;

  @Column({ type: 'varchar', length: 16 })
  outcome: string;

  @Column({ type: 'text' })
  detail: string;

  @Column({ name: 'reported_at', type: 'bigint', transformer: epochMillis })
  reportedAt: number;

  @Column({ name: 'applied_at', type: 'bigint', transformer: epochMillis })
  appliedAt: number;
}
