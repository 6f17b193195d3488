import { DataSource, type EntityManager } from 'typeorm';
import type { NodeHash, NodeId } from '#evx/merkle';
import { driverSql, querySql, tableOf } from '#evx/persistence';
import type { LogHead, LogStore, LogTransaction, StoredCheckpoint, StoredEntry } from '#evx/log';
import { CheckpointEntity, LogEntryEntity, LogNodeEntity } from './log.entities.js';

const HEAD_ID = 1;
/**
 * Rows per INSERT (and keys per lookup): a whole batch of the appender's default size (2000) in one statement, 12,000
 * parameters at most, under PostgreSQL's 65,535 and SQLite's 32,766. 400 cost PostgreSQL 5 round trips per batch of
 * 500 (docs/performance.md, figure 4).
 */
const CHUNK = 2000;

/** Statement texts by table, columns and row count: a few shapes, built once (bounded against a leak). */
const INSERT_TEXT = new Map<string, string>();

/**
 * One parameterised multi-row INSERT. The log's hot path: TypeORM's `insert` builds the same statement through its
 * entity machinery at several times the cost (docs/performance.md, log appends on PostgreSQL).
 */
export async function insertRows(
  manager: EntityManager,
  entity: new () => object,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  if (rows.length === 0) return;
  const table = tableOf(manager.connection, entity);
  const key = `${table}|${columns.join(',')}|${rows.length}`;
  let text = INSERT_TEXT.get(key);
  if (text === undefined) {
    const { driver } = manager.connection;
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const names = columns.map((c) => driver.escape(c)).join(', ');
    text = `INSERT INTO ${table} (${names}) VALUES ${new Array<string>(rows.length).fill(tuple).join(', ')}`;
    if (INSERT_TEXT.size >= 256) INSERT_TEXT.clear();
    INSERT_TEXT.set(key, text);
  }
  await manager.query(driverSql(manager.connection, text), rows.flat());
}
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The raw row of a checkpoint (bigints come back as strings from PostgreSQL). */
interface CheckpointRow {
  size: number | string;
  root_hash: string;
  note: string;
  created_at: number | string;
}

function checkpointOfRow(row: CheckpointRow): StoredCheckpoint {
  return {
    size: Number(row.size),
    rootHash: Buffer.from(row.root_hash, 'hex'),
    note: row.note,
    createdAt: Number(row.created_at),
  };
}

const LATEST_CHECKPOINT = 'SELECT size, root_hash, note, created_at FROM vault_checkpoint ORDER BY size DESC LIMIT 1';

/**
 * The log in the vault's database. `sequence` takes the head row's write lock first thing in its transaction
 * (`SELECT … FOR UPDATE` on PostgreSQL; a no-op UPDATE on SQLite, which takes the database write lock), so
 * appenders in any number of vault processes queue on the database, never in memory.
 */
export class TypeormLogStore implements LogStore {
  private readonly postgres: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.postgres = dataSource.options.type === 'postgres';
  }

  sequence<T>(work: (tx: LogTransaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(this.transaction(manager)));
  }

  readNodes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    return readNodes(this.dataSource.manager, ids);
  }

  async entries(start: number, end: number): Promise<StoredEntry[]> {
    if (end <= start) return [];
    const rows = await this.dataSource.manager
      .getRepository(LogEntryEntity)
      .createQueryBuilder('e')
      .where('e.seq >= :start AND e.seq < :end', { start, end })
      .orderBy('e.seq', 'ASC')
      .getMany();
    return rows.map(toStoredEntry);
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | null> {
    const row = await this.dataSource.manager
      .getRepository(CheckpointEntity)
      .findOne({ where: {}, order: { size: 'DESC' } });
    return row ? toStoredCheckpoint(row) : null;
  }

  async checkpointAt(size: number): Promise<StoredCheckpoint | null> {
    const row = await this.dataSource.manager.getRepository(CheckpointEntity).findOneBy({ size });
    return row ? toStoredCheckpoint(row) : null;
  }

  async checkpoints(fromSize: number, limit: number): Promise<StoredCheckpoint[]> {
    const rows = await this.dataSource.manager
      .getRepository(CheckpointEntity)
      .createQueryBuilder('c')
      .where('c.size >= :fromSize', { fromSize })
      .orderBy('c.size', 'ASC')
      .limit(limit)
      .getMany();
    return rows.map(toStoredCheckpoint);
  }

  /**
   * Every statement of an append runs once per batch, many batches a second: raw parameterised SQL, not TypeORM's
   * query builder, which cost more than the database itself (docs/performance.md).
   */
  private transaction(manager: EntityManager): LogTransaction {
    const sql = (text: string, parameters: unknown[] = []) => querySql(manager, text, parameters);
    return {
      lockHead: async () => {
        if (!this.postgres) await sql('UPDATE vault_log_head SET updated_at = updated_at WHERE id = ?', [HEAD_ID]);
        const rows = (await sql(
          `SELECT size, root_hash FROM vault_log_head WHERE id = ?${this.postgres ? ' FOR UPDATE' : ''}`,
          [HEAD_ID],
        )) as { size: number | string; root_hash: string }[];
        const head = rows[0];
        if (!head) throw new Error('vault_log_head has no row: are the vault migrations applied?');
        return { size: Number(head.size), rootHash: Buffer.from(head.root_hash, 'hex') };
      },
      readNodes: (ids) => readNodes(manager, ids),
      findByKeys: async (keys) => {
        const found = new Map<string, { seq: number; leafHash: Uint8Array }>();
        for (let i = 0; i < keys.length; i += CHUNK) {
          const chunk = keys.slice(i, i + CHUNK);
          const rows = (await sql(
            `SELECT seq, entry_key, leaf_hash FROM vault_log_entry WHERE entry_key IN (${chunk.map(() => '?').join(', ')})`,
            chunk,
          )) as { seq: number | string; entry_key: string; leaf_hash: string }[];
          for (const r of rows)
            found.set(r.entry_key, { seq: Number(r.seq), leafHash: Buffer.from(r.leaf_hash, 'hex') });
        }
        return found;
      },
      insertEntries: async (entries) => {
        const rows = entries.map((e) => ({
          seq: e.seq,
          leafHash: Buffer.from(e.leafHash).toString('hex'),
          kind: e.kind,
          key: e.key,
          body: utf8.decode(e.leaf),
          createdAt: e.createdAt,
        }));
        for (let i = 0; i < rows.length; i += CHUNK) {
          const chunk = rows.slice(i, i + CHUNK);
          await insertRows(
            manager,
            LogEntryEntity,
            ['seq', 'leaf_hash', 'kind', 'entry_key', 'body', 'created_at'],
            chunk.map((r) => [r.seq, r.leafHash, r.kind, r.key, r.body, r.createdAt]),
          );
        }
      },
      insertNodes: async (nodes: readonly NodeHash[]) => {
        const rows = nodes.map((n) => ({ level: n.level, idx: n.index, hash: Buffer.from(n.hash).toString('hex') }));
        for (let i = 0; i < rows.length; i += CHUNK) {
          const chunk = rows.slice(i, i + CHUNK);
          await insertRows(
            manager,
            LogNodeEntity,
            ['level', 'idx', 'hash'],
            chunk.map((r) => [r.level, r.idx, r.hash]),
          );
        }
      },
      setHead: async (head: LogHead, at: number) => {
        await sql('UPDATE vault_log_head SET size = ?, root_hash = ?, updated_at = ? WHERE id = ?', [
          head.size,
          Buffer.from(head.rootHash).toString('hex'),
          at,
          HEAD_ID,
        ]);
      },
      latestCheckpoint: async () => {
        const [row] = (await sql(LATEST_CHECKPOINT)) as CheckpointRow[];
        return row ? checkpointOfRow(row) : null;
      },
      insertCheckpoint: async (c) => {
        await insertRows(
          manager,
          CheckpointEntity,
          ['size', 'root_hash', 'note', 'created_at'],
          [[c.size, Buffer.from(c.rootHash).toString('hex'), c.note, c.createdAt]],
        );
      },
    };
  }
}

async function readNodes(manager: EntityManager, ids: readonly NodeId[]): Promise<Uint8Array[]> {
  if (ids.length === 0) return [];
  const where = ids.map(() => '(level = ? AND idx = ?)').join(' OR ');
  const rows = await querySql<{ level: number | string; idx: number | string; hash: string }>(
    manager,
    `SELECT level, idx, hash FROM vault_log_node WHERE ${where}`,
    ids.flatMap((id) => [id.level, id.index]),
  );
  const byId = new Map(rows.map((r) => [`${Number(r.level)}/${Number(r.idx)}`, r.hash]));
  return ids.map((id) => {
    const hex = byId.get(`${id.level}/${id.index}`);
    if (!hex) throw new Error(`log node ${id.level}/${id.index} is missing from vault_log_node`);
    return Buffer.from(hex, 'hex');
  });
}

function toStoredEntry(row: LogEntryEntity): StoredEntry {
  return {
    seq: row.seq,
    leafHash: Buffer.from(row.leafHash, 'hex'),
    kind: row.kind,
    leaf: Buffer.from(row.body, 'utf8'),
    key: row.key,
    createdAt: row.createdAt,
  };
}

function toStoredCheckpoint(row: CheckpointEntity): StoredCheckpoint {
  return { size: row.size, rootHash: Buffer.from(row.rootHash, 'hex'), note: row.note, createdAt: row.createdAt };
}
