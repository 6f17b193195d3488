import { EntitySchema, Table, TableIndex, type DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import type { AuditEventInput, AuditOutboxStore } from '#evx/audit';
import { executeInTransaction, querySql, tableOf } from './raw-sql.js';

export interface AuditOutboxRow {
  eventId: string;
  /** The event as JSON (AuditEventInput). */
  event: string;
  createdAt: number;
  deliveredAt: number | null;
  logIndex: number | null;
}

const tableName = (service: string) => `${service.replace(/-/g, '_')}_audit_outbox`;

/** Events marked delivered per UPDATE (three parameters each). */
const MARK_CHUNK = 128;

/**
 * The chunk padded to a power of two by repeating its last event (a repeated WHEN or IN item changes nothing): a
 * handful of statement shapes instead of one per batch size, so they stay in SQLite's prepared-statement cache.
 */
function padded<T>(chunk: readonly T[]): T[] {
  let size = 1;
  while (size < chunk.length) size *= 2;
  const last = chunk[chunk.length - 1] as T;
  return [...chunk, ...Array.from({ length: size - chunk.length }, () => last)];
}

const numeric = { to: (v: number | null) => v, from: (v: string | number | null) => (v === null ? null : Number(v)) };

/** Each service's own outbox table (`<service>_audit_outbox`): services never share tables. */
export function auditOutboxSchema(service: string): EntitySchema<AuditOutboxRow> {
  return new EntitySchema<AuditOutboxRow>({
    name: `AuditOutbox:${service}`,
    tableName: tableName(service),
    columns: {
      eventId: { name: 'event_id', type: 'varchar', length: 36, primary: true },
      event: { type: 'text' },
      /** Enqueue time in ms, strictly increasing per process: the delivery order (the event carries its own time). */
      /** Enqueue time in ms, strictly increasing per process: the delivery order (the event carries its own time). */
      createdAt: { name: 'created_at', type: 'bigint', transformer: numeric },
      deliveredAt: { name: 'delivered_at', type: 'bigint', nullable: true, transformer: numeric },
      logIndex: { name: 'log_index', type: 'bigint', nullable: true, transformer: numeric },
    },
    indices: [{ name: `${tableName(service)}_pending`, columns: ['deliveredAt', 'createdAt'] }],
  });
}

/** For a service's migration: create and drop its outbox table. */
export async function createAuditOutboxTable(q: QueryRunner, service: string): Promise<void> {
  await q.createTable(
    new Table({
      name: tableName(service),
      columns: [
        { name: 'event_id', type: 'varchar', length: '36', isPrimary: true },
        { name: 'event', type: 'text' },
        { name: 'created_at', type: 'bigint' },
        { name: 'delivered_at', type: 'bigint', isNullable: true },
        { name: 'log_index', type: 'bigint', isNullable: true },
      ],
    }),
  );
  await q.createIndex(
    tableName(service),
    new TableIndex({ name: `${tableName(service)}_pending`, columnNames: ['delivered_at', 'created_at'] }),
  );
}

export async function dropAuditOutboxTable(q: QueryRunner, service: string): Promise<void> {
  await q.dropTable(tableName(service));
}

/** The outbox over a service's database. `enqueue` must be called with the manager of the change's transaction. */
export class TypeormAuditOutbox implements AuditOutboxStore {
  /** The entity name registered by auditOutboxSchema(service). */
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    service: string,
  ) {
    this.schema = `AuditOutbox:${service}`;
  }

  private tablePath?: string;

  private table(): string {
    this.tablePath ??= tableOf(this.dataSource, this.schema);
    return this.tablePath;
  }

  /** Last `created_at` handed out: the column orders delivery, so it is made strictly increasing. */
  private lastStamp = 0;

  async enqueue(manager: EntityManager, events: readonly AuditEventInput[], at: number): Promise<void> {
    if (events.length === 0) return;
    const rows = this.rowsOf(events, at);
    // One parameterised multi-row INSERT: on the path of every audited change (TypeORM's insert builds the same
    // statement at several times the cost).
    const tuples = rows.map(() => '(?, ?, ?, NULL, NULL)').join(', ');
    await querySql(
      manager,
      `INSERT INTO ${this.table()} (event_id, event, created_at, delivered_at, log_index) VALUES ${tuples}`,
      rows.flat(),
    );
  }

  /**
   * The enqueue of `events` as an INSERT … SELECT that writes them once for each row of `source` (a table or CTE
   * name, `?` placeholders): for a PostgreSQL statement whose data-modifying CTEs write a change and its audit
   * events together, gated on the change having happened (`source` is the change's RETURNING, zero or one row).
   * Running the statement is the caller's; it is atomic as one statement is.
   */
  enqueueFor(source: string, events: readonly AuditEventInput[], at: number): { sql: string; parameters: unknown[] } {
    if (events.length === 0) throw new Error('enqueueFor needs at least one event');
    const rows = this.rowsOf(events, at);
    // Typed placeholders: in an INSERT … SELECT the target columns do not type them. (A UNION rather than VALUES
    // with column aliases, which SQLite lacks.)
    const tuples = rows
      .map(() => 'SELECT CAST(? AS VARCHAR) AS event_id, CAST(? AS TEXT) AS event, CAST(? AS BIGINT) AS created_at')
      .join(' UNION ALL ');
    return {
      sql:
        `INSERT INTO ${this.table()} (event_id, event, created_at, delivered_at, log_index) ` +
        `SELECT e.event_id, e.event, e.created_at, NULL, NULL FROM ${source} CROSS JOIN (${tuples}) AS e`,
      parameters: rows.flat(),
    };
  }

  /** The rows of `events`: id, JSON, and a `created_at` strictly increasing per process. */
  private rowsOf(events: readonly AuditEventInput[], at: number): [string, string, number][] {
    return events.map((e) => {
      // Events recorded together (or in the same millisecond) keep the order they were recorded in.
      this.lastStamp = Math.max(at, this.lastStamp + 1);
      return [e.eventId, JSON.stringify(e), this.lastStamp];
    });
  }

  async pending(limit: number): Promise<AuditEventInput[]> {
    const rows = await this.dataSource
      .getRepository<AuditOutboxRow>(this.schema)
      .createQueryBuilder('o')
      .where('o.delivered_at IS NULL')
      .orderBy('o.created_at', 'ASC')
      .addOrderBy('o.event_id', 'ASC')
      .limit(limit)
      .getMany();
    return rows.map((r) => JSON.parse(r.event) as AuditEventInput);
  }

  async markDelivered(delivered: ReadonlyArray<{ eventId: string; logIndex: number }>, at: number): Promise<void> {
    if (delivered.length === 0) return;
    // One UPDATE per chunk rather than one per event (the relay marks every audited change of the service).
    const table = this.table();
    await this.dataSource.transaction(async (manager) => {
      for (let start = 0; start < delivered.length; start += MARK_CHUNK) {
        const chunk = padded(delivered.slice(start, start + MARK_CHUNK));
        const cases = chunk.map(() => 'WHEN ? THEN CAST(? AS BIGINT)').join(' ');
        const ids = chunk.map(() => '?').join(', ');
        await executeInTransaction(
          manager,
          `UPDATE ${table} SET delivered_at = ?, log_index = CASE event_id ${cases} END WHERE event_id IN (${ids})`,
          [at, ...chunk.flatMap((d) => [d.eventId, d.logIndex]), ...chunk.map((d) => d.eventId)],
        );
      }
    });
  }

  /** Undelivered count, for readiness and tests. */
  backlog(): Promise<number> {
    return this.dataSource
      .getRepository<AuditOutboxRow>(this.schema)
      .createQueryBuilder('o')
      .where('o.delivered_at IS NULL')
      .getCount();
  }
}
