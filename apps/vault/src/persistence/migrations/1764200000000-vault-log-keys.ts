import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const EMPTY_ROOT = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Idempotency keys on log entries (audit event ids, package ids) and the single head row appenders lock. */
export class VaultLogKeys1764200000000 implements MigrationInterface {
  name = 'VaultLogKeys1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'vault_log_entry',
      new TableColumn({ name: 'entry_key', type: 'varchar', length: '128', isNullable: true }),
    );
    await q.createIndex(
      'vault_log_entry',
      new TableIndex({ name: 'vault_log_entry_key', columnNames: ['entry_key'], isUnique: true }),
    );
    await q.query(`INSERT INTO vault_log_head (id, size, root_hash, updated_at) VALUES (1, 0, '${EMPTY_ROOT}', 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DELETE FROM vault_log_head WHERE id = 1');
    await q.dropIndex('vault_log_entry', 'vault_log_entry_key');
    await q.dropColumn('vault_log_entry', 'entry_key');
  }
}
