// AuditTrail.prepare: the events a change writes in its own statement are stamped and validated exactly as `record`
// stamps and validates the ones it enqueues (PostgreSQL's one-statement commit in authority-api uses it).
import { describe, expect, it, jest } from '@jest/globals';
import type { EntityManager } from 'typeorm';
import type { AuditEventInput, AuditFacts } from '#evx/audit';
import type { TypeormAuditOutbox } from '#evx/persistence';
import { AuditTrail } from './audit-trail.module.js';
import type { AuditRelay } from './audit.relay.js';

const facts = (reason: string): AuditFacts => ({
  actorUri: 'evx://investigator/police-hn/inv-1',
  action: 'AUDIT_ACTION_REQUEST_SUBMITTED',
  objects: [{ type: 'OBJECT_TYPE_AUTHORISATION', id: '00000000-0000-4000-8000-000000000001' }],
  oldState: 'DRAFT',
  newState: 'AWAITING_APPROVAL',
  reason,
});

describe('AuditTrail', () => {
  const now = new Date(Date.UTC(2026, 10, 26, 15));
  const enqueue = jest.fn(async (_m: EntityManager, _events: AuditEventInput[], _at: number) => undefined);
  const trail = new AuditTrail({ enqueue } as unknown as TypeormAuditOutbox, {} as AuditRelay, () => now);

  it("prepare makes one event per fact, each with its own id, at the trail's clock", () => {
    const { events, at } = trail.prepare([facts('submitted'), facts('sealed')]);
    expect(at).toBe(now.getTime());
    expect(events.map((e) => [e.reason, e.occurredAt, e.newState])).toEqual([
      ['submitted', now.toISOString(), 'AWAITING_APPROVAL'],
      ['sealed', now.toISOString(), 'AWAITING_APPROVAL'],
    ]);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(2);
  });

  it('prepare and record refuse an event the vault would refuse, so the change fails instead of the outbox', async () => {
    expect(() => trail.prepare([facts('x'.repeat(4001))])).toThrow('longer than 4000');
    expect(() => trail.prepare([{ ...facts('ok'), actorUri: 'https://not-evx' }])).toThrow('evx://');
    await expect(trail.record({} as EntityManager, [facts('x'.repeat(4001))])).rejects.toThrow('longer than 4000');
    expect(enqueue).not.toHaveBeenCalled();
  });

  it('record enqueues what prepare makes, at the same time', async () => {
    await trail.record({} as EntityManager, [facts('submitted')]);
    expect(enqueue).toHaveBeenCalledTimes(1);
    const [, events, at] = enqueue.mock.calls[0] as [EntityManager, AuditEventInput[], number];
    expect(at).toBe(now.getTime());
    expect(events.map((e) => [e.reason, e.occurredAt])).toEqual([['submitted', now.toISOString()]]);
  });
});
