import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The transparency log: entries, stored perfect-subtree hashes, signed checkpoints and the sequencing head. */
export class VaultLog1764100000000 implements MigrationInterface {
  name = 'VaultLog1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'vault_log_entry',
        columns: [
          { name: 'seq', type: 'bigint', isPrimary: true },
          { name: 'leaf_hash', type: 'varchar', length: '64' },
          { name: 'kind', type: 'varchar', length: '32' },
          { name: 'body', type: 'text' },
          { name: 'created_at', type: 'bigint' },
        ],
      }),
    );
    await q.createIndex(
      'vault_log_entry',
      new TableIndex({ name: 'vault_log_entry_kind', columnNames: ['kind', 'seq'] }),
    );
    await q.createTable(
      new Table({
        name: 'vault_log_node',
        columns: [
          { name: 'level', type: 'integer', isPrimary: true },
          { name: 'idx', type: 'bigint', isPrimary: true },
          { name: 'hash', type: 'varchar', length: '64' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'vault_checkpoint',
        columns: [
          { name: 'size', type: 'bigint', isPrimary: true },
          { name: 'root_hash', type: 'varchar', length: '64' },
          { name: 'note', type: 'text' },
          { name: 'created_at', type: 'bigint' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'vault_log_head',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'size', type: 'bigint' },
          { name: 'root_hash', type: 'varchar', length: '64' },
          { name: 'updated_at', type: 'bigint' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('vault_log_head');
    await q.dropTable('vault_checkpoint');
    await q.dropTable('vault_log_node');
    await q.dropTable('vault_log_entry');
  }
}
