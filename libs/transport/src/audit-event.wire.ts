import type { AuditEventInput, AuditEventRecord } from '#evx/audit';
import { EvxError } from '#evx/errors';
import { dateFromTimestamp, timestampFromDate, type AuditEvent } from '#evx/proto';

/** An audit event for the wire (AppendLogEntries). */
export function auditEventToWire(event: AuditEventInput): AuditEvent {
  return {
    eventId: event.eventId,
    actorUri: event.actorUri,
    action: event.action as AuditEvent['action'],
    objects: event.objects.map((o) => ({
      objectType: o.type as AuditEvent['objects'][number]['objectType'],
      objectId: o.id,
    })),
    oldState: event.oldState,
    newState: event.newState,
    reason: event.reason,
    occurredAt: timestampFromDate(new Date(event.occurredAt)),
  };
}

/** An audit event from the wire, validated, with the reporting service's identity; `where` names it in errors. */
export function auditEventFromWire(event: AuditEvent, recordedBy: string, where: string): AuditEventRecord {
  if (!UUID.test(event.eventId)) throw invalid(`${where}.event_id must be a UUID`);
  if (!event.actorUri.startsWith('evx://')) throw invalid(`${where}.actor_uri must be an evx:// identity URI`);
  if (event.action === 'AUDIT_ACTION_UNSPECIFIED') throw invalid(`${where}.action must be set`);
  if (event.reason.length > 4000) throw invalid(`${where}.reason is longer than 4000 characters`);
  if (!event.occurredAt) throw invalid(`${where}.occurred_at must be set`);
  return {
    eventId: event.eventId,
    actorUri: event.actorUri,
    action: event.action,
    objects: event.objects.map((o) => ({ type: o.objectType, id: o.objectId })),
    oldState: event.oldState,
    newState: event.newState,
    reason: event.reason,
    occurredAt: dateFromTimestamp(event.occurredAt).toISOString(),
    recordedBy,
  };
}

/** The decoded leaf back on the wire (GetLogEntries). */
export function auditRecordToWire(record: AuditEventRecord): AuditEvent {
  return auditEventToWire(record);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function invalid(message: string): EvxError {
  return new EvxError('invalid-argument', message);
}
