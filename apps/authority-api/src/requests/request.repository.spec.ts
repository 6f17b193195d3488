import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { encodeRequestDocument } from '#evx/authorisation';
import { auditEvent } from '#evx/audit';
import { openDataSource, TypeormAuditOutbox, type DatabaseSettings } from '#evx/persistence';
import type { AuditFact } from '#evx/workflow';
import { anAuthorisation, anEmergencyDraftInput } from '../../../../libs/workflow/src/testing/workflow.fixtures.js';
import { AUTHORITY_STORE } from '../persistence/authority.store.js';
import { RequestRepository } from './request.repository.js';
import type { StoredRequest } from './stored-request.js';

const databases: [string, () => DatabaseSettings][] = [
  ['SQLite', () => ({ dataDir: mkdtempSync(join(tmpdir(), 'evx-requests-')) })],
];
if (process.env.DATABASE_URL) {
  databases.push([
    'PostgreSQL',
    () => ({
      dataDir: mkdtempSync(join(tmpdir(), 'evx-requests-')),
      databaseUrl: process.env.DATABASE_URL,
      databaseSchema: `request_repository_spec_${process.pid}`,
    }),
  ]);
}

function stored(
  id: string,
  generation: number,
  status: 'DRAFT' | 'AWAITING_APPROVAL',
  emergency = false,
): StoredRequest {
  const a = anAuthorisation(
    status,
    { authorisationId: id, generation },
    emergency ? anEmergencyDraftInput() : undefined,
  );
  return { authorisation: a, bundle: { request: encodeRequestDocument(id, a.details, a.createdAt), approvals: [] } };
}

const fact = (s: StoredRequest): AuditFact => ({
  authorisationId: s.authorisation.authorisationId,
  action: 'submit',
  actorUri: s.authorisation.details.requesterUri,
  fromStatus: 'DRAFT',
  toStatus: s.authorisation.status,
  fromDesiredStatus: 'DRAFT',
  toDesiredStatus: s.authorisation.desiredStatus,
  generation: s.authorisation.generation,
  reason: 'submitted',
  at: new Date(Date.UTC(2026, 10, 26, 12)),
});

describe.each(databases)('RequestRepository on %s', (_name, settings) => {
  let ds: DataSource;
  let sut: RequestRepository;
  let schema: string | undefined;

  beforeAll(async () => {
    const s = settings();
    schema = s.databaseSchema;
    ds = await openDataSource(s, AUTHORITY_STORE);
    sut = new RequestRepository(ds);
  }, 60_000);

  afterAll(async () => {
    if (schema) await ds.query(`DROP SCHEMA "${schema}" CASCADE`);
    await ds?.destroy();
  });

  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

  it('reads back what it inserted; an unknown id is undefined', async () => {
    const draft = stored(id(1), 1, 'DRAFT');
    await ds.transaction((m) => sut.insert(m, draft));
    expect(await sut.find(id(1))).toEqual(draft);
    expect(await sut.find(id(999))).toBeUndefined();
  });

  it('compare-and-set writes the next generation and its change row only from the expected generation', async () => {
    const draft = stored(id(2), 1, 'DRAFT');
    await ds.transaction((m) => sut.insert(m, draft));
    const next = stored(id(2), 2, 'AWAITING_APPROVAL');
    await ds.transaction(async (m) => {
      await sut.compareAndSet(m, next, 1);
      await sut.recordChange(m, fact(next), next);
    });
    expect(await sut.find(id(2))).toEqual(next);
    const [row] = (await ds.query(
      `SELECT status, generation, urgency, desired_status FROM authority_request WHERE id = '${id(2)}'`,
    )) as { status: string; generation: number; urgency: string; desired_status: string }[];
    expect(row).toEqual({
      status: 'REQUEST_STATUS_AWAITING_APPROVAL',
      generation: 2,
      urgency: 'URGENCY_STANDARD',
      desired_status: 'REQUEST_DESIRED_STATUS_ACTIVE',
    });
    const changes = (await ds.query(
      `SELECT old_status, new_status, generation, reason FROM authority_request_change WHERE authorisation_id = '${id(2)}'`,
    )) as unknown[];
    expect(changes).toEqual([
      {
        old_status: 'REQUEST_STATUS_DRAFT',
        new_status: 'REQUEST_STATUS_AWAITING_APPROVAL',
        generation: 2,
        reason: 'submitted',
      },
    ]);

    // A writer that read generation 1 lost the race: refused, nothing of its transaction written.
    const late = stored(id(2), 2, 'AWAITING_APPROVAL');
    const refused = ds.transaction(async (m) => {
      await sut.recordChange(m, fact(late), late);
      await sut.compareAndSet(m, late, 1);
    });
    await expect(refused).rejects.toMatchObject({ kind: 'stale-generation', code: 'STALE_GENERATION' });
    expect(await sut.find(id(2))).toEqual(next);
    expect(
      (await ds.query(`SELECT seq FROM authority_request_change WHERE authorisation_id = '${id(2)}'`)) as unknown[],
    ).toHaveLength(1);
  });

  it("lists an agency's emergency orders only", async () => {
    const emergency = stored(id(3), 1, 'DRAFT', true);
    await ds.transaction((m) => sut.insert(m, emergency));
    const agency = emergency.authorisation.details.issuingAgencyId;
    expect((await sut.emergenciesOf(agency)).map((s) => s.authorisation.authorisationId)).toEqual([id(3)]);
    expect(await sut.emergenciesOf('another-agency')).toEqual([]);
  });

  it('in one statement (PostgreSQL), writes the next generation, its change row and its audit events, or none of them', async () => {
    if (!sut.commitsInOneStatement) {
      expect(ds.options.type).toBe('better-sqlite3');
      return;
    }
    const outbox = new TypeormAuditOutbox(ds, 'authority-api');
    const audited = async (): Promise<string[]> =>
      ((await ds.query(`SELECT event FROM authority_api_audit_outbox ORDER BY created_at`)) as { event: string }[])
        .map((r) => JSON.parse(r.event) as { reason: string; objects: { id: string }[] })
        .filter((e) => e.objects.some((o) => o.id === id(4)))
        .map((e) => e.reason);
    const changes = async () =>
      (await ds.query(
        `SELECT old_status, new_status, generation, reason, actor_uri, agency, urgency, desired_status, changed_at
           FROM authority_request_change WHERE authorisation_id = '${id(4)}'`,
      )) as Record<string, unknown>[];
    const events = (reasons: string[]) =>
      reasons.map((reason) =>
        auditEvent(
          {
            actorUri: 'evx://investigator/x',
            action: 'AUDIT_ACTION_REQUEST_SUBMITTED',
            objects: [{ type: 'OBJECT_TYPE_AUTHORISATION', id: id(4) }],
            reason,
          },
          new Date(),
        ),
      );

    const draft = stored(id(4), 1, 'DRAFT');
    await ds.transaction((m) => sut.insert(m, draft));
    const next = stored(id(4), 2, 'AWAITING_APPROVAL');
    await sut.commitInOneStatement(next, 1, fact(next), (source) =>
      outbox.enqueueFor(source, events(['submitted', 'and sealed']), 1000),
    );
    expect(await sut.find(id(4))).toEqual(next);
    expect(await changes()).toEqual([
      {
        old_status: 'REQUEST_STATUS_DRAFT',
        new_status: 'REQUEST_STATUS_AWAITING_APPROVAL',
        generation: 2,
        reason: 'submitted',
        actor_uri: next.authorisation.details.requesterUri,
        agency: next.authorisation.details.issuingAgencyId,
        urgency: 'URGENCY_STANDARD',
        desired_status: 'REQUEST_DESIRED_STATUS_ACTIVE',
        changed_at: String(Date.UTC(2026, 10, 26, 12)),
      },
    ]);
    expect(await audited()).toEqual(['submitted', 'and sealed']);

    // A writer that read generation 1 lost the race: refused, and neither a change row nor an audit event written.
    const late = stored(id(4), 2, 'AWAITING_APPROVAL');
    await expect(
      sut.commitInOneStatement(late, 1, fact(late), (source) => outbox.enqueueFor(source, events(['late']), 2000)),
    ).rejects.toMatchObject({ kind: 'stale-generation', code: 'STALE_GENERATION' });
    expect(await sut.find(id(4))).toEqual(next);
    expect(await changes()).toHaveLength(1);
    expect(await audited()).toEqual(['submitted', 'and sealed']);

    // A value too long for its column is refused, not cut to fit (an explicit CAST to VARCHAR(n) would cut it), and
    // the statement writes nothing.
    const third = stored(id(4), 3, 'AWAITING_APPROVAL');
    const tooLong = { ...fact(third), actorUri: `evx://investigator/${'x'.repeat(300)}` };
    await expect(
      sut.commitInOneStatement(third, 2, tooLong, (source) => outbox.enqueueFor(source, events(['long']), 3000)),
    ).rejects.toThrow(/too long/);
    expect(await sut.find(id(4))).toEqual(next);
    expect(await changes()).toHaveLength(1);
    expect(await audited()).toEqual(['submitted', 'and sealed']);
  });
});
