import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber, epochMillis } from '#evx/persistence';

/**
 * What adapters did with their tasks, in the order it happened: the rows behind TaskDispatchService.StreamTaskReports,
 * written in the same transaction as the task change they report.
 */
@Entity('provider_task_report')
@Index('provider_task_report_id', ['reportId'], { unique: true })
export class TaskReportEntity {
  /** Position on the report stream (the cursor), 1, 2, 3 ... */
  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  position: number;

  @Column({ name: 'report_id', type: 'varchar', length: 36 })
  reportId: string;

  @Column({ name: 'task_id', type: 'varchar', length: 36 })
  taskId: string;

  /** The TaskReport as JSON (bytes as base64), sent as it is. */
  @Column({ type: 'text' })
  body: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;
}

/** A task's one upload and the vault package it fills. */
@Entity('provider_upload')
@Index('provider_upload_id', ['uploadId'], { unique: true })
export class UploadEntity {
  @PrimaryColumn({ name: 'task_id', type: 'varchar', length: 36 })
  taskId: string;

  @Column({ name: 'upload_id', type: 'varchar', length: 36 })
  uploadId: string;

  @Column({ name: 'package_id', type: 'varchar', length: 36 })
  packageId: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;

  /** When CompleteTask succeeded; null while the upload is open. */
  @Column({ name: 'completed_at', type: 'bigint', transformer: epochMillis, nullable: true })
  completedAt: number | null;
}

/**
 * A record of an upload that was not accepted. `origin` says who rejected it: `edge` (scope, size: never forwarded,
 * so the vault numbers the records without it) or `vault` (integrity, sequence).
 */
@Entity('provider_upload_rejection')
export class UploadRejectionEntity {
  @PrimaryColumn({ name: 'upload_id', type: 'varchar', length: 36 })
  uploadId: string;

  /** The adapter's sequence number. */
  @PrimaryColumn({ name: 'sequence_number', type: 'bigint', transformer: bigintNumber })
  sequenceNumber: number;

  @Column({ type: 'varchar', length: 8 })
  origin: 'edge' | 'vault';

  /** ErrorCode value name, e.g. ERROR_CODE_OUT_OF_SCOPE. */
  @Column({ type: 'varchar', length: 40 })
  code: string;

  @Column({ type: 'text' })
  reason: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;
}
