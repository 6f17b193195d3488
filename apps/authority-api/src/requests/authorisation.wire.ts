// evx.v1 messages <-> the workflow's model. Enumerations are the proto names without their prefix
// (docs/workflow.md), so the mapping is concatenation; unknown and UNSPECIFIED values are refused with the field named.
import { EvxError } from '#evx/errors';
import {
  dateFromTimestamp,
  timestampFromDate,
  type Authorisation as WireAuthorisation,
  type AuthorisationDetails as WireDetails,
  type Selector as WireSelector,
  type Timestamp,
} from '#evx/proto';
import {
  EMERGENCY_THREATS,
  fromProtoName,
  PROTO_ENUM_PREFIX as P,
  REQUEST_TYPES,
  toProtoName,
  TYPES_OF_CASE,
  URGENCIES,
  type Authorisation,
  type DraftInput,
  type Selector,
} from '#evx/workflow';
import { bundleToWire } from './stored-request.js';
import type { AuthorisationBundle } from '#evx/authorisation';

function required<T>(value: T | null | undefined, field: string): T {
  if (value === null || value === undefined) throw new EvxError('invalid-argument', `${field} is required`);
  return value;
}

function time(value: Timestamp | null | undefined, field: string): Date {
  return dateFromTimestamp(required(value, field));
}

function selectorFromWire(s: WireSelector, i: number): Selector {
  const field = `details.request_details.selectors[${i}]`;
  const selectorId = s.selectorId;
  if (s.msisdn) return { selectorId, kind: 'msisdn', value: s.msisdn };
  if (s.imsi) return { selectorId, kind: 'imsi', value: s.imsi };
  if (s.imei) return { selectorId, kind: 'imei', value: s.imei };
  if (s.iban) return { selectorId, kind: 'iban', value: s.iban };
  if (s.nationalId) return { selectorId, kind: 'nationalId', value: { ...s.nationalId } };
  if (s.ipObservation) {
    const o = s.ipObservation;
    return {
      selectorId,
      kind: 'ipObservation',
      value: { ipAddress: o.ipAddress, port: o.port, observedTime: time(o.observedTime, `${field}.observed_time`) },
    };
  }
  throw new EvxError(
    'invalid-argument',
    `${field} has no value; set one of msisdn, imsi, imei, ip_observation, iban, national_id`,
    'UNKNOWN_SELECTOR',
  );
}

/** The order as the requester wrote it. Agency and requester are not read: they come from the certificate. */
export function draftFromWire(details: WireDetails | null | undefined): DraftInput {
  const d = required(details, 'details');
  const legal = required(d.legalBasis, 'details.legal_basis');
  const rd = required(d.requestDetails, 'details.request_details');
  const urgency = fromProtoName(P.Urgency, URGENCIES, d.urgency, 'details.urgency');
  return {
    caseReference: d.caseReference,
    ...(d.countryCode ? { countryCode: d.countryCode } : {}),
    legalBasis: {
      law: legal.law,
      article: legal.article,
      orderDocumentSha256: Buffer.from(legal.orderDocumentSha256).toString('hex'),
      ...(legal.orderDocumentReference ? { orderDocumentReference: legal.orderDocumentReference } : {}),
    },
    typeOfCase: fromProtoName(P.TypeOfCase, TYPES_OF_CASE, d.typeOfCase, 'details.type_of_case'),
    urgency,
    ...(d.emergency
      ? {
          emergency: {
            threat: fromProtoName(P.EmergencyThreat, EMERGENCY_THREATS, d.emergency.threat, 'details.emergency.threat'),
            justification: d.emergency.justification,
          },
        }
      : {}),
    targetProviderId: d.targetProviderId,
    requestDetails: {
      requestTypes: rd.requestTypes.map((t, i) =>
        fromProtoName(P.RequestType, REQUEST_TYPES, t, `details.request_details.request_types[${i}]`),
      ),
      selectors: rd.selectors.map(selectorFromWire),
      ...(rd.timeRange
        ? {
            timeRange: {
              start: time(rd.timeRange.startTime, 'details.request_details.time_range.start_time'),
              end: time(rd.timeRange.endTime, 'details.request_details.time_range.end_time'),
            },
          }
        : {}),
    },
    ...(d.requestedDeadline ? { requestedDeadline: dateFromTimestamp(d.requestedDeadline) } : {}),
    confidential: d.confidential,
    preservationOnly: d.preservationOnly,
    ...(d.preservationAuthorisationId ? { preservationAuthorisationId: d.preservationAuthorisationId } : {}),
  };
}

function selectorToWire(s: Selector): WireSelector {
  switch (s.kind) {
    case 'ipObservation':
      return {
        selectorId: s.selectorId,
        ipObservation: { ...s.value, observedTime: timestampFromDate(s.value.observedTime) },
      };
    case 'nationalId':
      return { selectorId: s.selectorId, nationalId: { ...s.value } };
    default:
      return { selectorId: s.selectorId, [s.kind]: s.value };
  }
}

function ts(date: Date | undefined): Timestamp | undefined {
  return date ? timestampFromDate(date) : undefined;
}

/** The order on the wire, with its signed bundle. `metadataOnly` (auditors) leaves out selectors and the bundle. */
export function authorisationToWire(
  a: Authorisation,
  bundle: AuthorisationBundle,
  metadataOnly = false,
): WireAuthorisation {
  const d = a.details;
  return {
    authorisationId: a.authorisationId,
    generation: a.generation,
    details: {
      caseReference: d.caseReference,
      issuingAgencyId: d.issuingAgencyId,
      countryCode: d.countryCode ?? '',
      requesterUri: d.requesterUri,
      legalBasis: {
        law: d.legalBasis.law,
        article: d.legalBasis.article,
        orderDocumentSha256: Buffer.from(d.legalBasis.orderDocumentSha256, 'hex'),
        orderDocumentReference: d.legalBasis.orderDocumentReference ?? '',
      },
      typeOfCase: toProtoName(P.TypeOfCase, d.typeOfCase),
      urgency: toProtoName(P.Urgency, d.urgency),
      emergency: d.emergency
        ? {
            threat: toProtoName(P.EmergencyThreat, d.emergency.threat),
            justification: metadataOnly ? '' : d.emergency.justification,
          }
        : undefined,
      targetProviderId: d.targetProviderId,
      requestDetails: {
        requestTypes: d.requestDetails.requestTypes.map((t) => toProtoName(P.RequestType, t)),
        selectors: metadataOnly ? [] : d.requestDetails.selectors.map(selectorToWire),
        timeRange: d.requestDetails.timeRange
          ? { startTime: ts(d.requestDetails.timeRange.start), endTime: ts(d.requestDetails.timeRange.end) }
          : undefined,
      },
      requestedDeadline: ts(d.requestedDeadline),
      confidential: d.confidential,
      preservationOnly: d.preservationOnly,
      preservationAuthorisationId: d.preservationAuthorisationId ?? '',
    },
    status: toProtoName(P.RequestStatus, a.status),
    desiredStatus: toProtoName(P.RequestDesiredStatus, a.desiredStatus),
    statusReason: a.statusReason,
    deadline: ts(a.deadline),
    emergencyValidation: a.emergencyValidation
      ? {
          status: toProtoName(P.EmergencyValidationStatus, a.emergencyValidation.status),
          dueTime: ts(a.emergencyValidation.validationDueAt),
          decidedAt: ts(a.emergencyValidation.decidedAt),
        }
      : undefined,
    bundle: metadataOnly ? undefined : bundleToWire(bundle),
    // Auditors see that a question was asked or a refusal given, and on which grounds, not the words.
    clarifications: a.clarifications.map((c) => ({
      clarificationId: c.clarificationId,
      question: metadataOnly ? '' : c.question,
      selectorIds: metadataOnly ? [] : [...c.selectorIds],
      askedByUri: c.askedByUri,
      askedAt: ts(c.askedAt),
      answer: metadataOnly ? '' : (c.answer ?? ''),
      answeredByUri: c.answeredByUri ?? '',
      answeredAt: ts(c.answeredAt),
    })),
    refusal: a.refusal
      ? {
          ground: toProtoName(P.RefusalGround, a.refusal.ground),
          explanation: metadataOnly ? '' : a.refusal.explanation,
          selectorIds: metadataOnly ? [] : [...a.refusal.selectorIds],
          refusedByUri: a.refusal.refusedByUri,
          refusedAt: ts(a.refusal.refusedAt),
        }
      : undefined,
    taskId: a.taskId ?? '',
    packageId: a.packageId ?? '',
    preservationExpiration: ts(a.preservation?.expiresAt),
    createdAt: ts(a.createdAt),
    lastChanged: ts(a.lastChanged),
  } as WireAuthorisation;
}
