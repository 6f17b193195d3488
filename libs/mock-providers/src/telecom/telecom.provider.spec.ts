import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from '@jest/globals';
import type { EvidenceRecordInput } from '#evx/adapter-sdk';
import type { Selector } from '#evx/workflow';
import { recordsFor } from '../synthetic/mock-provider.js';
import type { OrderScope, SyntheticSettings } from '../synthetic/order-scope.js';
import { subscriberOf, telecomProvider } from './telecom.provider.js';

// Live heap right after a forced collection is what the generator still holds; heapUsed without one also counts
// garbage V8 has not collected yet (hundreds of MiB on a busy machine). jest gives no --expose-gc: set it here.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const liveHeap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

const SETTINGS: SyntheticSettings = { seed: 'test-seed', volume: 40, unknownSelectors: ['+31699999999'] };
const WEEK = { start: new Date('2026-11-01T00:00:00.000Z'), end: new Date('2026-11-08T00:00:00.000Z') };
const SCOPE: OrderScope = {
  requestTypes: ['SUBSCRIBER_DATA', 'TRAFFIC_DATA', 'LOCATION_DATA', 'USER_IDENTIFYING_DATA'],
  selectors: [
    { selectorId: 's1', kind: 'msisdn', value: '+31612345678' },
    { selectorId: 's2', kind: 'imsi', value: '204161234567890' },
    {
      selectorId: 'ip1',
      kind: 'ipObservation',
      value: { ipAddress: '198.51.100.23', port: 40123, observedTime: new Date('2026-11-03T10:00:00.000Z') },
    },
  ],
  timeRange: WEEK,
};

async function collect(scope: OrderScope, settings = SETTINGS): Promise<EvidenceRecordInput[]> {
  const out: EvidenceRecordInput[] = [];
  for await (const record of recordsFor(telecomProvider, scope, settings)) out.push(record);
  return out;
}

function digest(records: readonly EvidenceRecordInput[]): string {
  const hash = createHash('sha256');
  for (const r of records)
    hash.update(`${r.requestType}|${r.selectorId}|${r.recordTime.toISOString()}|${r.contentType}|${r.payload}\n`);
  return hash.digest('hex');
}

describe('telecomProvider', () => {
  it('gives the same records, byte for byte, for the same seed and order', async () => {
    expect(digest(await collect(SCOPE))).toBe(digest(await collect(SCOPE)));
  });

  it('gives different records for another seed', async () => {
    expect(digest(await collect(SCOPE, { ...SETTINGS, seed: 'other' }))).not.toBe(digest(await collect(SCOPE)));
  });

  it('gives records only within the order: its categories, selectors and period', async () => {
    const sut = await collect({ ...SCOPE, requestTypes: ['TRAFFIC_DATA'] });
    expect(sut.length).toBeGreaterThan(0);
    for (const record of sut) {
      expect(record.requestType).toBe('TRAFFIC_DATA');
      expect(['s1', 's2', 'ip1']).toContain(record.selectorId);
      expect(record.recordTime.getTime()).toBeGreaterThanOrEqual(WEEK.start.getTime());
      expect(record.recordTime.getTime()).toBeLessThan(WEEK.end.getTime());
    }
    const times = sut.filter((r) => r.selectorId === 's1').map((r) => r.recordTime.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('makes `volume` events per selector and category, one subscriber record per selector', async () => {
    const sut = await collect({ ...SCOPE, selectors: SCOPE.selectors.slice(0, 1) });
    const count = (type: string) => sut.filter((r) => r.requestType === type).length;
    expect([count('SUBSCRIBER_DATA'), count('TRAFFIC_DATA'), count('LOCATION_DATA')]).toEqual([1, 40, 40]);
  });

  it('resolves an IP address, port and time to one session of the subscriber behind it', async () => {
    const sut = await collect({ ...SCOPE, requestTypes: ['USER_IDENTIFYING_DATA'], selectors: [SCOPE.selectors[2]!] });
    expect(sut).toHaveLength(1);
    const session = JSON.parse(String(sut[0]!.payload));
    expect(session).toMatchObject({ kind: 'ip-session', ipAddress: '198.51.100.23' });
    expect(session.portRange[0]).toBeLessThanOrEqual(40123);
    expect(session.portRange[1]).toBeGreaterThanOrEqual(40123);
    expect(session.sessionStart <= '2026-11-03T10:00:00.000Z' && '2026-11-03T10:00:00.000Z' < session.sessionEnd).toBe(
      true,
    );
    expect(session.msisdn).toBe(subscriberOf(SCOPE.selectors[2]!, SETTINGS.seed).msisdn);
  });

  it('gives no session for an observation outside the order period', async () => {
    const late: Selector = {
      selectorId: 'ip1',
      kind: 'ipObservation',
      value: { ipAddress: '198.51.100.23', port: 1, observedTime: WEEK.end },
    };
    expect(await collect({ ...SCOPE, requestTypes: ['USER_IDENTIFYING_DATA'], selectors: [late] })).toEqual([]);
  });

  it('holds no data about an unknown subscriber or of categories it does not keep', async () => {
    expect(telecomProvider.holds({ selectorId: 'x', kind: 'msisdn', value: '+31699999999' }, SETTINGS)).toBe(false);
    expect(telecomProvider.holds({ selectorId: 'x', kind: 'iban', value: 'NL91ABNA0417164300' }, SETTINGS)).toBe(false);
    expect(await collect({ ...SCOPE, requestTypes: ['TRANSACTION_DATA'] })).toEqual([]);
  });

  it('streams a million records in constant memory', async () => {
    const scope: OrderScope = {
      requestTypes: ['TRAFFIC_DATA'],
      selectors: SCOPE.selectors.slice(0, 1),
      timeRange: WEEK,
    };
    const before = liveHeap();
    let peak = before;
    let count = 0;
    for await (const record of recordsFor(telecomProvider, scope, { ...SETTINGS, volume: 1_000_000 })) {
      count++;
      if (count % 100_000 === 0) peak = Math.max(peak, liveHeap());
      if (record.selectorId !== 's1') throw new Error(`record for ${record.selectorId}`);
    }
    expect(count).toBe(1_000_000);
    // A million kept records would be hundreds of MB; streaming keeps the live heap near where it started.
    expect(peak - before).toBeLessThan(32 * 1024 * 1024);
  }, 120_000);
});
