import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';

export interface TestDatabase {
  settings: { databaseUrl?: string; databaseSchema?: string; dataDir: string };
  kind: 'sqlite' | 'postgres';
  drop(): Promise<void>;
}

/**
 * The database the suite runs against: PostgreSQL in a fresh schema when DATABASE_URL is set (CI runs both),
 * otherwise SQLite files in a fresh temporary folder.
 */
export function testDatabase(): TestDatabase {
  const dataDir = mkdtempSync(join(tmpdir(), 'evx-data-'));
  const url = process.env.DATABASE_URL;
  if (!url) {
    return {
      settings: { dataDir },
      kind: 'sqlite',
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const schema = `evx_t_${randomBytes(6).toString('hex')}`;
  return {
    settings: { databaseUrl: url, databaseSchema: schema, dataDir },
    kind: 'postgres',
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
