import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource } from 'typeorm';

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

/**
 * TypeORM drives better-sqlite3 through ONE shared query runner per data source: two concurrent transactions nest as
 * savepoints (one rollback silently undoes the other's "committed" work) and a statement issued elsewhere while a
 * transaction is open joins it. So on SQLite every transaction, every self-transacting manager call (save,
 * remove, …) and every statement outside them take one process-wide lock; code running inside the lock holder's
 * async context passes straight through. (PostgreSQL has a pool and real concurrent transactions: not needed.)
 *
 * Group commit: transactions that queue for the lock while another holds it run, when their turn comes, one after the
 * other inside ONE outer transaction, each in its own savepoint, and the group commits once. A COMMIT is a write and
 * fsync of the log (the databases run with `synchronous = FULL`), which blocks the event loop, so a busy service pays
 * it once per group instead of once per transaction. Each caller still gets all or nothing of its own work: a
 * transaction that throws is rolled back to its savepoint and its caller gets its error while the others commit;
 * every caller's promise settles only after the group's COMMIT, and if that COMMIT fails every caller of the group
 * gets the failure (nothing of the group is written). A transaction alone in the queue runs as before, without a
 * savepoint; one that asks for an isolation level always runs alone.
 */
export function serialiseSqlite(dataSource: DataSource): void {
  const lock = new Mutex();
  const holder = new AsyncLocalStorage<true>();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> =>
    holder.getStore() ? work() : lock.run(() => holder.run(true, work));

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
    void lock.run(() => holder.run(true, runGroup));
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
    try {
      await transaction(async () => {
        for (const queued of group) {
          // Nested on the shared runner: a savepoint, released on success, rolled back to on failure.
          await transaction(...queued.args).then(
            (value) => outcomes.push({ ok: true, value }),
            (error: unknown) => outcomes.push({ ok: false, error }),
          );
        }
      });
    } catch (commitError) {
      group.forEach((queued, i) => {
        const outcome = outcomes[i];
        queued.reject(outcome && !outcome.ok ? outcome.error : commitError);
      });
      return;
    }
    group.forEach((queued, i) => {
      const outcome = outcomes[i] as Outcome;
      if (outcome.ok) queued.resolve(outcome.value);
      else queued.reject(outcome.error);
    });
  }
  manager.transaction = ((...args: unknown[]) => {
    if (holder.getStore()) return transaction(...args);
    // transaction(isolationLevel, work): the level applies to a whole transaction, so it runs alone.
    if (typeof args[0] === 'string') return lock.run(() => holder.run(true, () => transaction(...args)));
    return new Promise((resolve, reject) => {
      queue.push({ args, resolve, reject });
      if (!scheduled) schedule();
    });
  }) as Method;

  const runner = dataSource.driver.createQueryRunner('master') as unknown as { query: Method };
  const query = runner.query.bind(runner);
  runner.query = ((...args: never[]) =>
    holder.getStore() ? query(...args) : lock.run(() => query(...args))) as Method;
}
