import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

const logger = new Logger('SqliteSerialiser');

/** A FIFO async lock. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

type Method = (...args: never[]) => Promise<unknown>;
type TransactionMethod = (...args: unknown[]) => Promise<unknown>;

/** Transactions committed together at most (each still in its own savepoint). */
export const GROUP_COMMIT_LIMIT = 64;

interface Queued {
  readonly args: unknown[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** TypeORM's shared runner: its own idea of the open transaction, which must match the connection's. */
interface SharedRunner {
  query: (sql: string, ...rest: unknown[]) => Promise<unknown>;
  isTransactionActive: boolean;
  transactionDepth: number;
}

/** better-sqlite3's connection: whether a transaction is open on it. */
interface SqliteConnection {
  readonly inTransaction: boolean;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * TypeORM drives better-sqlite3 through ONE shared query runner per data source: two concurrent transactions nest as
 * savepoints (one rollback silently undoes the other's "committed" work) and a statement issued elsewhere while a
 * transaction is open joins it. So on SQLite every transaction, every self-transacting manager call (save,
 * remove, …) and every statement outside them take one process-wide lock; code running inside the lock holder's
 * async context passes straight through. (PostgreSQL has a pool and real concurrent transactions: not needed.)
 *
 * Group commit: transactions that queue for the lock while another holds it, or that arrive in the same turn of the
 * event loop (a group starts from `setImmediate`), run, when their turn comes, one after the other inside ONE outer
 * transaction, each in its own savepoint, and the group commits once. A COMMIT is a write and
 * fsync of the log (the databases run with `synchronous = FULL`), which blocks the event loop, so a busy service pays
 * it once per group instead of once per transaction. Each caller still gets all or nothing of its own work: a
 * transaction that throws is rolled back to its savepoint and its caller gets its error while the others commit;
 * every caller's promise settles only after the group's COMMIT, and if that COMMIT fails every caller of the group
 * gets the failure (nothing of the group is written). Some SQLite errors (disk full, I/O error, out of memory) roll
 * back the whole transaction, not just the statement: then the callers whose work ran before it in the group are told
 * that it was not written, and those after it, which have not run, go on in the next group. A transaction alone in
 * the queue runs as before, without a savepoint; one that asks for an isolation level always runs alone.
 *
 * So a transaction's callback must do database work only, and finish all of it before it returns: one that waits
 * inside it for something another caller does after its own transaction returns would wait for ever if both land in
 * one group (and would hold the lock meanwhile), and work it starts without awaiting (a timer, a promise let go) keeps
 * the lock holder's context: run during a later turn, it would skip the lock and join that turn's transaction (run
 * between turns it takes the lock, the context being switched off there).
 *
 * A transaction driven by hand on the shared runner (`startTransaction`, statements, `commitTransaction`) is not
 * serialised as a whole: TypeORM decides BEGIN or SAVEPOINT when it is asked, not when the lock comes, so it is for
 * start-up alone (migrations run before a service serves anything).
 *
 * After each turn of the lock TypeORM's runner is made to agree with the connection: TypeORM itself loses count when
 * SQLite has rolled a transaction back on its own (its ROLLBACK then fails and is swallowed), after which every later
 * transaction would be a savepoint inside a transaction that is never committed.
 */
export function serialiseSqlite(dataSource: DataSource): void {
  const lock = new Mutex();
  const holder = new AsyncLocalStorage<true>();
  const runner = dataSource.driver.createQueryRunner('master') as unknown as SharedRunner;
  const query = runner.query.bind(runner);
  const connection = (): SqliteConnection =>
    (dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;

  /**
   * Makes TypeORM's count agree with the connection. A transaction the runner does not know of is rolled back (no
   * one will ever commit it); a transaction the runner believes open when SQLite has none is forgotten. A transaction
   * started by `startTransaction` (migrations do) spans several turns and agrees with the runner meanwhile.
   */
  async function settleConnection(): Promise<void> {
    const open = connection().inTransaction;
    if (open && !runner.isTransactionActive && runner.transactionDepth === 0) await query('ROLLBACK');
    // Depth 0 with the flag set is a transaction starting: TypeORM sets the flag, then waits for its BEGIN.
    else if (!open && runner.transactionDepth > 0) {
      runner.isTransactionActive = false;
      runner.transactionDepth = 0;
    }
  }
  /**
   * One turn of the lock for a transaction or a self-transacting call, with the connection checked afterwards.
   *
   * The holder's context is switched on for the turn only. While an AsyncLocalStorage is enabled, Node 20 runs its
   * hooks for every promise and every native resource the whole process creates (≈ 9 % of authority-api's CPU per
   * submission, issue #6), and the context is only ever asked for inside a turn: outside one nobody holds the lock,
   * and `getStore()` on a disabled storage says so (undefined). Turns run one after the other, so the storage is
   * disabled when one ends and enabled again by the next `run`.
   */
  const locked = <T>(work: () => Promise<T>): Promise<T> =>
    lock.run(() =>
      holder
        .run(true, async () => {
          try {
            return await work();
          } finally {
            await settleConnection();
          }
        })
        .finally(() => holder.disable()),
    );
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => (holder.getStore() ? work() : locked(work));

  const manager = dataSource.manager as unknown as Record<string, Method>;
  for (const name of ['save', 'remove', 'softRemove', 'recover'] as const) {
    const original = manager[name].bind(dataSource.manager);
    manager[name] = ((...args: never[]) => exclusive(() => original(...args))) as Method;
  }

  const transaction = (manager.transaction as TransactionMethod).bind(dataSource.manager);
  const queue: Queued[] = [];
  let scheduled = false;
  const schedule = (): void => {
    scheduled = true;
    // A group's callers are told by runGroup; what could still fail here is settling the connection afterwards.
    locked(runGroup).catch((error: unknown) =>
      logger.error(`SQLite connection left in an unknown state after a commit group: ${messageOf(error)}`),
    );
  };
  async function runGroup(): Promise<void> {
    const group = queue.splice(0, GROUP_COMMIT_LIMIT);
    scheduled = false;
    if (queue.length > 0) schedule();
    if (group.length === 1) {
      const [only] = group as [Queued];
      await transaction(...only.args).then(only.resolve, only.reject);
      return;
    }
    const outcomes: Outcome[] = [];
    let abortedAt = -1;
    let sunk: { error: unknown } | undefined;
    try {
      await transaction(async () => {
        for (const queued of group) {
          // Nested on the shared runner: a savepoint, released on success, rolled back to on failure.
          const outcome: Outcome = await transaction(...queued.args).then(
            (value) => ({ ok: true, value }),
            (error: unknown) => ({ ok: false, error }),
          );
          outcomes.push(outcome);
          if (!outcome.ok && !connection().inTransaction) {
            // SQLite rolled back the whole transaction: nothing of the group before it is written.
            abortedAt = outcomes.length - 1;
            throw outcome.error;
          }
        }
      });
    } catch (error) {
      // What sinks the members whose own work succeeded: the failed COMMIT, or SQLite's rollback of them all.
      sunk = {
        error:
          abortedAt < 0
            ? error
            : new Error(
                `not written: SQLite rolled back the whole transaction of its commit group when another ` +
                  `transaction in it failed (${messageOf(error)})`,
                { cause: error },
              ),
      };
    }
    // After an abort, the members after the failing one have not run: first in line for the next group.
    const settled = abortedAt < 0 ? group : group.slice(0, abortedAt + 1);
    if (abortedAt >= 0) {
      queue.unshift(...group.slice(abortedAt + 1));
      if (queue.length > 0 && !scheduled) schedule();
    }
    settled.forEach((queued, i) => {
      const outcome = outcomes[i];
      if (outcome && !outcome.ok) queued.reject(outcome.error);
      else if (sunk) queued.reject(sunk.error);
      else queued.resolve((outcome as Outcome & { ok: true }).value);
    });
  }
  manager.transaction = ((...args: unknown[]) => {
    if (holder.getStore()) return transaction(...args);
    // transaction(isolationLevel, work): the level applies to a whole transaction, so it runs alone.
    if (typeof args[0] === 'string') return locked(() => transaction(...args));
    return new Promise((resolve, reject) => {
      queue.push({ args, resolve, reject });
      if (scheduled) return;
      // The group starts after the I/O of this turn of the event loop has been handled: a turn of the lock runs
      // within one callback's microtasks, so without the wait each transaction would form a group of its own, and
      // the calls that arrive in the same turn (a busy gRPC connection delivers several) would not join it.
      scheduled = true;
      setImmediate(schedule);
    });
  }) as Method;

  // A statement alone is not a turn that settles: TypeORM counts BEGIN and COMMIT only after they return.
  runner.query = (sql, ...rest) => (holder.getStore() ? query(sql, ...rest) : lock.run(() => query(sql, ...rest)));
}
