import { describe, expect, it } from '@jest/globals';
import type { AuditFacts } from '#evx/audit';
import { validatedAuditEvents } from './request-audit.js';

const facts = (reason: string): AuditFacts => ({
  actorUri: 'evx://investigator/police-hn/inv-1',
  action: 'AUDIT_ACTION_REQUEST_SUBMITTED',
  objects: [{ type: 'OBJECT_TYPE_AUTHORISATION', id: '00000000-0000-4000-8000-000000000001' }],
  oldState: 'DRAFT',
  newState: 'AWAITING_APPROVAL',
  reason,
});

describe('validatedAuditEvents', () => {
  const now = new Date(Date.UTC(2026, 10, 26, 15));

  it('makes one event per fact, each with its own id, at the given time', () => {
    const events = validatedAuditEvents([facts('submitted'), facts('sealed')], now);
    expect(events.map((e) => [e.reason, e.occurredAt, e.newState])).toEqual([
      ['submitted', now.toISOString(), 'AWAITING_APPROVAL'],
      ['sealed', now.toISOString(), 'AWAITING_APPROVAL'],
    ]);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(2);
  });

  it('refuses an event the vault would refuse, so the change fails instead of the outbox', () => {
    expect(() => validatedAuditEvents([facts('x'.repeat(4001))], now)).toThrow('longer than 4000');
    expect(() => validatedAuditEvents([{ ...facts('ok'), actorUri: 'https://not-evx' }], now)).toThrow('evx://');
  });
});
