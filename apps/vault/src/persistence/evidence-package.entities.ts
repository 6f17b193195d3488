import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber, epochMillis } from '#evx/persistence';

/**
 * One provider upload for one task (evx.v1.EvidencePackage). The running chain head and Merkle frontier live here,
 * so a resumed upload continues from the database, never from process memory. Payloads live on disk.
 */
@Entity('vault_evidence_package')
@Index('vault_evidence_package_upload', ['taskId', 'uploadId'], { unique: true })
@Index('vault_evidence_package_authorisation', ['authorisationId'])
export class EvidencePackageEntity {
  @PrimaryColumn({ name: 'package_id', type: 'varchar', length: 36 })
  packageId: string;

  @Column({ name: 'authorisation_id', type: 'varchar', length: 64 })
  authorisationId: string;

  @Column({ name: 'task_id', type: 'varchar', length: 64 })
  taskId: string;

  @Column({ name: 'upload_id', type: 'varchar', length: 64 })
  uploadId: string;

  @Column({ name: 'provider_id', type: 'varchar', length: 63 })
  providerId: string;

  /** PackageState value name. */
  @Column({ type: 'varchar', length: 32 })
  state: string;

  /** The signed order and approvals as they go into the package (JSON, base64 file bytes). */
  @Column({ type: 'text' })
  authorisation: string;

  @Column({ name: 'durable_seq', type: 'bigint', transformer: bigintNumber })
  durableSeq: number;

  @Column({ name: 'record_count', type: 'bigint', transformer: bigintNumber })
  recordCount: number;

  @Column({ name: 'payload_bytes', type: 'bigint', transformer: bigintNumber })
  payloadBytes: number;

  /** Hash chain head h_n, hex (h_0 = 64 zeros before the first record). */
  @Column({ name: 'chain_head', type: 'varchar', length: 64 })
  chainHead: string;

  /** The Merkle tree's compact range (RFC 6962 frontier), hex hashes separated by commas. */
  @Column({ name: 'merkle_frontier', type: 'text' })
  merkleFrontier: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;

  /** Custody receipt time, fixed by the first CompletePackage that got past the checks. */
  @Column({ name: 'received_at', type: 'bigint', transformer: epochMillis, nullable: true })
  receivedAt: number | null;

  /** The adapter's origin signature file (evx/origin.sig.json), exactly as it goes into the package. */
  @Column({ name: 'origin_signature', type: 'text', nullable: true })
  originSignature: string | null;

  /** The origin statement's signedAt, as the adapter signed it. */
  @Column({ name: 'origin_signed_at', type: 'bigint', transformer: epochMillis, nullable: true })
  originSignedAt: number | null;

  /** The vault's custody signature file (evx/custody.sig.json), stored before the commitment goes to the log. */
  @Column({ name: 'custody_signature', type: 'text', nullable: true })
  custodySignature: string | null;

  @Column({ name: 'log_index', type: 'bigint', transformer: bigintNumber, nullable: true })
  logIndex: number | null;

  @Column({ name: 'completed_at', type: 'bigint', transformer: epochMillis, nullable: true })
  completedAt: number | null;

  @Column({ name: 'sealed_at', type: 'bigint', transformer: epochMillis, nullable: true })
  sealedAt: number | null;

  /** The package file (tar): size and SHA-256, set when complete. */
  @Column({ name: 'file_size', type: 'bigint', transformer: bigintNumber, nullable: true })
  fileSize: number | null;

  @Column({ name: 'file_sha256', type: 'varchar', length: 64, nullable: true })
  fileSha256: string | null;
}

/** One accepted record: its canonical metadata (the record's bytes for hashing) and where its payload is. */
@Entity('vault_evidence_record')
@Index('vault_evidence_record_position', ['packageId', 'position'], { unique: true })
export class EvidenceRecordEntity {
  @PrimaryColumn({ name: 'package_id', type: 'varchar', length: 36 })
  packageId: string;

  /** The upload's sequence number. */
  @PrimaryColumn({ name: 'sequence_number', type: 'bigint', transformer: bigintNumber })
  sequenceNumber: number;

  /** Position in the package (1..record_count); differs from sequence_number after a rejection. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  position: number;

  /** Canonical evx.record.v1 document (docs/package-format.md §3). */
  @Column({ type: 'text' })
  metadata: string;

  /** Payload file name inside the package's records folder; '' when the payload is in the row (`payloadBase64`). */
  @Column({ name: 'payload_file', type: 'varchar', length: 128 })
  payloadFile: string;

  /** A small payload (up to 64 KiB), base64, kept in the row; null when `payloadFile` holds it. Not loaded by default. */
  @Column({ name: 'payload_base64', type: 'text', nullable: true, select: false })
  payloadBase64: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;
}
