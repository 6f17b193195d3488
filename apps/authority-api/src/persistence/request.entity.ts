import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber, epochMillis } from '#evx/persistence';

@Entity('authority_request')
@Index('authority_request_agency_status', ['agency', 'status', 'createdAt'])
@Index('authority_request_agency_urgency', ['agency', 'urgency'])
export class RequestEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'case_reference', type: 'varchar', length: 128 })
  caseReference: string;

  @Column({ type: 'varchar', length: 63 })
  agency: string;

  @Column({ name: 'requester_uri', type: 'varchar', length: 255 })
  requesterUri: string;

  @Column({ type: 'varchar', length: 32 })
  urgency: string;

  /** Owned by EVX (ETSI TS 103 120 Status). */
  @Column({ type: 'varchar', length: 40 })
  status: string;

  /** Set by the requester (ETSI DesiredStatus). */
  @Column({ name: 'desired_status', type: 'varchar', length: 40, nullable: true })
  desiredStatus: string | null;

  /** A task change not yet delivered to provider-edge (JSON: cancelled, reason), retried by the scheduler. */
  @Column({ name: 'pending_task_change', type: 'text', nullable: true })
  pendingTaskChange: string | null;

  /** Bumped on every change; an update naming an older generation is refused. */
  @Column({ type: 'integer' })
  generation: number;

  @Column({ name: 'target_provider', type: 'varchar', length: 63 })
  targetProvider: string;

  /** Canonical JSON of the signed authorisation bundle. */
  @Column({ type: 'text' })
  authorisation: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillis })
  updatedAt: number;

  /** The evidence package the provider completed (from its task report); null before. */
  @Column({ name: 'package_id', type: 'varchar', length: 36, nullable: true })
  packageId?: string | null;

  /** `PACKAGE_STATE_COMPLETE` or `PACKAGE_STATE_SEALED`, as the vault reported it. */
  @Column({ name: 'package_state', type: 'varchar', length: 32, nullable: true })
  packageState?: string | null;

  /** Index of the package's commitment in the transparency log. */
  @Column({ name: 'package_log_index', type: 'bigint', nullable: true, transformer: bigintNumber })
  packageLogIndex?: number | null;

  @Column({ name: 'package_record_count', type: 'bigint', nullable: true, transformer: bigintNumber })
  packageRecordCount?: number | null;

  @Column({ name: 'package_payload_bytes', type: 'bigint', nullable: true, transformer: bigintNumber })
  packagePayloadBytes?: number | null;
}

@Entity('authority_idempotency_key')
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'requester_uri', type: 'varchar', length: 255 })
  requesterUri: string;

  @PrimaryColumn({ name: 'idempotency_key', type: 'varchar', length: 128 })
  idempotencyKey: string;

  @Column({ name: 'request_id', type: 'varchar', length: 36 })
  requestId: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;
}

/** One new generation of an order, for WatchRequests; `seq` is the watch cursor. */
@Entity('authority_request_change')
@Index('authority_request_change_agency', ['agency', 'seq'])
export class RequestChangeEntity {
  @PrimaryGeneratedColumn('increment', { name: 'seq', type: 'integer' })
  seq: number;

  @Column({ name: 'authorisation_id', type: 'varchar', length: 36 })
  authorisationId: string;

  @Column({ type: 'varchar', length: 63 })
  agency: string;

  @Column({ type: 'varchar', length: 32 })
  urgency: string;

  @Column({ type: 'integer' })
  generation: number;

  @Column({ name: 'old_status', type: 'varchar', length: 40 })
  oldStatus: string;

  @Column({ name: 'new_status', type: 'varchar', length: 40 })
  newStatus: string;

  @Column({ name: 'desired_status', type: 'varchar', length: 40 })
  desiredStatus: string;

  @Column({ type: 'text' })
  reason: string;

  @Column({ name: 'actor_uri', type: 'varchar', length: 255 })
  actorUri: string;

  @Column({ name: 'changed_at', type: 'bigint', transformer: epochMillis })
  changedAt: number;
}
