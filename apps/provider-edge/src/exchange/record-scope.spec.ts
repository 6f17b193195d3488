import type { EvidenceRecord, RequestDetails } from '#evx/proto';
import { scopeViolation } from './record-scope.js';

const scope: RequestDetails = {
  requestTypes: ['REQUEST_TYPE_TRAFFIC_DATA', 'REQUEST_TYPE_SUBSCRIBER_DATA'],
  selectors: [{ selectorId: 's1', msisdn: '+31612345678' }],
  timeRange: { startTime: { seconds: '1000', nanos: 0 }, endTime: { seconds: '2000', nanos: 0 } },
};

const record = (over: Partial<EvidenceRecord> = {}): EvidenceRecord => ({
  sequenceNumber: '1',
  requestType: 'REQUEST_TYPE_TRAFFIC_DATA',
  selectorId: 's1',
  recordTime: { seconds: '1500', nanos: 0 },
  contentType: 'application/json',
  payloadSize: '2',
  payloadSha256: Buffer.alloc(0),
  chunkOffset: '0',
  payload: Buffer.from('{}'),
  ...over,
});

describe('scopeViolation', () => {
  it('accepts a record of an ordered type and selector inside the range, both ends half-open', () => {
    expect(scopeViolation(record(), scope)).toBeUndefined();
    expect(scopeViolation(record({ recordTime: { seconds: '1000', nanos: 0 } }), scope)).toBeUndefined();
    expect(scopeViolation(record({ recordTime: { seconds: '1999', nanos: 999_999_999 } }), scope)).toBeUndefined();
  });

  it('names the category that was not ordered', () => {
    expect(scopeViolation(record({ requestType: 'REQUEST_TYPE_LOCATION_DATA' }), scope)).toMatch(
      /REQUEST_TYPE_LOCATION_DATA is not one of the order's categories/,
    );
  });

  it('names the selector that was not ordered', () => {
    expect(scopeViolation(record({ selectorId: 's2' }), scope)).toMatch(
      /"s2" is not one of the order's selectors \(s1\)/,
    );
  });

  it('rejects a time at or after the end, before the start, or missing', () => {
    expect(scopeViolation(record({ recordTime: { seconds: '2000', nanos: 0 } }), scope)).toMatch(/outside/);
    expect(scopeViolation(record({ recordTime: { seconds: '999', nanos: 999_999_999 } }), scope)).toMatch(
      /1970-01-01T00:16:39.999999999Z is outside the order's time range \[1970-01-01T00:16:40.000Z/,
    );
    expect(scopeViolation(record({ recordTime: null }), scope)).toMatch(/record_time is required/);
  });

  it('accepts any time when the order has no range', () => {
    expect(
      scopeViolation(record({ recordTime: { seconds: '5', nanos: 0 } }), { ...scope, timeRange: null }),
    ).toBeUndefined();
  });
});
