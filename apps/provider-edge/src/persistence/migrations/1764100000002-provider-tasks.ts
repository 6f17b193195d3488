import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Tasks dispatched to providers, in stream order, and each adapter's acknowledged position for resume. */
export class ProviderTasks1764100000002 implements MigrationInterface {
  name = 'ProviderTasks1764100000002';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'provider_task',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'provider_id', type: 'varchar', length: '63' },
          { name: 'position', type: 'bigint' },
          { name: 'request_id', type: 'varchar', length: '36' },
          { name: 'status', type: 'varchar', length: '40' },
          { name: 'bundle', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
        ],
      }),
    );
    await q.createIndex(
      'provider_task',
      new TableIndex({ name: 'provider_task_stream', columnNames: ['provider_id', 'position'], isUnique: true }),
    );
    await q.createTable(
      new Table({
        name: 'provider_adapter_cursor',
        columns: [
          { name: 'adapter_uri', type: 'varchar', length: '255', isPrimary: true },
          { name: 'acknowledged_position', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('provider_adapter_cursor');
    await q.dropTable('provider_task');
  }
}
