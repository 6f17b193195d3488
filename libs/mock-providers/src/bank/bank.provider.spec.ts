import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { EvidenceRecordInput } from '#evx/adapter-sdk';
import { recordsFor } from '../synthetic/mock-provider.js';
import type { OrderScope, SyntheticSettings } from '../synthetic/order-scope.js';
import { bankProvider, dutchIban, holderOf } from './bank.provider.js';

const SETTINGS: SyntheticSettings = { seed: 'test-seed', volume: 30, unknownSelectors: ['NL02ABNA0123456789'] };
const YEAR = { start: new Date('2025-11-01T00:00:00.000Z'), end: new Date('2026-11-01T00:00:00.000Z') };
const IBAN = { selectorId: 'a1', kind: 'iban', value: 'NL91ABNA0417164300' } as const;
const NATIONAL_ID = { selectorId: 'p1', kind: 'nationalId', value: { countryCode: 'NL', value: '123456782' } } as const;

async function collect(scope: OrderScope, settings = SETTINGS): Promise<EvidenceRecordInput[]> {
  const out: EvidenceRecordInput[] = [];
  for await (const record of recordsFor(bankProvider, scope, settings)) out.push(record);
  return out;
}

const digest = (records: readonly EvidenceRecordInput[]) =>
  createHash('sha256')
    .update(
      records.map((r) => `${r.requestType}|${r.selectorId}|${r.recordTime.toISOString()}|${r.payload}`).join('\n'),
    )
    .digest('hex');

describe('bankProvider', () => {
  it('makes valid IBANs (ISO 13616 check digits)', () => {
    expect(dutchIban('0417164300')).toBe('NL91ABNA0417164300');
  });

  it('gives the same records for the same seed and order, other records for another seed', async () => {
    const scope: OrderScope = {
      requestTypes: ['ACCOUNT_HOLDER_DATA', 'ACCOUNT_DATA', 'TRANSACTION_DATA'],
      selectors: [IBAN, NATIONAL_ID],
      timeRange: YEAR,
    };
    expect(digest(await collect(scope))).toBe(digest(await collect(scope)));
    expect(digest(await collect(scope, { ...SETTINGS, seed: 'x' }))).not.toBe(digest(await collect(scope)));
  });

  it('finds the holder by national ID or by account, and lists the account asked about among theirs', async () => {
    const [kyc] = await collect({ requestTypes: ['ACCOUNT_HOLDER_DATA'], selectors: [NATIONAL_ID] });
    expect(JSON.parse(String(kyc!.payload))).toMatchObject({ kind: 'account-holder', nationalId: NATIONAL_ID.value });
    expect(holderOf(IBAN, SETTINGS.seed).accounts).toContain(IBAN.value);
    const accounts = await collect({ requestTypes: ['ACCOUNT_DATA'], selectors: [IBAN] });
    expect(accounts.map((a) => JSON.parse(String(a.payload)).iban)).toEqual(holderOf(IBAN, SETTINGS.seed).accounts);
  });

  it('gives the transactions of the account in the period, in time order', async () => {
    const sut = await collect({ requestTypes: ['TRANSACTION_DATA'], selectors: [IBAN], timeRange: YEAR });
    expect(sut).toHaveLength(30);
    for (const t of sut) {
      expect(t.recordTime >= YEAR.start && t.recordTime < YEAR.end).toBe(true);
      expect(JSON.parse(String(t.payload)).iban).toBe(IBAN.value);
    }
    const times = sut.map((t) => t.recordTime.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('holds nothing about an unknown account or a telecom identifier', () => {
    expect(bankProvider.holds({ ...IBAN, value: 'NL02ABNA0123456789' }, SETTINGS)).toBe(false);
    expect(bankProvider.holds({ selectorId: 's', kind: 'msisdn', value: '+31612345678' }, SETTINGS)).toBe(false);
  });
});
