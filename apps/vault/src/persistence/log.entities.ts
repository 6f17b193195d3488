import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber, epochMillis } from '#evx/persistence';

@Entity('vault_log_entry')
@Index('vault_log_entry_kind', ['kind', 'seq'])
@Index('vault_log_entry_key', ['key'], { unique: true })
export class LogEntryEntity {
  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  seq: number;

  @Column({ name: 'leaf_hash', type: 'varchar', length: 64 })
  leafHash: string;

  @Column({ type: 'varchar', length: 32 })
  kind: string;

  /** Idempotency key (audit event id, package id): unique when set. */
  @Column({ name: 'entry_key', type: 'varchar', length: 128, nullable: true })
  key: string | null;

  /** Canonical JSON of the entry; its bytes are the Merkle leaf. */
  @Column({ type: 'text' })
  body: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;
}

/** A perfect subtree's hash, stored once complete, so proofs read O(log n) rows. */
@Entity('vault_log_node')
export class LogNodeEntity {
  @PrimaryColumn({ type: 'integer' })
  level: number;

  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  idx: number;

  @Column({ type: 'varchar', length: 64 })
  hash: string;
}

@Entity('vault_checkpoint')
export class CheckpointEntity {
  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  size: number;

  @Column({ name: 'root_hash', type: 'varchar', length: 64 })
  rootHash: string;

  /** The signed note, as served. */
  @Column({ type: 'text' })
  note: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;
}

/** One row: the log's current size and root. Appenders lock it, so sequencing is serialised in the database. */
@Entity('vault_log_head')
export class LogHeadEntity {
  @PrimaryColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  size: number;

  @Column({ name: 'root_hash', type: 'varchar', length: 64 })
  rootHash: string;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillis })
  updatedAt: number;
}
