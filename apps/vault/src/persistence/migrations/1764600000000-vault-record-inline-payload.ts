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

  /** Refuses while any record keeps its payload in the row: dropping the column would destroy evidence. */
  async down(q: QueryRunner): Promise<void> {
    const [row] = (await q.query(
      'SELECT COUNT(*) AS n FROM vault_evidence_record WHERE payload_base64 IS NOT NULL',
    )) as { n: number | string }[];
    if (Number(row?.n ?? 0) > 0) {
      throw new Error(
        `cannot undo VaultRecordInlinePayload: ${row?.n} records keep their payload in the row (payload_base64); ` +
          'write them to files first',
      );
    }
    await q.dropColumn('vault_evidence_record', 'payload_base64');
  }
}
