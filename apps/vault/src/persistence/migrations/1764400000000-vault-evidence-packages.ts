import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Evidence packages (one per task upload) and their accepted records; payloads are files under the data folder. */
export class VaultEvidencePackages1764400000000 implements MigrationInterface {
  name = 'VaultEvidencePackages1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'vault_evidence_package',
        columns: [
          { name: 'package_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'authorisation_id', type: 'varchar', length: '64' },
          { name: 'task_id', type: 'varchar', length: '64' },
          { name: 'upload_id', type: 'varchar', length: '64' },
          { name: 'provider_id', type: 'varchar', length: '63' },
          { name: 'state', type: 'varchar', length: '32' },
          { name: 'authorisation', type: 'text' },
          { name: 'durable_seq', type: 'bigint' },
          { name: 'record_count', type: 'bigint' },
          { name: 'payload_bytes', type: 'bigint' },
          { name: 'chain_head', type: 'varchar', length: '64' },
          { name: 'merkle_frontier', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'received_at', type: 'bigint', isNullable: true },
          { name: 'origin_signature', type: 'text', isNullable: true },
          { name: 'origin_signed_at', type: 'bigint', isNullable: true },
          { name: 'custody_signature', type: 'text', isNullable: true },
          { name: 'log_index', type: 'bigint', isNullable: true },
          { name: 'completed_at', type: 'bigint', isNullable: true },
          { name: 'sealed_at', type: 'bigint', isNullable: true },
          { name: 'file_size', type: 'bigint', isNullable: true },
          { name: 'file_sha256', type: 'varchar', length: '64', isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'vault_evidence_package_upload',
            columnNames: ['task_id', 'upload_id'],
            isUnique: true,
          }),
          new TableIndex({ name: 'vault_evidence_package_authorisation', columnNames: ['authorisation_id'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'vault_evidence_record',
        columns: [
          { name: 'package_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'sequence_number', type: 'bigint', isPrimary: true },
          { name: 'position', type: 'bigint' },
          { name: 'metadata', type: 'text' },
          { name: 'payload_file', type: 'varchar', length: '128' },
          { name: 'created_at', type: 'bigint' },
        ],
        indices: [
          new TableIndex({
            name: 'vault_evidence_record_position',
            columnNames: ['package_id', 'position'],
            isUnique: true,
          }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('vault_evidence_record');
    await q.dropTable('vault_evidence_package');
  }
}
