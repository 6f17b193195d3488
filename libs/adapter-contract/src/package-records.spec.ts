import { orderDetailsFor } from './authority-desk.js';
import { contentKeyOf, duplicates, outOfScopeReason, type PackageRecord } from './package-records.js';

const details = orderDetailsFor(
  'telco-a',
  {
    requestTypes: ['TRAFFIC_DATA'],
    selectors: [{ selectorId: 's1', kind: 'msisdn', value: '+31612345678' }],
    timeRange: { start: '2026-11-01T00:00:00.000Z', end: '2026-11-02T00:00:00.000Z' },
  },
  { label: 'T' },
);

function aRecord(over: Partial<PackageRecord> = {}): PackageRecord {
  const m = {
    sequenceNumber: 1,
    requestType: 'REQUEST_TYPE_TRAFFIC_DATA',
    selectorId: 's1',
    recordTime: '2026-11-01T12:00:00.000Z',
    contentType: 'application/json',
    payloadSize: 10,
    payloadSha256: 'ab'.repeat(32),
    ...over,
  };
  return { ...m, contentKey: contentKeyOf(m) };
}

describe('records against their order', () => {
  it('accepts a record of an ordered type and selector within the period', () => {
    expect(outOfScopeReason(aRecord(), details)).toBeUndefined();
  });

  it.each([
    [{ requestType: 'REQUEST_TYPE_LOCATION_DATA' }, /type LOCATION_DATA was not ordered/],
    [{ selectorId: 's2' }, /selector s2/],
    [{ recordTime: '2026-11-02T00:00:00.000Z' }, /outside/],
    [{ recordTime: '2026-10-31T23:59:59.999Z' }, /outside/],
  ])('names why %j is outside', (over, why) => {
    expect(outOfScopeReason(aRecord(over), details)).toMatch(why);
  });

  it('finds records that are there twice, whatever their position', () => {
    expect(duplicates([aRecord(), aRecord({ sequenceNumber: 2, payloadSha256: 'cd'.repeat(32) })])).toEqual([]);
    expect(duplicates([aRecord(), aRecord({ sequenceNumber: 2 })])).toHaveLength(1);
  });
});
