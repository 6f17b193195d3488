import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Production and preservation requests, and the idempotency keys that make create replay-safe. */
export class AuthorityRequests1764100000001 implements MigrationInterface {
  name = 'AuthorityRequests1764100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'authority_request',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'case_reference', type: 'varchar', length: '128' },
          { name: 'agency', type: 'varchar', length: '63' },
          { name: 'requester_uri', type: 'varchar', length: '255' },
          { name: 'urgency', type: 'varchar', length: '16' },
          { name: 'status', type: 'varchar', length: '40' },
          { name: 'desired_status', type: 'varchar', length: '40', isNullable: true },
          { name: 'generation', type: 'integer' },
          { name: 'target_provider', type: 'varchar', length: '63' },
          { name: 'authorisation', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
        ],
      }),
    );
    await q.createIndex(
      'authority_request',
      new TableIndex({ name: 'authority_request_agency_status', columnNames: ['agency', 'status', 'created_at'] }),
    );
    await q.createTable(
      new Table({
        name: 'authority_idempotency_key',
        columns: [
          { name: 'requester_uri', type: 'varchar', length: '255', isPrimary: true },
          { name: 'idempotency_key', type: 'varchar', length: '128', isPrimary: true },
          { name: 'request_id', type: 'varchar', length: '36' },
          { name: 'created_at', type: 'bigint' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('authority_idempotency_key');
    await q.dropTable('authority_request');
  }
}
