// The workflow's enumerations. Every value is the evx.v1 proto enum value name without its prefix
// (REQUEST_STATUS_AWAITING_APPROVAL -> 'AWAITING_APPROVAL'), so mapping to and from the wire is string
// concatenation (see toProtoName/fromProtoName) and proto-alignment.spec.ts fails if the two drift apart.
// The domain imports nothing from #evx/proto on purpose: it must not depend on a transport's types.
import { EvxError } from '#evx/errors';

/** ETSI Status, owned by EVX (evx.v1.RequestStatus). */
export const REQUEST_STATUSES = [
  'DRAFT',
  'AWAITING_APPROVAL',
  'PROVISIONALLY_APPROVED',
  'APPROVED',
  'REJECTED',
  'DISPATCHED',
  'ACKNOWLEDGED',
  'CLARIFICATION_REQUESTED',
  'PRESERVED',
  'FULFILLED',
  'PARTIALLY_FULFILLED',
  'REFUSED',
  'DELIVERED',
  'CLOSED',
  'WITHDRAWN',
  'EXPIRED',
  'VALIDATION_REJECTED',
  'VALIDATION_OVERDUE',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** ETSI DesiredStatus, set by the requester (evx.v1.RequestDesiredStatus). */
export const DESIRED_STATUSES = ['DRAFT', 'ACTIVE', 'WITHDRAWN', 'CLOSED'] as const;
export type DesiredStatus = (typeof DESIRED_STATUSES)[number];

export const URGENCIES = ['STANDARD', 'EMERGENCY'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const EMERGENCY_THREATS = ['LIFE', 'PHYSICAL_INTEGRITY', 'CRITICAL_INFRASTRUCTURE'] as const;
export type EmergencyThreat = (typeof EMERGENCY_THREATS)[number];

/** Offence category (ETSI AuthorisationTypeOfCase, evx.v1.TypeOfCase). */
export const TYPES_OF_CASE = [
  'CHILD_EXPLOITATION_OR_CHILD_SEXUAL_ABUSE',
  'CORRUPTION',
  'CYBERCRIME',
  'DEFAMATION',
  'DRUGS_OR_DRUG_TRAFFICKING',
  'HARASSMENT_OR_THREAT_TO_PERSONAL_SAFETY',
  'HATE_SPEECH',
  'HUMAN_TRAFFICKING',
  'MISSING_PERSON',
  'MONEY_LAUNDERING',
  'OTHER_FINANCIAL_CRIME_OR_FRAUD',
  'SEXUAL_ABUSE_OR_EXPLOITATION',
  'THEFT',
  'TERRORISM_OR_THREAT_TO_PUBLIC_SAFETY',
  'VIOLENCE_OR_CRIME_AGAINST_A_PERSON',
  'OTHER',
] as const;
export type TypeOfCase = (typeof TYPES_OF_CASE)[number];

/** Data category asked for (ETSI RequestType, evx.v1.RequestType). */
export const REQUEST_TYPES = [
  'SUBSCRIBER_DATA',
  'USER_IDENTIFYING_DATA',
  'TRAFFIC_DATA',
  'LOCATION_DATA',
  'STORED_CONTENT_DATA',
  'ACCOUNT_HOLDER_DATA',
  'ACCOUNT_DATA',
  'TRANSACTION_DATA',
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

/** Categories for which evx.v1.RequestDetails.time_range is optional. */
export const TIMELESS_REQUEST_TYPES: readonly RequestType[] = [
  'SUBSCRIBER_DATA',
  'ACCOUNT_HOLDER_DATA',
  'ACCOUNT_DATA',
];

export const APPROVER_ROLES = ['SUPERVISOR', 'PROSECUTOR', 'JUDGE', 'DUTY_OFFICER'] as const;
export type ApproverRole = (typeof APPROVER_ROLES)[number];

export const APPROVAL_KINDS = ['STANDARD', 'EMERGENCY', 'JUDICIAL_VALIDATION'] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

export const APPROVAL_DECISIONS = ['APPROVED', 'REJECTED'] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

export const EMERGENCY_VALIDATION_STATUSES = ['PENDING', 'VALIDATED', 'REJECTED', 'OVERDUE'] as const;
export type EmergencyValidationStatus = (typeof EMERGENCY_VALIDATION_STATUSES)[number];

/** Provider's grounds (evx.v1.RefusalGround). DATA_NOT_HELD is ETSI DisclosureNotAvailable. */
export const REFUSAL_GROUNDS = [
  'INCOMPLETE_OR_WRONG_ORDER',
  'DATA_NOT_HELD',
  'NOT_OUR_CUSTOMER',
  'DE_FACTO_IMPOSSIBILITY',
  'CONFLICT_WITH_OTHER_LAW',
  'OTHER',
] as const;
export type RefusalGround = (typeof REFUSAL_GROUNDS)[number];

/** The proto enum prefix of each vocabulary, e.g. PROTO_ENUM_PREFIX.RequestStatus = 'REQUEST_STATUS_'. */
export const PROTO_ENUM_PREFIX = {
  RequestStatus: 'REQUEST_STATUS_',
  RequestDesiredStatus: 'REQUEST_DESIRED_STATUS_',
  Urgency: 'URGENCY_',
  EmergencyThreat: 'EMERGENCY_THREAT_',
  TypeOfCase: 'TYPE_OF_CASE_',
  RequestType: 'REQUEST_TYPE_',
  ApproverRole: 'APPROVER_ROLE_',
  ApprovalKind: 'APPROVAL_KIND_',
  ApprovalDecision: 'APPROVAL_DECISION_',
  EmergencyValidationStatus: 'EMERGENCY_VALIDATION_STATUS_',
  RefusalGround: 'REFUSAL_GROUND_',
} as const;

/** `toProtoName('REQUEST_STATUS_', 'DRAFT')` is `'REQUEST_STATUS_DRAFT'`, typed as ts-proto's string enum. */
export function toProtoName<P extends string, V extends string>(prefix: P, value: V): `${P}${V}` {
  return `${prefix}${value}`;
}

/**
 * The domain value of a proto enum name. UNSPECIFIED and unknown names are refused: proto3 sends UNSPECIFIED for
 * a field the client left out, which is a missing argument, never a value.
 */
export function fromProtoName<V extends string>(
  prefix: string,
  values: readonly V[],
  protoName: string,
  field: string,
): V {
  const value = protoName.startsWith(prefix) ? protoName.slice(prefix.length) : undefined;
  const found = values.find((candidate) => candidate === value);
  if (found === undefined) {
    throw new EvxError(
      'invalid-argument',
      `${field} is ${JSON.stringify(protoName)}; it must be one of ${values.map((v) => prefix + v).join(', ')}.`,
    );
  }
  return found;
}
