import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * ProviderExchangeService beyond the task stream: the acknowledged generation of each task, the report stream that
 * tells authority-api what adapters did, each task's upload and the records rejected from it.
 */
export class ProviderExchange1764300000002 implements MigrationInterface {
  name = 'ProviderExchange1764300000002';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'provider_task',
      new TableColumn({ name: 'acknowledged_generation', type: 'integer', default: 0 }),
    );
    await q.createTable(
      new Table({
        name: 'provider_task_report',
        columns: [
          { name: 'position', type: 'bigint', isPrimary: true },
          { name: 'report_id', type: 'varchar', length: '36' },
          { name: 'task_id', type: 'varchar', length: '36' },
          { name: 'body', type: 'text' },
          { name: 'created_at', type: 'bigint' },
        ],
      }),
    );
    await q.createIndex(
      'provider_task_report',
      new TableIndex({ name: 'provider_task_report_id', columnNames: ['report_id'], isUnique: true }),
    );
    await q.createTable(
      new Table({
        name: 'provider_upload',
        columns: [
          { name: 'task_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'upload_id', type: 'varchar', length: '36' },
          { name: 'package_id', type: 'varchar', length: '36' },
          { name: 'created_at', type: 'bigint' },
          { name: 'completed_at', type: 'bigint', isNullable: true },
        ],
      }),
    );
    await q.createIndex(
      'provider_upload',
      new TableIndex({ name: 'provider_upload_id', columnNames: ['upload_id'], isUnique: true }),
    );
    await q.createTable(
      new Table({
        name: 'provider_upload_rejection',
        columns: [
          { name: 'upload_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'sequence_number', type: 'bigint', isPrimary: true },
          { name: 'origin', type: 'varchar', length: '8' },
          { name: 'code', type: 'varchar', length: '40' },
          { name: 'reason', type: 'text' },
          { name: 'created_at', type: 'bigint' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('provider_upload_rejection');
    await q.dropTable('provider_upload');
    await q.dropTable('provider_task_report');
    await q.dropColumn('provider_task', 'acknowledged_generation');
  }
}
