import { canonicalBytes } from '#evx/canonical-json';

/**
 * The log's leaves are RFC 8785 canonical JSON objects with a `type`; these bytes, exactly, are hashed
 * (leaf hash = SHA-256(0x00 || bytes)). docs/log-format.md specifies them.
 */
export const AUDIT_EVENT_TYPE = 'evx.audit-event.v1';

export interface AuditObjectRef {
  /** ObjectType name, e.g. `OBJECT_TYPE_AUTHORISATION`. */
  type: string;
  id: string;
}

export interface AuditEventRecord {
  eventId: string;
  /** Who acted: the certificate identity URI, or `evx://service/<name>` when EVX acted on its own. */
  actorUri: string;
  /** AuditAction name, e.g. `AUDIT_ACTION_REQUEST_SUBMITTED`. */
  action: string;
  objects: AuditObjectRef[];
  oldState: string;
  newState: string;
  reason: string;
  /** RFC 3339 UTC with milliseconds, e.g. `2026-11-26T06:00:00.000Z`. */
  occurredAt: string;
  /** The EVX service that reported the event, from its mTLS identity (set by the vault, not by the reporter). */
  recordedBy: string;
}

export function auditEventLeaf(event: AuditEventRecord): Uint8Array {
  const { eventId, actorUri, action, objects, oldState, newState, reason, occurredAt, recordedBy } = event;
  if (!eventId || !actorUri || !action || !recordedBy) {
    throw new RangeError('an audit event needs eventId, actorUri, action and recordedBy');
  }
  if (Number.isNaN(Date.parse(occurredAt)) || new Date(occurredAt).toISOString() !== occurredAt) {
    throw new RangeError(`occurredAt must be RFC 3339 UTC with milliseconds, got ${occurredAt}`);
  }
  return canonicalBytes({
    type: AUDIT_EVENT_TYPE,
    eventId,
    actorUri,
    action,
    objects: objects.map((o) => ({ type: o.type, id: o.id })),
    oldState,
    newState,
    reason,
    occurredAt,
    recordedBy,
  });
}

/** Decodes a leaf that is an audit event; returns null for other leaf types (e.g. package commitments). */
export function decodeAuditEventLeaf(leaf: Uint8Array): AuditEventRecord | null {
  const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(leaf)) as Record<string, unknown>;
  if (value.type !== AUDIT_EVENT_TYPE) return null;
  const { type: _type, ...event } = value;
  return event as unknown as AuditEventRecord;
}
