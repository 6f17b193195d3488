// What the generators need of an order: its categories, selectors and period (the scope EVX enforces on upload).
import type { RequestType, Selector, TimeRange } from '#evx/workflow';

export interface OrderScope {
  readonly requestTypes: readonly RequestType[];
  readonly selectors: readonly Selector[];
  readonly timeRange?: TimeRange;
}

/** The period events are generated in when the order has none (only possible for timeless categories). */
export const DEFAULT_PERIOD: TimeRange = {
  start: new Date('2026-01-01T00:00:00.000Z'),
  end: new Date('2026-02-01T00:00:00.000Z'),
};

export function inRange(time: Date, range: TimeRange | undefined): boolean {
  return !range || (time.getTime() >= range.start.getTime() && time.getTime() < range.end.getTime());
}

/** The instant a state record (subscriber, account holder) describes: the period's start, or a fixed instant. */
export function stateInstant(scope: OrderScope): Date {
  return scope.timeRange?.start ?? DEFAULT_PERIOD.start;
}

/** Settings shared by the mock providers' generators. */
export interface SyntheticSettings {
  /** Same seed, same records. */
  readonly seed: string;
  /** Events (call records, sessions, transactions, ...) per selector and category. */
  readonly volume: number;
  /** Selector values the provider does not hold (e.g. an unknown MSISDN). */
  readonly unknownSelectors: readonly string[];
}

/** The value of a selector as one string, for hashing and for the unknown list. */
export function selectorKey(selector: Selector): string {
  switch (selector.kind) {
    case 'ipObservation':
      return `${selector.value.ipAddress}:${selector.value.port}@${selector.value.observedTime.toISOString()}`;
    case 'nationalId':
      return `${selector.value.countryCode}:${selector.value.value}`;
    default:
      return selector.value;
  }
}

export function isUnknown(selector: Selector, settings: SyntheticSettings): boolean {
  const plain =
    selector.kind === 'ipObservation'
      ? selector.value.ipAddress
      : selector.kind === 'nationalId'
        ? selector.value.value
        : selector.value;
  return settings.unknownSelectors.includes(plain) || settings.unknownSelectors.includes(selectorKey(selector));
}
