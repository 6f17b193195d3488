import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Orders whose evidence is sealed for good (emergency validation refused or overdue). */
export class VaultEvidenceSeal1764300000000 implements MigrationInterface {
  name = 'VaultEvidenceSeal1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'vault_evidence_seal',
        columns: [
          { name: 'authorisation_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'reason', type: 'varchar', length: '64' },
          { name: 'details', type: 'text' },
          { name: 'on_behalf_of', type: 'varchar', length: '255' },
          { name: 'sealed_by', type: 'varchar', length: '255' },
          { name: 'sealed_at', type: 'bigint' },
          { name: 'log_index', type: 'bigint' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('vault_evidence_seal');
  }
}
