// Scope enforcement (issue 5, part 2): a record must answer the order as it was signed — one of its categories, one
// of its selectors, and a time inside its period — or it is rejected as over-collection and never reaches the vault.
import type { EvidenceRecord, RequestDetails, Timestamp } from '#evx/proto';

/** Why the record is outside the order's scope, in words that name the offending value; undefined when inside. */
export function scopeViolation(record: EvidenceRecord, scope: RequestDetails | null | undefined): string | undefined {
  const types = scope?.requestTypes ?? [];
  if (!types.includes(record.requestType)) {
    return `request_type ${record.requestType} is not one of the order's categories (${types.join(', ') || 'none'})`;
  }
  const selectors = (scope?.selectors ?? []).map((s) => s.selectorId);
  if (!selectors.includes(record.selectorId)) {
    return `selector_id "${record.selectorId}" is not one of the order's selectors (${selectors.join(', ') || 'none'})`;
  }
  const range = scope?.timeRange;
  if (range?.startTime && range.endTime) {
    if (!record.recordTime) return 'record_time is required: the order is limited to a time range';
    const at = nanos(record.recordTime);
    if (at < nanos(range.startTime) || at >= nanos(range.endTime)) {
      return `record_time ${iso(record.recordTime)} is outside the order's time range [${iso(range.startTime)}, ${iso(range.endTime)})`;
    }
  }
  return undefined;
}

function nanos(t: Timestamp): bigint {
  return BigInt(t.seconds) * 1_000_000_000n + BigInt(t.nanos);
}

function iso(t: Timestamp): string {
  const date = new Date(Number(t.seconds) * 1000);
  return t.nanos === 0
    ? date.toISOString()
    : date.toISOString().replace('.000Z', `.${String(t.nanos).padStart(9, '0')}Z`);
}
