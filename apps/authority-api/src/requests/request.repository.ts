// authority_request rows <-> stored orders, with the compare-and-set on the generation that turns a lost race into
// `stale-generation` (docs/workflow.md, "What the application does with the results").
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { EvxError } from '#evx/errors';
import { driverSql, executeInTransaction, querySql, tableOf } from '#evx/persistence';
import { PROTO_ENUM_PREFIX as P, toProtoName } from '#evx/workflow';
import { IdempotencyKeyEntity, RequestChangeEntity, RequestEntity } from '../persistence/request.entity.js';
import type { AuditFact } from '#evx/workflow';
import { decodeStoredRequest, encodeStoredRequest, type StoredRequest } from './stored-request.js';

function columnsOf(stored: StoredRequest): Omit<RequestEntity, 'id' | 'createdAt' | 'pendingTaskChange'> {
  const a = stored.authorisation;
  return {
    caseReference: a.details.caseReference,
    agency: a.details.issuingAgencyId,
    requesterUri: a.details.requesterUri,
    urgency: toProtoName(P.Urgency, a.details.urgency),
    status: toProtoName(P.RequestStatus, a.status),
    desiredStatus: toProtoName(P.RequestDesiredStatus, a.desiredStatus),
    generation: a.generation,
    targetProvider: a.details.targetProviderId,
    authorisation: encodeStoredRequest(stored),
    updatedAt: a.lastChanged.getTime(),
  };
}

function staleGeneration(stored: StoredRequest, expectedGeneration: number): EvxError {
  return new EvxError(
    'stale-generation',
    `order ${stored.authorisation.authorisationId} changed meanwhile (it is no longer at generation ${expectedGeneration}); read it again and retry`,
    'STALE_GENERATION',
  );
}

/** The columns compareAndSet writes, in columnsOf's order (pending_task_change is the scheduler's, not written). */
const UPDATED_COLUMNS = [
  'case_reference',
  'agency',
  'requester_uri',
  'urgency',
  'status',
  'desired_status',
  'generation',
  'target_provider',
  'authorisation',
  'updated_at',
] as const;

function updatedValues(stored: StoredRequest): unknown[] {
  const c = columnsOf(stored);
  return [
    c.caseReference,
    c.agency,
    c.requesterUri,
    c.urgency,
    c.status,
    c.desiredStatus,
    c.generation,
    c.targetProvider,
    c.authorisation,
    c.updatedAt,
  ];
}

/**
 * The change feed's columns with their SQL types (an INSERT … SELECT needs its placeholders typed). No lengths: an
 * explicit CAST to VARCHAR(n) would silently cut a longer value, where the column itself refuses it.
 */
const CHANGE_COLUMNS = [
  ['authorisation_id', 'VARCHAR'],
  ['agency', 'VARCHAR'],
  ['urgency', 'VARCHAR'],
  ['generation', 'INTEGER'],
  ['old_status', 'VARCHAR'],
  ['new_status', 'VARCHAR'],
  ['desired_status', 'VARCHAR'],
  ['reason', 'TEXT'],
  ['actor_uri', 'VARCHAR'],
  ['changed_at', 'BIGINT'],
] as const;

function changeValues(fact: AuditFact, stored: StoredRequest): unknown[] {
  const a = stored.authorisation;
  return [
    a.authorisationId,
    a.details.issuingAgencyId,
    toProtoName(P.Urgency, a.details.urgency),
    a.generation,
    fact.fromStatus ? toProtoName(P.RequestStatus, fact.fromStatus) : '',
    toProtoName(P.RequestStatus, fact.toStatus),
    toProtoName(P.RequestDesiredStatus, fact.toDesiredStatus),
    fact.reason,
    fact.actorUri,
    fact.at.getTime(),
  ];
}

/** A statement written with `?` placeholders and its parameters. */
export interface Statement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/** The name the one-statement commit gives its compare-and-set: one row if it wrote, none if it lost the race. */
const COMPARE_AND_SET = 'compare_and_set';

/**
 * The per-call reads and writes of a transition are parameterised SQL on the entities' tables: TypeORM's query
 * building cost more CPU than SQLite's work for these one-row statements (docs/performance.md, request submission).
 */
@Injectable()
export class RequestRepository {
  private readonly sql: {
    readonly find: string;
    readonly emergencies: string;
    readonly compareAndSet: string;
    readonly recordChange: string;
    readonly compareAndSetRecorded: string;
  };

  /**
   * Whether `commitInOneStatement` can be used: PostgreSQL's data-modifying CTEs. (SQLite has none; its
   * transactions cost no round trips.)
   */
  readonly commitsInOneStatement: boolean;

  constructor(@InjectDataSource() readonly dataSource: DataSource) {
    const requests = tableOf(dataSource, RequestEntity);
    const changes = tableOf(dataSource, RequestChangeEntity);
    const q = (name: string) => dataSource.driver.escape(name);
    const changeColumns = CHANGE_COLUMNS.map(([c]) => q(c)).join(', ');
    const compareAndSet =
      `UPDATE ${requests} SET ${UPDATED_COLUMNS.map((c) => `${q(c)} = ?`).join(', ')} ` +
      `WHERE ${q('id')} = ? AND ${q('generation')} = ?`;
    this.sql = {
      find: `SELECT ${q('authorisation')} FROM ${requests} WHERE ${q('id')} = ?`,
      emergencies: `SELECT ${q('authorisation')} FROM ${requests} WHERE ${q('agency')} = ? AND ${q('urgency')} = ?`,
      compareAndSet,
      recordChange: `INSERT INTO ${changes} (${changeColumns}) VALUES (${CHANGE_COLUMNS.map(() => '?').join(', ')})`,
      // The change row is inserted once per row the compare-and-set wrote: none when it lost the race.
      compareAndSetRecorded:
        `WITH ${COMPARE_AND_SET} AS (${compareAndSet} RETURNING ${q('id')}), ` +
        `change AS (INSERT INTO ${changes} (${changeColumns}) ` +
        `SELECT ${CHANGE_COLUMNS.map(([, type]) => `CAST(? AS ${type})`).join(', ')} FROM ${COMPARE_AND_SET})`,
    };
    this.commitsInOneStatement = dataSource.options.type === 'postgres';
    // Converted once here rather than on first use (the conversion is cached by text).
    [this.sql.find, this.sql.emergencies, this.sql.compareAndSet, this.sql.recordChange].forEach((text) =>
      driverSql(dataSource, text),
    );
  }

  async find(id: string, manager: EntityManager = this.dataSource.manager): Promise<StoredRequest | undefined> {
    const [row] = await querySql<{ authorisation: string }>(manager, this.sql.find, [id]);
    return row ? decodeStoredRequest(row.authorisation) : undefined;
  }

  /** The agency's emergency orders, for countOpenEmergencies. */
  async emergenciesOf(agency: string, manager: EntityManager = this.dataSource.manager): Promise<StoredRequest[]> {
    const rows = await querySql<{ authorisation: string }>(manager, this.sql.emergencies, [
      agency,
      toProtoName(P.Urgency, 'EMERGENCY'),
    ]);
    return rows.map((row) => decodeStoredRequest(row.authorisation));
  }

  /** Orders the scheduler may have to move: not final, or emergency orders whose validation may lapse. */
  async schedulable(): Promise<StoredRequest[]> {
    const finals = ['DRAFT', 'REJECTED', 'CLOSED', 'VALIDATION_REJECTED', 'VALIDATION_OVERDUE'].map((s) =>
      toProtoName(P.RequestStatus, s),
    );
    const rows = await this.dataSource.manager
      .createQueryBuilder(RequestEntity, 'r')
      .where('r.status NOT IN (:...finals)', { finals })
      .getMany();
    return rows.map((row) => decodeStoredRequest(row.authorisation));
  }

  async insert(manager: EntityManager, stored: StoredRequest): Promise<void> {
    const row = manager.create(RequestEntity, {
      id: stored.authorisation.authorisationId,
      createdAt: stored.authorisation.createdAt.getTime(),
      ...columnsOf(stored),
    });
    await manager.insert(RequestEntity, row);
  }

  /** Writes `stored` only if the row still has `expectedGeneration`; otherwise another writer won. */
  async compareAndSet(manager: EntityManager, stored: StoredRequest, expectedGeneration: number): Promise<void> {
    const affected = await executeInTransaction(manager, this.sql.compareAndSet, [
      ...updatedValues(stored),
      stored.authorisation.authorisationId,
      expectedGeneration,
    ]);
    if (affected !== 1) throw staleGeneration(stored, expectedGeneration);
  }

  /** Appends the change to the watch feed, in the transaction of the change itself. */
  async recordChange(manager: EntityManager, fact: AuditFact, stored: StoredRequest): Promise<void> {
    await querySql(manager, this.sql.recordChange, changeValues(fact, stored));
  }

  /**
   * compareAndSet, recordChange and the audit events' insert as ONE statement on PostgreSQL (data-modifying CTEs),
   * atomic as any statement is: one round trip where a transaction takes five (BEGIN, three statements, COMMIT).
   * The change row and the audit rows are written only if the compare-and-set wrote; `audit` builds the audit
   * insert over the compare-and-set's result (TypeormAuditOutbox.enqueueFor). Refused as compareAndSet refuses.
   */
  async commitInOneStatement(
    stored: StoredRequest,
    expectedGeneration: number,
    fact: AuditFact,
    audit: (source: string) => Statement,
  ): Promise<void> {
    if (!this.commitsInOneStatement) throw new Error('commitInOneStatement needs PostgreSQL');
    const insertAudit = audit(COMPARE_AND_SET);
    const [row] = await querySql<{ affected: number }>(
      this.dataSource.manager,
      `${this.sql.compareAndSetRecorded}, audit AS (${insertAudit.sql}) ` +
        `SELECT CAST(COUNT(*) AS INTEGER) AS affected FROM ${COMPARE_AND_SET}`,
      [
        ...updatedValues(stored),
        stored.authorisation.authorisationId,
        expectedGeneration,
        ...changeValues(fact, stored),
        ...insertAudit.parameters,
      ],
    );
    if (row?.affected !== 1) throw staleGeneration(stored, expectedGeneration);
  }

  async idempotencyKey(requesterUri: string, idempotencyKey: string, manager: EntityManager = this.dataSource.manager) {
    return manager.findOneBy(IdempotencyKeyEntity, { requesterUri, idempotencyKey });
  }

  async rememberKey(manager: EntityManager, requesterUri: string, idempotencyKey: string, requestId: string, at: Date) {
    await manager.insert(IdempotencyKeyEntity, { requesterUri, idempotencyKey, requestId, createdAt: at.getTime() });
  }
}
