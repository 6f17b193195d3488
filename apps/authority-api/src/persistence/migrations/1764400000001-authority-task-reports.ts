import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What provider-edge reports about tasks: the report stream's cursor, every report seen (so a repeated one changes
 * nothing), and the evidence package reference on the order (id, state, log index, counts).
 */
export class AuthorityTaskReports1764400000001 implements MigrationInterface {
  name = 'AuthorityTaskReports1764400000001';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'authority_report_cursor',
        columns: [
          { name: 'source', type: 'varchar', length: '63', isPrimary: true },
          { name: 'cursor', type: 'varchar', length: '255' },
          { name: 'updated_at', type: 'bigint' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'authority_task_report',
        columns: [
          { name: 'report_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'authorisation_id', type: 'varchar', length: '36' },
          { name: 'kind', type: 'varchar', length: '32' },
          { name: 'generation', type: 'integer' },
          { name: 'adapter_uri', type: 'varchar', length: '255' },
          { name: 'outcome', type: 'varchar', length: '16' },
          { name: 'detail', type: 'text' },
          { name: 'reported_at', type: 'bigint' },
          { name: 'applied_at', type: 'bigint' },
        ],
      }),
    );
    await q.createIndex(
      'authority_task_report',
      new TableIndex({ name: 'authority_task_report_order', columnNames: ['authorisation_id'] }),
    );
    await q.addColumns('authority_request', [
      new TableColumn({ name: 'package_id', type: 'varchar', length: '36', isNullable: true }),
      new TableColumn({ name: 'package_state', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'package_log_index', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'package_record_count', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'package_payload_bytes', type: 'bigint', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const column of [
      'package_payload_bytes',
      'package_record_count',
      'package_log_index',
      'package_state',
      'package_id',
    ]) {
      await q.dropColumn('authority_request', column);
    }
    await q.dropTable('authority_task_report');
    await q.dropTable('authority_report_cursor');
  }
}
