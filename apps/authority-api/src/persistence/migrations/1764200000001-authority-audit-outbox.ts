import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createAuditOutboxTable, dropAuditOutboxTable } from '#evx/persistence';

/** The audit outbox: events written with the change they describe, then relayed to the vault's log. */
export class AuthorityAuditOutbox1764200000001 implements MigrationInterface {
  name = 'AuthorityAuditOutbox1764200000001';

  async up(q: QueryRunner): Promise<void> {
    await createAuditOutboxTable(q, 'authority-api');
  }

  async down(q: QueryRunner): Promise<void> {
    await dropAuditOutboxTable(q, 'authority-api');
  }
}
