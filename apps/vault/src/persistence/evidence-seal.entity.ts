import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber, epochMillis } from '#evx/persistence';

/** An order whose evidence nobody may open any more. Rows are only ever added. */
@Entity('vault_evidence_seal')
export class EvidenceSealEntity {
  @PrimaryColumn({ name: 'authorisation_id', type: 'varchar', length: 64 })
  authorisationId: string;

  /** SealReason value name. */
  @Column({ type: 'varchar', length: 64 })
  reason: string;

  @Column({ type: 'text' })
  details: string;

  /** The actor whose decision caused the seal, or the service for an overdue validation. */
  @Column({ name: 'on_behalf_of', type: 'varchar', length: 255 })
  onBehalfOf: string;

  /** The EVX service that asked the vault to seal (its mTLS identity). */
  @Column({ name: 'sealed_by', type: 'varchar', length: 255 })
  sealedBy: string;

  @Column({ name: 'sealed_at', type: 'bigint', transformer: epochMillis })
  sealedAt: number;

  /** The audit event recording the seal. */
  @Column({ name: 'log_index', type: 'bigint', transformer: bigintNumber })
  logIndex: number;
}
