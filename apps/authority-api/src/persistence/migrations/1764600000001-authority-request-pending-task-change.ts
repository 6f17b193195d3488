import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A task change (cancellation, answer, extension, expiry) committed on the order while provider-edge was unreachable
 * is kept here until the scheduler has delivered it, so a withdrawal or a restrict-data notice cannot be lost.
 */
export class AuthorityRequestPendingTaskChange1764600000001 implements MigrationInterface {
  name = 'AuthorityRequestPendingTaskChange1764600000001';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'authority_request',
      new TableColumn({ name: 'pending_task_change', type: 'text', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('authority_request', 'pending_task_change');
  }
}
