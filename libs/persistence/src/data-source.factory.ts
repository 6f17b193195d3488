import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, type DataSourceOptions, type EntitySchema } from 'typeorm';
import { serialiseSqlite } from './sqlite.serialiser.js';

export interface DatabaseSettings {
  /** `postgres://…`; unset selects the embedded SQLite file `<dataDir>/<service>.sqlite`. */
  databaseUrl?: string;
  /** PostgreSQL schema for this deployment; created when missing. */
  databaseSchema?: string;
  dataDir: string;
}

export interface ServiceStore {
  /** The owning service: names the SQLite file and the migrations table, so services never share tables. */
  service: string;
  entities: Array<Function | EntitySchema>;
  migrations: Function[];
}

export type DatabaseKind = 'sqlite' | 'postgres';

export function databaseKind(settings: DatabaseSettings): DatabaseKind {
  return settings.databaseUrl ? 'postgres' : 'sqlite';
}

export function dataSourceOptions(settings: DatabaseSettings, store: ServiceStore): DataSourceOptions {
  const common = {
    entities: store.entities,
    migrations: store.migrations,
    migrationsTableName: `${store.service.replace(/-/g, '_')}_migrations`,
    // Schema changes only ever come from committed migrations.
    synchronize: false,
    migrationsRun: false,
    logging: false,
  } as const;
  if (settings.databaseUrl) {
    return {
      ...common,
      type: 'postgres',
      url: settings.databaseUrl,
      schema: settings.databaseSchema,
      // search_path too, so raw SQL and migrations land in the same schema as the entities.
      extra: { max: 20, ...(settings.databaseSchema ? { options: `-c search_path=${settings.databaseSchema}` } : {}) },
    };
  }
  mkdirSync(settings.dataDir, { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: join(settings.dataDir, `${store.service}.sqlite`),
    // WAL lets readers proceed while the single writer commits; busy timeout rides out short write locks.
    // synchronous = FULL: a commit is on disk before it is reported (a power cut loses no acknowledged change).
    // Said explicitly: better-sqlite3 is built with NORMAL as the default of a WAL database
    // (SQLITE_DEFAULT_WAL_SYNCHRONOUS=1), which syncs the log only at checkpoints.
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
    },
  };
}

/** Opens the service's data source, creating the PostgreSQL schema when asked, and applies pending migrations. */
export async function openDataSource(settings: DatabaseSettings, store: ServiceStore): Promise<DataSource> {
  if (settings.databaseUrl && settings.databaseSchema)
    await ensureSchema(settings.databaseUrl, settings.databaseSchema);
  const dataSource = new DataSource(dataSourceOptions(settings, store));
  await dataSource.initialize();
  if (!settings.databaseUrl) serialiseSqlite(dataSource);
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

async function ensureSchema(url: string, schema: string): Promise<void> {
  const bootstrap = new DataSource({ type: 'postgres', url });
  await bootstrap.initialize();
  try {
    await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } finally {
    await bootstrap.destroy();
  }
}
