// Parameterised SQL for hot paths, the same text on SQLite and PostgreSQL: TypeORM's query builders cost more CPU
// than the statement itself for one-row reads and writes (docs/performance.md, request submission).
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

const POSTGRES_TEXT = new Map<string, string>();
/** Statements are constants or a few shapes of multi-row statements; the bound only guards against a leak. */
const MAX_CACHED = 512;

/** `sql` written with `?` placeholders, as the data source's driver takes it: `$1`, `$2`, … on PostgreSQL. */
export function driverSql(dataSource: DataSource, sql: string): string {
  if (dataSource.options.type !== 'postgres') return sql;
  let text = POSTGRES_TEXT.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    if (POSTGRES_TEXT.size >= MAX_CACHED) POSTGRES_TEXT.clear();
    POSTGRES_TEXT.set(sql, text);
  }
  return text;
}

/** The escaped, schema-qualified table of an entity (or entity schema name), for raw SQL. */
export function tableOf(dataSource: DataSource, entity: EntityTarget<ObjectLiteral>): string {
  const { driver } = dataSource;
  return dataSource
    .getMetadata(entity)
    .tablePath.split('.')
    .map((part) => driver.escape(part))
    .join('.');
}

/**
 * Runs a statement written with `?` placeholders with `manager` (in its transaction, if it has one) and returns the
 * rows of a SELECT.
 */
export async function querySql<T = unknown>(
  manager: EntityManager,
  sql: string,
  parameters: readonly unknown[],
): Promise<T[]> {
  return (await manager.query(driverSql(manager.connection, sql), [...parameters])) as T[];
}

/**
 * Runs an INSERT, UPDATE or DELETE written with `?` placeholders in the transaction of `manager` and returns how
 * many rows it changed.
 */
export async function executeInTransaction(
  manager: EntityManager,
  sql: string,
  parameters: readonly unknown[],
): Promise<number> {
  const runner = manager.queryRunner;
  if (!runner || !runner.isTransactionActive)
    throw new Error('executeInTransaction needs the manager of a transaction');
  const result = await runner.query(driverSql(manager.connection, sql), [...parameters], true);
  return result.affected ?? 0;
}
