// The package rows and record rows: every write in one transaction, and every record commit conditional on the
// package still being where the stream thinks it is, so two streams for one upload cannot both add record n.
import type { DataSource, EntityManager } from 'typeorm';
import { EvxError } from '#evx/errors';
import { querySql } from '#evx/persistence';
import { EvidencePackageEntity, EvidenceRecordEntity } from '../persistence/evidence-package.entities.js';
import { insertRows } from '../persistence/typeorm-log.store.js';
import type { AcceptedRecord, DurableGroup } from './record-intake.js';

/** A stored record as the package build reads it: the payload in the row, or the name of its file. */
export interface StoredRecordPayload {
  readonly position: number;
  readonly metadata: string;
  readonly payloadFile: string;
  /** The payload itself when it is small enough to live in the row; null when `payloadFile` holds it. */
  readonly payload: Buffer | null;
}

const RECORD_COLUMNS = [
  'package_id',
  'sequence_number',
  'position',
  'metadata',
  'payload_file',
  'payload_base64',
  'created_at',
];

/** Record rows, small payloads in the row: one multi-row INSERT (TypeORM's `insert` costs several times more). */
function insertRecords(m: EntityManager, packageId: string, records: readonly AcceptedRecord[], at: number) {
  return insertRows(
    m,
    EvidenceRecordEntity,
    RECORD_COLUMNS,
    records.map((r) => [
      packageId,
      r.sequenceNumber,
      r.position,
      Buffer.from(r.metadata).toString('utf8'),
      r.payloadFile,
      r.payload ? Buffer.from(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength).toString('base64') : null,
      at,
    ]),
  );
}

export class EvidencePackageStore {
  constructor(private readonly dataSource: DataSource) {}

  find(packageId: string): Promise<EvidencePackageEntity | null> {
    return this.dataSource.manager.getRepository(EvidencePackageEntity).findOneBy({ packageId });
  }

  async get(packageId: string): Promise<EvidencePackageEntity> {
    const row = await this.find(packageId);
    if (!row) throw new EvxError('not-found', `no evidence package ${packageId}`);
    return row;
  }

  findByUpload(taskId: string, uploadId: string): Promise<EvidencePackageEntity | null> {
    return this.dataSource.manager.getRepository(EvidencePackageEntity).findOneBy({ taskId, uploadId });
  }

  ofAuthorisation(authorisationId: string): Promise<EvidencePackageEntity[]> {
    return this.dataSource.manager
      .getRepository(EvidencePackageEntity)
      .find({ where: { authorisationId }, order: { createdAt: 'ASC', packageId: 'ASC' } });
  }

  /** Inserts the package unless one exists for its upload; returns the row that exists afterwards. */
  async insert(row: EvidencePackageEntity): Promise<EvidencePackageEntity> {
    try {
      await this.dataSource.transaction(async (m) => {
        const exists = await m
          .getRepository(EvidencePackageEntity)
          .findOneBy({ taskId: row.taskId, uploadId: row.uploadId });
        if (!exists) await m.insert(EvidencePackageEntity, row);
      });
    } catch (error) {
      // A concurrent BeginPackage for the same upload inserted it first: that row is the answer.
      if (!(await this.findByUpload(row.taskId, row.uploadId))) throw error;
    }
    return (await this.findByUpload(row.taskId, row.uploadId)) as EvidencePackageEntity;
  }

  storedRecord(packageId: string, sequenceNumber: number): Promise<EvidenceRecordEntity | null> {
    return this.dataSource.manager.getRepository(EvidenceRecordEntity).findOneBy({ packageId, sequenceNumber });
  }

  /** The accepted records in package order, a page at a time (the builder streams them). */
  async records(packageId: string, afterPosition: number, limit: number): Promise<StoredRecordPayload[]> {
    const rows = await querySql<{
      position: number | string;
      metadata: string;
      payload_file: string;
      payload_base64: string | null;
    }>(
      this.dataSource.manager,
      'SELECT position, metadata, payload_file, payload_base64 FROM vault_evidence_record ' +
        'WHERE package_id = ? AND position > ? ORDER BY position ASC LIMIT ?',
      [packageId, afterPosition, limit],
    );
    return rows.map((r) => ({
      position: Number(r.position),
      metadata: r.metadata,
      payloadFile: r.payload_file,
      payload: r.payload_base64 === null ? null : Buffer.from(r.payload_base64, 'base64'),
    }));
  }

  async commitRecord(packageId: string, record: AcceptedRecord, at: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.advance(m, packageId, record.sequenceNumber, {
        recordCount: record.position,
        payloadBytes: () => `payload_bytes + ${record.payloadSize}`,
        ...record.chain.stored,
      });
      await insertRecords(m, packageId, [record], at);
    });
  }

  /**
   * A group of records and rejections in one transaction: the package moves from the durable sequence number before
   * the group to its last one in one conditional update, and every accepted record gets its row.
   */
  async commitGroup(packageId: string, group: DurableGroup, at: number): Promise<void> {
    const { records, firstSequenceNumber, lastSequenceNumber } = group;
    const last = records[records.length - 1];
    const bytes = records.reduce((sum, r) => sum + r.payloadSize, 0);
    await this.dataSource.transaction(async (m) => {
      await this.advance(
        m,
        packageId,
        lastSequenceNumber,
        last
          ? { recordCount: last.position, payloadBytes: () => `payload_bytes + ${bytes}`, ...last.chain.stored }
          : {},
        firstSequenceNumber - 1,
      );
      // 64 records of 7 columns per group (INTAKE_GROUPS) stay far under either database's parameter limit.
      await insertRecords(m, packageId, records, at);
    });
  }

  async commitRejection(packageId: string, sequenceNumber: number): Promise<void> {
    await this.dataSource.transaction((m) => this.advance(m, packageId, sequenceNumber, {}));
  }

  async update(packageId: string, values: Partial<EvidencePackageEntity>): Promise<void> {
    await this.dataSource.transaction((m) => m.update(EvidencePackageEntity, { packageId }, values));
  }

  /**
   * Fixes the completion (receipt time, origin signature) if the package still holds exactly `recordCount` records
   * and has none yet; from then on no record can be added. Returns whether it did.
   */
  async fixCompletion(
    packageId: string,
    recordCount: number,
    values: Partial<EvidencePackageEntity>,
  ): Promise<boolean> {
    const result = await this.dataSource.transaction((m) =>
      m
        .createQueryBuilder()
        .update(EvidencePackageEntity)
        .set(values)
        .where(
          'package_id = :packageId AND record_count = :recordCount AND origin_signature IS NULL AND state = :open',
          {
            packageId,
            recordCount,
            open: 'PACKAGE_STATE_OPEN',
          },
        )
        .execute(),
    );
    return result.affected === 1;
  }

  /** Stores the custody countersignature unless one is stored already; returns whether it did. */
  async fixCustodySignature(packageId: string, custodySignature: string): Promise<boolean> {
    const result = await this.dataSource.transaction((m) =>
      m
        .createQueryBuilder()
        .update(EvidencePackageEntity)
        .set({ custodySignature })
        .where('package_id = :packageId AND custody_signature IS NULL', { packageId })
        .execute(),
    );
    return result.affected === 1;
  }

  /** Marks the order's complete packages SEALED; returns every package of the order. */
  async seal(authorisationId: string, sealedAt: number): Promise<EvidencePackageEntity[]> {
    await this.dataSource.transaction((m) =>
      m
        .createQueryBuilder()
        .update(EvidencePackageEntity)
        .set({ state: 'PACKAGE_STATE_SEALED', sealedAt })
        .where('authorisation_id = :authorisationId AND state = :complete', {
          authorisationId,
          complete: 'PACKAGE_STATE_COMPLETE',
        })
        .execute(),
    );
    return this.ofAuthorisation(authorisationId);
  }

  private async advance(
    m: EntityManager,
    packageId: string,
    sequenceNumber: number,
    values: Record<string, unknown>,
    previous: number = sequenceNumber - 1,
  ): Promise<void> {
    const result = await m
      .createQueryBuilder()
      .update(EvidencePackageEntity)
      .set({ ...values, durableSeq: sequenceNumber })
      .where('package_id = :packageId AND durable_seq = :previous AND state = :open AND origin_signature IS NULL', {
        packageId,
        previous,
        open: 'PACKAGE_STATE_OPEN',
      })
      .execute();
    if (result.affected !== 1) {
      throw new EvxError(
        'failed-precondition',
        `package ${packageId} changed while record ${sequenceNumber} was written (another stream, or it was ` +
          'completed): ask for the durable sequence number and resume',
        'SEQUENCE_CONFLICT',
      );
    }
  }
}
