import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createAuditOutboxTable, dropAuditOutboxTable } from '#evx/persistence';

/** The audit outbox: events written with the change they describe, then relayed to the vault's log. */
export class ProviderAuditOutbox1764200000002 implements MigrationInterface {
  name = 'ProviderAuditOutbox1764200000002';

  async up(q: QueryRunner): Promise<void> {
    await createAuditOutboxTable(q, 'provider-edge');
  }

  async down(q: QueryRunner): Promise<void> {
    await dropAuditOutboxTable(q, 'provider-edge');
  }
}
