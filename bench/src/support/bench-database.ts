// A fresh database per benchmark: SQLite files in a new folder, or a new PostgreSQL schema dropped afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { BenchContext } from '../bench.context.js';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface BenchDatabase {
  readonly kind: DatabaseKind;
  readonly settings: { dataDir: string; databaseUrl?: string; databaseSchema?: string };
  /** The same settings as service environment variables. */
  readonly env: Record<string, string>;
  drop(): Promise<void>;
}

export function benchDatabase(context: BenchContext, kind: DatabaseKind): BenchDatabase {
  const dataDir = mkdtempSync(join(context.tmp, `data-${kind}-`));
  if (kind === 'sqlite') {
    return {
      kind,
      settings: { dataDir },
      env: { EVX_DATA_DIR: dataDir },
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const url = context.options.pgUrl;
  const schema = `evx_bench_${randomBytes(6).toString('hex')}`;
  return {
    kind,
    settings: { dataDir, databaseUrl: url, databaseSchema: schema },
    env: { EVX_DATA_DIR: dataDir, DATABASE_URL: url, DATABASE_SCHEMA: schema },
    drop: async () => {
      const ds = new DataSource({ type: 'postgres', url });
      await ds.initialize();
      try {
        await ds.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await ds.destroy();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
