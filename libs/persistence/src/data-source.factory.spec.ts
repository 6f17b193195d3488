import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDataSource } from './data-source.factory.js';

describe('openDataSource on SQLite', () => {
  it('runs with synchronous = FULL on a new database and again after a restart', async () => {
    const settings = { dataDir: mkdtempSync(join(tmpdir(), 'evx-datasource-')) };
    const store = { service: 'sync-spec', entities: [], migrations: [] };
    const levels: unknown[] = [];
    // Without the pragma both read NORMAL (1), better-sqlite3's build default for a WAL database.
    for (let run = 0; run < 2; run += 1) {
      const ds = await openDataSource(settings, store);
      try {
        levels.push(await ds.query('PRAGMA synchronous'), await ds.query('PRAGMA journal_mode'));
      } finally {
        await ds.destroy();
      }
    }
    expect(levels).toEqual([
      [{ synchronous: 2 }],
      [{ journal_mode: 'wal' }],
      [{ synchronous: 2 }],
      [{ journal_mode: 'wal' }],
    ]);
  });
});
