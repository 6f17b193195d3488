import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { GROUP_COMMIT_LIMIT, serialiseSqlite } from './sqlite.serialiser.js';

@Entity('note')
class Note {
  @PrimaryColumn({ type: 'varchar', length: 20 })
  id: string;

  @Column({ type: 'text' })
  body: string;
}

async function open(serialised: boolean): Promise<DataSource> {
  const ds = new DataSource({
    type: 'better-sqlite3',
    database: join(mkdtempSync(join(tmpdir(), 'evx-sqlite-')), 'db.sqlite'),
    entities: [Note],
    synchronize: true,
  });
  await ds.initialize();
  if (serialised) serialiseSqlite(ds);
  return ds;
}

/** A data source for one case (serialised or not), destroyed after it. */
async function withDatabase(serialised: boolean, test: (ds: DataSource) => Promise<void>): Promise<void> {
  const ds = await open(serialised);
  try {
    await test(ds);
  } finally {
    await ds.destroy();
  }
}

const tick = () => new Promise((r) => setTimeout(r, 5));

/** Transaction A stays open across awaits and then fails; B runs meanwhile, outside A. */
async function interleave(ds: DataSource): Promise<string[]> {
  const a = ds.transaction(async (m) => {
    await m.insert(Note, { id: 'a', body: 'from A' });
    await tick();
    await tick();
    throw new Error('A fails');
  });
  await tick();
  const b = ds.transaction(async (m) => m.insert(Note, { id: 'b', body: 'from B' }));
  const plain = ds.getRepository(Note).insert({ id: 'c', body: 'autocommit' });
  await Promise.allSettled([a, b, plain]);
  return (await ds.getRepository(Note).find({ order: { id: 'ASC' } })).map((n) => n.id);
}

describe('serialiseSqlite', () => {
  it('without it, work done beside a failing transaction is lost or refused (the problem it solves)', () =>
    withDatabase(false, async (ds) => {
      expect(await interleave(ds)).not.toEqual(['b', 'c']);
    }));

  it('with it, a failing transaction undoes only its own work', () =>
    withDatabase(true, async (ds) => {
      expect(await interleave(ds)).toEqual(['b', 'c']);
    }));

  it('lets the lock holder query and nest freely (no deadlock)', () =>
    withDatabase(true, async (ds) => {
      await ds.transaction(async (m) => {
        await m.insert(Note, { id: 'x', body: '1' });
        expect(await ds.getRepository(Note).count()).toBe(1);
        await ds.getRepository(Note).save({ id: 'y', body: '2' });
      });
      expect(await ds.getRepository(Note).count()).toBe(2);
    }));

  describe('group commit', () => {
    /** Every statement the shared runner executes, in order. */
    function statements(ds: DataSource): string[] {
      const seen: string[] = [];
      const runner = ds.driver.createQueryRunner('master') as unknown as {
        query: (sql: string, ...rest: unknown[]) => Promise<unknown>;
      };
      const query = runner.query.bind(runner);
      runner.query = (sql, ...rest) => {
        seen.push(sql);
        return query(sql, ...rest);
      };
      return seen;
    }
    const count = (seen: string[], prefix: string) => seen.filter((sql) => sql.startsWith(prefix)).length;
    const ids = async (ds: DataSource) =>
      (await ds.getRepository(Note).find({ order: { id: 'ASC' } })).map((n) => n.id);

    /** Holds the lock (an open transaction) until `release` is called, so the transactions after it queue. */
    function holdLock(ds: DataSource): { done: Promise<unknown>; release: () => void } {
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      const done = ds.transaction(async (m) => {
        await m.insert(Note, { id: 'held', body: 'first' });
        await released;
      });
      return { done, release };
    }

    it('commits queued transactions once, each all or nothing: a failing one is undone, its neighbours land', () =>
      withDatabase(true, async (ds) => {
        const seen = statements(ds);
        const held = holdLock(ds);
        await tick();
        const b = ds.transaction(async (m) => {
          await m.insert(Note, { id: 'b', body: 'B' });
          return 'from b';
        });
        const c = ds.transaction(async (m) => {
          await m.insert(Note, { id: 'c', body: 'C' });
          throw new Error('C fails after writing');
        });
        const d = ds.transaction(async (m) => {
          await m.insert(Note, { id: 'd', body: 'D' });
          // Sees what the group wrote before it (b), not what was rolled back (c): as if run one after the other.
          return (await m.find(Note, { order: { id: 'ASC' } })).map((n) => n.id).join(',');
        });
        held.release();
        const [rb, rc, rd] = await Promise.allSettled([b, c, d]);
        await held.done;
        expect(rb).toEqual({ status: 'fulfilled', value: 'from b' });
        expect(rc).toMatchObject({ status: 'rejected', reason: { message: 'C fails after writing' } });
        expect(rd).toEqual({ status: 'fulfilled', value: 'b,d,held' });
        expect(await ids(ds)).toEqual(['b', 'd', 'held']);
        // The held transaction's COMMIT, then one for the group of three (each in a savepoint).
        expect(count(seen, 'COMMIT')).toBe(2);
        expect(count(seen, 'SAVEPOINT')).toBe(3);
        expect(count(seen, 'ROLLBACK TO SAVEPOINT')).toBe(1);
      }));

    it('a group whose COMMIT fails writes nothing, and every caller of the group gets the failure', () =>
      withDatabase(true, async (ds) => {
        await ds.query('PRAGMA foreign_keys = ON');
        await ds.query('CREATE TABLE parent (id TEXT PRIMARY KEY)');
        await ds.query(
          'CREATE TABLE child (id TEXT PRIMARY KEY, parent_id TEXT REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)',
        );
        const held = holdLock(ds);
        await tick();
        const fine = ds.transaction((m) => m.insert(Note, { id: 'fine', body: 'innocent' }));
        // A deferred foreign key: the savepoint is released, the violation surfaces at the group's COMMIT.
        const orphan = ds.transaction((m) => m.query(`INSERT INTO child (id, parent_id) VALUES ('k', 'nobody')`));
        held.release();
        const outcomes = await Promise.allSettled([fine, orphan]);
        await held.done;
        for (const outcome of outcomes) {
          expect(outcome).toMatchObject({
            status: 'rejected',
            reason: { message: expect.stringMatching(/FOREIGN KEY/) },
          });
        }
        expect(await ids(ds)).toEqual(['held']);
        expect(await ds.query('SELECT id FROM child')).toEqual([]);
        // And the next transaction is not affected.
        await ds.transaction((m) => m.insert(Note, { id: 'after', body: 'later' }));
        expect(await ids(ds)).toEqual(['after', 'held']);
      }));

    it('groups transactions that arrive in separate callbacks of the same turn of the event loop', () =>
      withDatabase(true, async (ds) => {
        const seen = statements(ds);
        // Two immediates queued together run in one check phase, each callback with its own microtasks (as two gRPC
        // calls read in one poll phase are): without waiting for that turn to end, each would commit on its own.
        // (Two timers are not certain to share a phase: one started a millisecond later may fall due a turn later.)
        const issued = await new Promise<Promise<unknown>[]>((resolve) => {
          const calls: Promise<unknown>[] = [];
          setImmediate(() => calls.push(ds.transaction((m) => m.insert(Note, { id: 'one', body: '1' }))));
          setImmediate(() => {
            calls.push(ds.transaction((m) => m.insert(Note, { id: 'two', body: '2' })));
            resolve(calls);
          });
        });
        await Promise.all(issued);
        expect(await committedIds(ds)).toEqual(['one', 'two']);
        expect(count(seen, 'COMMIT')).toBe(1);
        expect(count(seen, 'SAVEPOINT')).toBe(2);
      }));

    it('a transaction alone runs without a savepoint, and a group never exceeds the limit', () =>
      withDatabase(true, async (ds) => {
        const seen = statements(ds);
        await ds.transaction((m) => m.insert(Note, { id: 'alone', body: 'x' }));
        expect(count(seen, 'SAVEPOINT')).toBe(0);
        expect(count(seen, 'COMMIT')).toBe(1);

        const held = holdLock(ds);
        await tick();
        const many = Array.from({ length: GROUP_COMMIT_LIMIT + 3 }, (_, i) =>
          ds.transaction((m) => m.insert(Note, { id: `n${String(i).padStart(3, '0')}`, body: 'y' })),
        );
        held.release();
        await Promise.all(many);
        await held.done;
        expect(await ds.getRepository(Note).count()).toBe(GROUP_COMMIT_LIMIT + 5);
        // alone, held, a full group, then the 3 left over.
        expect(count(seen, 'COMMIT')).toBe(4);
      }));

    /** A database that can grow by only a few pages: a large insert fails with SQLITE_FULL, which rolls back all. */
    async function nearlyFull(ds: DataSource): Promise<void> {
      const [{ page_count: pages }] = (await ds.query('PRAGMA page_count')) as [{ page_count: number }];
      await ds.query(`PRAGMA max_page_count = ${pages + 3}`);
    }
    const tooBig = 'x'.repeat(200_000);
    /** What a second connection sees: only what is committed. */
    async function committedIds(ds: DataSource): Promise<string[]> {
      const other = new DataSource({ type: 'better-sqlite3', database: ds.options.database as string });
      await other.initialize();
      try {
        return ((await other.query('SELECT id FROM note ORDER BY id')) as { id: string }[]).map((r) => r.id);
      } finally {
        await other.destroy();
      }
    }
    const inTransaction = (ds: DataSource) =>
      (ds.driver as unknown as { databaseConnection: { inTransaction: boolean } }).databaseConnection.inTransaction;

    it('when SQLite rolls back the whole group (disk full), those before are told so and those after still run', () =>
      withDatabase(true, async (ds) => {
        await nearlyFull(ds);
        const held = holdLock(ds);
        await tick();
        const a = ds.transaction((m) => m.insert(Note, { id: 'a', body: 'A' }));
        const t = ds.transaction(async (m) => {
          await m.insert(Note, { id: 't', body: 'T' });
          throw new Error('t fails on its own');
        });
        const b = ds.transaction((m) => m.insert(Note, { id: 'b', body: tooBig }));
        const c = ds.transaction((m) => m.insert(Note, { id: 'c', body: 'C' }));
        held.release();
        const [ra, rt, rb, rc] = await Promise.allSettled([a, t, b, c]);
        await held.done;
        expect(ra).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/^not written: /) } });
        // A transaction that failed on its own keeps its own error.
        expect(rt).toMatchObject({ status: 'rejected', reason: { message: 't fails on its own' } });
        expect(rb).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/full/) } });
        expect(rc.status).toBe('fulfilled');
        expect(await committedIds(ds)).toEqual(['c', 'held']);
        // Nothing is left open: the next transaction is committed for real, as another connection sees.
        await ds.transaction((m) => m.insert(Note, { id: 'd', body: 'D' }));
        expect(inTransaction(ds)).toBe(false);
        expect(await committedIds(ds)).toEqual(['c', 'd', 'held']);
      }));

    it('after SQLite rolls back a transaction alone, the next ones still commit (TypeORM loses count there)', () =>
      withDatabase(true, async (ds) => {
        await nearlyFull(ds);
        await expect(ds.transaction((m) => m.insert(Note, { id: 'big', body: tooBig }))).rejects.toThrow(/full/);
        await ds.transaction((m) => m.insert(Note, { id: 'e', body: 'E' }));
        await expect(
          ds.transaction(async (m) => {
            await m.insert(Note, { id: 'f', body: 'F' });
            throw new Error('f fails');
          }),
        ).rejects.toThrow('f fails');
        await ds.transaction((m) => m.insert(Note, { id: 'g', body: 'G' }));
        expect(inTransaction(ds)).toBe(false);
        expect(await committedIds(ds)).toEqual(['e', 'g']);
      }));

    it('leaves alone a transaction driven statement by statement (as migrations do)', () =>
      withDatabase(true, async (ds) => {
        const runner = ds.createQueryRunner();
        await runner.startTransaction();
        await runner.query(`INSERT INTO note (id, body) VALUES ('m1', 'x')`);
        await runner.commitTransaction();
        await runner.startTransaction();
        await runner.query(`INSERT INTO note (id, body) VALUES ('m2', 'x')`);
        await runner.rollbackTransaction();
        await ds.transaction((m) => m.insert(Note, { id: 't', body: 'y' }));
        expect(inTransaction(ds)).toBe(false);
        expect(await committedIds(ds)).toEqual(['m1', 't']);
      }));

    it('a transaction with an isolation level runs alone', () =>
      withDatabase(true, async (ds) => {
        const seen = statements(ds);
        const held = holdLock(ds);
        await tick();
        const a = ds.transaction('SERIALIZABLE', (m) => m.insert(Note, { id: 'iso', body: 'x' }));
        const b = ds.transaction((m) => m.insert(Note, { id: 'b', body: 'x' }));
        held.release();
        await Promise.all([a, b, held.done]);
        expect(count(seen, 'SAVEPOINT')).toBe(0);
        expect(count(seen, 'COMMIT')).toBe(3);
        expect(await ids(ds)).toEqual(['b', 'held', 'iso']);
      }));
  });
});
