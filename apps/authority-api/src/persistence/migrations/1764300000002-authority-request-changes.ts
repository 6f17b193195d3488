import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The change feed of orders (WatchRequests): one row per new generation, written in the transaction of the change,
 * so every instance serves the same ordered stream and a client resumes exactly after its cursor (the seq).
 */
export class AuthorityRequestChanges1764300000002 implements MigrationInterface {
  name = 'AuthorityRequestChanges1764300000002';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'authority_request_change',
        columns: [
          { name: 'seq', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'authorisation_id', type: 'varchar', length: '36' },
          { name: 'agency', type: 'varchar', length: '63' },
          { name: 'urgency', type: 'varchar', length: '32' },
          { name: 'generation', type: 'integer' },
          { name: 'old_status', type: 'varchar', length: '40' },
          { name: 'new_status', type: 'varchar', length: '40' },
          { name: 'desired_status', type: 'varchar', length: '40' },
          { name: 'reason', type: 'text' },
          { name: 'actor_uri', type: 'varchar', length: '255' },
          { name: 'changed_at', type: 'bigint' },
        ],
      }),
    );
    await q.createIndex(
      'authority_request_change',
      new TableIndex({ name: 'authority_request_change_agency', columnNames: ['agency', 'seq'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('authority_request_change');
  }
}
