// bank-b: a retail bank. Account holders (KYC) by national identity number or account number (IBAN), their
// accounts, and the transactions of an account in the order's period.
import type { EvidenceRecordInput } from '#evx/adapter-sdk';
import type { RequestType, Selector } from '#evx/workflow';
import { json, type MockProvider } from '../synthetic/mock-provider.js';
import {
  DEFAULT_PERIOD,
  isUnknown,
  stateInstant,
  type OrderScope,
  type SyntheticSettings,
} from '../synthetic/order-scope.js';
import { personOf, sinceDate } from '../synthetic/people.js';
import { SeededRandom, spreadTime } from '../synthetic/seeded.random.js';

const JSON_TYPE = 'application/json';

/** A valid Dutch IBAN (ISO 13616 check digits) for a 10-digit account number at bank code ABNA. */
export function dutchIban(account: string): string {
  const bban = `ABNA${account}`;
  const numeric = `${bban}NL00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97;
  return `NL${String(98 - remainder).padStart(2, '0')}${bban}`;
}

export interface AccountHolder {
  readonly customerId: string;
  readonly name: string;
  readonly dateOfBirth: string;
  readonly address: string;
  readonly nationalId: { readonly countryCode: string; readonly value: string };
  readonly customerSince: string;
  readonly riskRating: string;
  readonly accounts: readonly string[];
}

/** The holder an identifier belongs to; an IBAN selector is always one of the holder's accounts. */
export function holderOf(selector: Selector, seed: string): AccountHolder {
  const key =
    selector.kind === 'nationalId'
      ? `${selector.value.countryCode}:${selector.value.value}`
      : `iban:${String(selector.value)}`;
  const random = new SeededRandom(seed, 'bank-b', 'holder', key);
  const count = random.int('accounts', 1, 3);
  const accounts = Array.from({ length: count }, (_, i) => dutchIban(random.digits('account', 10, i)));
  if (selector.kind === 'iban') accounts[0] = selector.value;
  return {
    customerId: `C${random.digits('customer', 9)}`,
    ...personOf(random),
    nationalId:
      selector.kind === 'nationalId' ? { ...selector.value } : { countryCode: 'NL', value: random.digits('bsn', 9) },
    customerSince: sinceDate(random, 'customer'),
    riskRating: random.pick('risk', ['low', 'low', 'medium', 'high']),
    accounts,
  };
}

function single(record: EvidenceRecordInput): AsyncIterable<EvidenceRecordInput> {
  return (async function* () {
    yield record;
  })();
}

async function* accountRecords(selector: Selector, scope: OrderScope, settings: SyntheticSettings) {
  const holder = holderOf(selector, settings.seed);
  for (const iban of holder.accounts) {
    const random = new SeededRandom(settings.seed, 'bank-b', 'account', iban);
    yield {
      requestType: 'ACCOUNT_DATA' as const,
      selectorId: selector.selectorId,
      recordTime: stateInstant(scope),
      contentType: JSON_TYPE,
      payload: json({
        kind: 'account',
        iban,
        holder: holder.customerId,
        product: random.pick('product', ['current', 'savings', 'business']),
        currency: 'EUR',
        opened: sinceDate(random, 'opened'),
        status: 'open',
      }),
    };
  }
}

async function* transactions(selector: Selector, scope: OrderScope, settings: SyntheticSettings) {
  const holder = holderOf(selector, settings.seed);
  // An IBAN selector asks for that account; a national ID for all of the holder's accounts, one after the other.
  const accounts = selector.kind === 'iban' ? [selector.value] : holder.accounts;
  const period = scope.timeRange ?? DEFAULT_PERIOD;
  for (const iban of accounts) {
    const random = new SeededRandom(settings.seed, 'bank-b', 'transactions', iban, selector.selectorId);
    for (let i = 0; i < settings.volume; i++) {
      const t = random.stream('transaction', i);
      const at = spreadTime(t, period.start, period.end, i, settings.volume);
      const cents = t.int('amount', 100, 250_000);
      yield {
        requestType: 'TRANSACTION_DATA' as const,
        selectorId: selector.selectorId,
        recordTime: at,
        contentType: JSON_TYPE,
        payload: json({
          kind: 'transaction',
          transactionId: `T${iban.slice(-6)}${String(i).padStart(9, '0')}`,
          iban,
          bookedAt: at.toISOString(),
          amount: `${t.fraction('sign') < 0.7 ? '-' : ''}${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
          currency: 'EUR',
          counterpartyIban: dutchIban(t.digits('counterparty', 10)),
          description: t.pick('description', ['groceries', 'rent', 'salary', 'transfer', 'utilities', 'online shop']),
        }),
      };
    }
  }
}

export const bankProvider: MockProvider = {
  providerId: 'bank-b',
  requestTypes: ['ACCOUNT_HOLDER_DATA', 'ACCOUNT_DATA', 'TRANSACTION_DATA'],
  holds: (selector, settings) => ['iban', 'nationalId'].includes(selector.kind) && !isUnknown(selector, settings),
  records(selector, type: RequestType, scope, settings) {
    switch (type) {
      case 'ACCOUNT_HOLDER_DATA': {
        const { accounts, ...kyc } = holderOf(selector, settings.seed);
        return single({
          requestType: type,
          selectorId: selector.selectorId,
          recordTime: stateInstant(scope),
          contentType: JSON_TYPE,
          payload: json({ kind: 'account-holder', ...kyc, accounts }),
        });
      }
      case 'ACCOUNT_DATA':
        return accountRecords(selector, scope, settings);
      case 'TRANSACTION_DATA':
        return transactions(selector, scope, settings);
      default:
        return (async function* () {})();
    }
  },
};
