import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * authority_request.urgency holds the proto name (`URGENCY_EMERGENCY`, 17 characters), which the first migration's
 * varchar(16) cannot hold on PostgreSQL (SQLite ignores lengths, which hid it).
 */
export class AuthorityRequestUrgency1764300000001 implements MigrationInterface {
  name = 'AuthorityRequestUrgency1764300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.changeColumn(
      'authority_request',
      'urgency',
      new TableColumn({ name: 'urgency', type: 'varchar', length: '32' }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.changeColumn(
      'authority_request',
      'urgency',
      new TableColumn({ name: 'urgency', type: 'varchar', length: '16' }),
    );
  }
}
