import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber, epochMillis } from '#evx/persistence';

@Entity('provider_task')
@Index('provider_task_stream', ['providerId', 'position'], { unique: true })
export class TaskEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'provider_id', type: 'varchar', length: 63 })
  providerId: string;

  /** Position in the provider's task stream; adapters resume after the last one they acknowledged. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  position: number;

  @Column({ name: 'request_id', type: 'varchar', length: 36 })
  requestId: string;

  @Column({ type: 'varchar', length: 40 })
  status: string;

  /** Canonical JSON of the signed authorisation bundle the adapter verifies itself. */
  @Column({ type: 'text' })
  bundle: string;

  /** Highest task generation the adapter acknowledged; 0 before the first. */
  @Column({ name: 'acknowledged_generation', type: 'integer', default: 0 })
  acknowledgedGeneration: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillis })
  updatedAt: number;
}

@Entity('provider_adapter_cursor')
export class AdapterCursorEntity {
  @PrimaryColumn({ name: 'adapter_uri', type: 'varchar', length: 255 })
  adapterUri: string;

  @Column({ name: 'acknowledged_position', type: 'bigint', transformer: bigintNumber })
  acknowledgedPosition: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillis })
  updatedAt: number;
}
