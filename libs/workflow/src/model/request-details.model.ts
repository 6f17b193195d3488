// What an order asks for (ETSI RequestDetails): categories, selectors and period. Shapes follow
// evx.v1.RequestDetails / Selector so that the application maps them field by field.
import type { RequestType } from './workflow.vocabulary.js';

/** A half-open period [start, end) (ETSI Timespan). */
export interface TimeRange {
  readonly start: Date;
  readonly end: Date;
}

/** An IP address seen in use at a given time (evx.v1.IpObservation); port 0 when unknown. */
export interface IpObservation {
  readonly ipAddress: string;
  readonly port: number;
  readonly observedTime: Date;
}

export interface NationalId {
  readonly countryCode: string;
  readonly value: string;
}

/**
 * One identifier the order targets (ETSI RequestValue). `kind` is the name of the member of the proto's `value`
 * oneof, so `{ kind: 'msisdn', value }` is `{ msisdn: value }` on the wire. An account number is an IBAN.
 */
export type SelectorValue =
  | { readonly kind: 'msisdn'; readonly value: string }
  | { readonly kind: 'imsi'; readonly value: string }
  | { readonly kind: 'imei'; readonly value: string }
  | { readonly kind: 'ipObservation'; readonly value: IpObservation }
  | { readonly kind: 'iban'; readonly value: string }
  | { readonly kind: 'nationalId'; readonly value: NationalId };

export type SelectorKind = SelectorValue['kind'];

export type Selector = SelectorValue & {
  /** Names the selector within its order: 1 to 32 characters of [A-Za-z0-9_-], unique in the order. */
  readonly selectorId: string;
};

export interface RequestDetails {
  /** One or more categories, without repeats. */
  readonly requestTypes: readonly RequestType[];
  /** 1 to 100 selectors. */
  readonly selectors: readonly Selector[];
  /** Required unless every category is one of TIMELESS_REQUEST_TYPES. */
  readonly timeRange?: TimeRange;
}
