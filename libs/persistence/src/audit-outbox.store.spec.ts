import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { auditEvent } from '#evx/audit';
import {
  auditOutboxSchema,
  createAuditOutboxTable,
  dropAuditOutboxTable,
  TypeormAuditOutbox,
} from './audit-outbox.store.js';
import { openDataSource, type DatabaseSettings } from './data-source.factory.js';
import { driverSql } from './raw-sql.js';

const SERVICE = 'outbox-spec';

class CreateOutbox1764000000001 implements MigrationInterface {
  name = 'CreateOutbox1764000000001';
  up = (q: QueryRunner) => createAuditOutboxTable(q, SERVICE);
  down = (q: QueryRunner) => dropAuditOutboxTable(q, SERVICE);
}

const event = (i: number) =>
  auditEvent(
    { actorUri: 'evx://service/authority-api', action: 'AUDIT_ACTION_REQUEST_SUBMITTED', objects: [], reason: `n${i}` },
    new Date(Date.UTC(2026, 10, 26, 12, 0, i)),
  );

interface Row {
  event_id: string;
  delivered_at: string | number | null;
  log_index: string | number | null;
}

const databases: [string, () => DatabaseSettings][] = [
  ['SQLite', () => ({ dataDir: mkdtempSync(join(tmpdir(), 'evx-outbox-')) })],
];
if (process.env.DATABASE_URL) {
  databases.push([
    'PostgreSQL',
    () => ({
      dataDir: mkdtempSync(join(tmpdir(), 'evx-outbox-')),
      databaseUrl: process.env.DATABASE_URL,
      databaseSchema: `outbox_spec_${process.pid}`,
    }),
  ]);
}

describe.each(databases)('TypeormAuditOutbox on %s', (_name, settings) => {
  let ds: DataSource;
  let outbox: TypeormAuditOutbox;
  let schema: string | undefined;

  beforeAll(async () => {
    const s = settings();
    schema = s.databaseSchema;
    ds = await openDataSource(s, {
      service: SERVICE,
      entities: [auditOutboxSchema(SERVICE)],
      migrations: [CreateOutbox1764000000001],
    });
    outbox = new TypeormAuditOutbox(ds, SERVICE);
  });

  afterAll(async () => {
    if (schema) await ds.query(`DROP SCHEMA "${schema}" CASCADE`);
    await ds?.destroy();
  });

  const rows = async (): Promise<Row[]> =>
    ds.query(`SELECT event_id, delivered_at, log_index FROM outbox_spec_audit_outbox ORDER BY created_at`);

  it('enqueues in the change transaction, hands out events oldest first, and marks each with its own log index', async () => {
    const events = Array.from({ length: 7 }, (_, i) => event(i));
    await ds.transaction(async (m) => {
      await outbox.enqueue(m, events.slice(0, 3), 1000);
      await outbox.enqueue(m, events.slice(3), 1000);
    });
    const pending = await outbox.pending(100);
    expect(pending).toEqual(events);
    expect(await outbox.backlog()).toBe(7);

    // Five of seven (not a power of two), with indexes out of step with the order.
    await outbox.markDelivered(
      pending.slice(0, 5).map((e, i) => ({ eventId: e.eventId, logIndex: 9_000_000_000 + 10 * (5 - i) })),
      1234,
    );
    const marked = await rows();
    expect(
      marked.map((r) => [
        r.event_id,
        r.delivered_at === null ? null : Number(r.delivered_at),
        r.log_index === null ? null : Number(r.log_index),
      ]),
    ).toEqual([
      ...events.slice(0, 5).map((e, i) => [e.eventId, 1234, 9_000_000_000 + 10 * (5 - i)]),
      [events[5]!.eventId, null, null],
      [events[6]!.eventId, null, null],
    ]);
    expect(await outbox.pending(100)).toEqual(events.slice(5));
    expect(await outbox.backlog()).toBe(2);
  });

  it('marks more events than fit in one statement', async () => {
    const events = Array.from({ length: 300 }, (_, i) => event(i));
    await ds.transaction((m) => outbox.enqueue(m, events, 2000));
    const pending = await outbox.pending(1000);
    await outbox.markDelivered(
      pending.map((e, i) => ({ eventId: e.eventId, logIndex: 100 + i })),
      5678,
    );
    expect(await outbox.backlog()).toBe(0);
    const byId = new Map((await rows()).map((r) => [r.event_id, Number(r.log_index)]));
    pending.forEach((e, i) => expect(byId.get(e.eventId)).toBe(100 + i));
  });

  it('writes nothing when the change rolls back', async () => {
    const before = await outbox.backlog();
    await expect(
      ds.transaction(async (m) => {
        await outbox.enqueue(m, [event(1)], 3000);
        throw new Error('the change fails');
      }),
    ).rejects.toThrow('the change fails');
    expect(await outbox.backlog()).toBe(before);
  });

  it('enqueueFor writes the events once per row of its source, none for an empty one', async () => {
    const before = await outbox.backlog();
    const none = outbox.enqueueFor('(SELECT 1 AS one WHERE 1 = 0) AS gate', [event(1)], 4000);
    await ds.query(driverSql(ds, none.sql), none.parameters as unknown[]);
    expect(await outbox.backlog()).toBe(before);

    const events = [event(2), event(3)];
    const one = outbox.enqueueFor('(SELECT 1 AS one) AS gate', events, 4000);
    await ds.query(driverSql(ds, one.sql), one.parameters as unknown[]);
    expect((await outbox.pending(1000)).slice(-2)).toEqual(events);
    expect(await outbox.backlog()).toBe(before + 2);
  });
});
