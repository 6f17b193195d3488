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

/**
 * TypeORM drives better-sqlite3 through ONE shared query runner per data source: two concurrent transactions nest as
 * savepoints (one rollback silently undoes the other's "committed" work) and a statement issued elsewhere while a
 * transaction is open joins it. So on SQLite every transaction, every self-transacting manager call (save,
 * remove, …) and every statement outside them take one process-wide lock; code running inside the lock holder's
 * async context passes straight through. (PostgreSQL has a pool and real concurrent transactions: not needed.)
 */
export function serialiseSqlite(dataSource: DataSource): void {
  const lock = new Mutex();
  const holder = new AsyncLocalStorage<true>();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> =>
    holder.getStore() ? work() : lock.run(() => holder.run(true, work));

  const manager = dataSource.manager as unknown as Record<string, Method>;
  for (const name of ['transaction', 'save', 'remove', 'softRemove', 'recover'] as const) {
    const original = manager[name].bind(dataSource.manager);
    manager[name] = ((...args: never[]) => exclusive(() => original(...args))) as Method;
  }
  const runner = dataSource.driver.createQueryRunner('master') as unknown as { query: Method };
  const query = runner.query.bind(runner);
  runner.query = ((...args: never[]) =>
    holder.getStore() ? query(...args) : lock.run(() => query(...args))) as Method;
}
