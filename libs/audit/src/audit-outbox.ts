import { randomUUID } from 'node:crypto';
import type { AuditEventRecord } from './log-leaf.codec.js';

/** An audit event as a service records it; the vault adds `recordedBy` from the reporter's certificate. */
export type AuditEventInput = Omit<AuditEventRecord, 'recordedBy'>;

/** What application code says about a change; ids and time are filled in by `auditEvent`. */
export interface AuditFacts {
  actorUri: string;
  action: string;
  objects: AuditEventRecord['objects'];
  oldState?: string;
  newState?: string;
  reason?: string;
}

export function auditEvent(facts: AuditFacts, now: Date): AuditEventInput {
  return {
    eventId: randomUUID(),
    actorUri: facts.actorUri,
    action: facts.action,
    objects: facts.objects,
    oldState: facts.oldState ?? '',
    newState: facts.newState ?? '',
    reason: facts.reason ?? '',
    occurredAt: now.toISOString(),
  };
}

/**
 * The transactional outbox each service keeps: an audit event is written in the same database transaction as the
 * change it describes, so a change can never commit without its trace; a relay then delivers it to the vault's log
 * (idempotently, by event id) and marks it sent.
 */
export interface AuditOutboxStore {
  /** Oldest undelivered events first. */
  pending(limit: number): Promise<AuditEventInput[]>;
  markDelivered(delivered: ReadonlyArray<{ eventId: string; logIndex: number }>, at: number): Promise<void>;
}
