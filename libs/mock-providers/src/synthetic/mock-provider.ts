// A synthetic provider: which categories and selectors it can answer, and the records for an order, generated
// lazily in a fixed order (selector by selector, category by category, events by time).
import type { EvidenceRecordInput } from '#evx/adapter-sdk';
import type { RequestType, Selector } from '#evx/workflow';
import type { OrderScope, SyntheticSettings } from './order-scope.js';

export interface MockProvider {
  readonly providerId: string;
  /** Categories it holds data of. */
  readonly requestTypes: readonly RequestType[];
  /** Whether it holds data about this selector at all (a known customer, a kind of identifier it uses). */
  holds(selector: Selector, settings: SyntheticSettings): boolean;
  /** The records for one selector and category, in the order's period; only called when both are held. */
  records(
    selector: Selector,
    requestType: RequestType,
    scope: OrderScope,
    settings: SyntheticSettings,
  ): AsyncIterable<EvidenceRecordInput>;
}

/** Every record a provider gives for `scope`: held selectors × held categories, nothing outside the scope. */
export async function* recordsFor(
  provider: MockProvider,
  scope: OrderScope,
  settings: SyntheticSettings,
): AsyncGenerator<EvidenceRecordInput> {
  for (const selector of scope.selectors) {
    if (!provider.holds(selector, settings)) continue;
    for (const type of scope.requestTypes) {
      if (!provider.requestTypes.includes(type)) continue;
      yield* provider.records(selector, type, scope, settings);
    }
  }
}

export const json = (value: unknown): string => JSON.stringify(value);
