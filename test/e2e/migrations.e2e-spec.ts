import { openDataSource, type ServiceStore } from '#evx/persistence';
import { AUTHORITY_STORE } from '../../apps/authority-api/src/persistence/authority.store.js';
import { PROVIDER_EDGE_STORE } from '../../apps/provider-edge/src/persistence/provider-edge.store.js';
import { VAULT_STORE } from '../../apps/vault/src/persistence/vault.store.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

const STORES: Array<[string, ServiceStore, string[]]> = [
  [
    'authority-api',
    AUTHORITY_STORE,
    [
      'authority_request',
      'authority_idempotency_key',
      'authority_request_change',
      'authority_report_cursor',
      'authority_task_report',
    ],
  ],
  [
    'provider-edge',
    PROVIDER_EDGE_STORE,
    [
      'provider_task',
      'provider_adapter_cursor',
      'provider_task_report',
      'provider_upload',
      'provider_upload_rejection',
    ],
  ],
  [
    'vault',
    VAULT_STORE,
    [
      'vault_log_entry',
      'vault_log_node',
      'vault_checkpoint',
      'vault_log_head',
      'vault_evidence_seal',
      'vault_evidence_package',
      'vault_evidence_record',
    ],
  ],
];

let db: TestDatabase;

beforeAll(() => {
  db = testDatabase();
});

afterAll(async () => {
  await db.drop();
});

describe.each(STORES)(
  `migrations of %s (${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'})`,
  (_name, store, tables) => {
    it(`${store.service}: run up, down to nothing, and up again`, async () => {
      const ds = await openDataSource(db.settings, store);
      try {
        const runner = ds.createQueryRunner();
        for (const table of tables) expect(await runner.hasTable(table)).toBe(true);
        expect(await ds.showMigrations()).toBe(false);

        for (let i = 0; i < store.migrations.length; i++) await ds.undoLastMigration({ transaction: 'each' });
        for (const table of tables) expect(await runner.hasTable(table)).toBe(false);
        expect(await ds.showMigrations()).toBe(true);

        await ds.runMigrations({ transaction: 'each' });
        for (const table of tables) expect(await runner.hasTable(table)).toBe(true);
        await runner.release();
      } finally {
        await ds.destroy();
      }
    });

    it(`${store.service}: the entities match the migrated schema (no pending schema change)`, async () => {
      const ds = await openDataSource(db.settings, store);
      try {
        const pending = await ds.driver.createSchemaBuilder().log();
        expect(pending.upQueries.map((q) => q.query)).toEqual([]);
      } finally {
        await ds.destroy();
      }
    });
  },
);
