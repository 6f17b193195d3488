import { describe, expect, it } from '@jest/globals';
import type { EvidenceRecordInput, OrderTask, TaskContext } from '#evx/adapter-sdk';
import type { RefusalGround } from '#evx/workflow';
import { parseMockFaults } from './mock-faults.js';
import { mockHandlers } from './mock.handlers.js';
import type { SyntheticSettings } from './synthetic/order-scope.js';
import { telecomProvider } from './telecom/telecom.provider.js';

const SETTINGS: SyntheticSettings = { seed: 's', volume: 10, unknownSelectors: ['+31699999999'] };
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
const KNOWN = { selectorId: 's1', kind: 'msisdn', value: '+31612345678' } as const;
const UNKNOWN = { selectorId: 's2', kind: 'msisdn', value: '+31699999999' } as const;

function aTask(
  selectors: OrderTask['selectors'],
  requestTypes: OrderTask['requestTypes'] = ['TRAFFIC_DATA'],
): OrderTask {
  const timeRange = { start: new Date('2026-11-01T00:00:00.000Z'), end: new Date('2026-11-02T00:00:00.000Z') };
  return {
    taskId: 't',
    authorisationId: 'a',
    generation: 1,
    providerId: 'telco-a',
    kind: 'disclosure',
    requestTypes,
    selectors,
    timeRange,
  } as unknown as OrderTask;
}

async function answer(task: OrderTask, faults = '') {
  const refusals: { ground: RefusalGround; explanation: string; selectorIds: readonly string[] }[] = [];
  const ctx: TaskContext = {
    refuse: (ground, explanation, selectorIds = []) => void refusals.push({ ground, explanation, selectorIds }),
    clarify: () => undefined,
  };
  const records: EvidenceRecordInput[] = [];
  for await (const r of mockHandlers(telecomProvider, SETTINGS, parseMockFaults(faults), quiet).onDisclosure(task, ctx))
    records.push(r);
  return { records, refusals };
}

describe('mockHandlers', () => {
  it('answers what is held and refuses unknown subscribers by selector', async () => {
    const sut = await answer(aTask([KNOWN, UNKNOWN]));
    expect(new Set(sut.records.map((r) => r.selectorId))).toEqual(new Set(['s1']));
    expect(sut.refusals).toEqual([expect.objectContaining({ ground: 'NOT_OUR_CUSTOMER', selectorIds: ['s2'] })]);
  });

  it('refuses every order with fault refuse', async () => {
    const sut = await answer(aTask([KNOWN]), 'refuse:DE_FACTO_IMPOSSIBILITY');
    expect(sut.records).toEqual([]);
    expect(sut.refusals[0]!.ground).toBe('DE_FACTO_IMPOSSIBILITY');
  });

  it('fulfils only part of the order with fault partial', async () => {
    const sut = await answer(aTask([KNOWN], ['TRAFFIC_DATA', 'LOCATION_DATA']), 'partial');
    expect(new Set(sut.records.map((r) => r.requestType))).toEqual(new Set(['TRAFFIC_DATA']));
    expect(sut.records).toHaveLength(5);
    expect(sut.refusals[0]!.ground).toBe('DE_FACTO_IMPOSSIBILITY');
  });

  it('adds one record outside the order with fault out-of-scope', async () => {
    const sut = await answer(aTask([KNOWN]), 'out-of-scope');
    expect(sut.records.filter((r) => r.selectorId === 'not-ordered')).toHaveLength(1);
    expect(sut.records).toHaveLength(11);
  });

  it('rejects an unknown fault name', () => {
    expect(() => parseMockFaults('explode')).toThrow(/not one of/);
    expect(parseMockFaults('drop-after:5,slow:10')).toMatchObject({ dropAfterRecords: 5, slowMs: 10 });
  });
});
