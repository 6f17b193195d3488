import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Small payloads (up to 64 KiB) live in their record's row instead of a file of their own: one record of a few
 * hundred bytes cost a folder check, a file create, write, fsync and close, and a stream to read it back (issue #6,
 * emergency figure). Larger payloads stay files. NULL means the payload is the row's `payload_file`. Base64 text:
 * TypeORM has no binary column type common to SQLite (blob) and PostgreSQL (bytea), and the entity must describe
 * the table on both; a third more bytes for payloads this small.
 */
export class VaultRecordInlinePayload1764600000000 implements MigrationInterface {
  name = 'VaultRecordInlinePayload1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'vault_evidence_record',
      new TableColumn({ name: 'payload_base64', type: 'text', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('vault_evidence_record', 'payload_base64');
  }
}
