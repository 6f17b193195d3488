// evx.v1.AuthorisationDetails (as it arrives in Task.authorisation) -> the workflow's AuthorisationDetails, so that
// the SDK can re-encode it with the one request codec and compare it byte for byte with the signed request.
import { EvxError } from '#evx/errors';
import { dateFromTimestamp, type AuthorisationDetails as WireDetails, type Selector as WireSelector } from '#evx/proto';
import {
  EMERGENCY_THREATS,
  fromProtoName,
  PROTO_ENUM_PREFIX as P,
  REQUEST_TYPES,
  TYPES_OF_CASE,
  URGENCIES,
  type AuthorisationDetails,
  type Selector,
} from '#evx/workflow';

function required<T>(value: T | null | undefined, field: string): T {
  if (value === null || value === undefined)
    throw new EvxError('invalid-argument', `task.authorisation.${field} is missing`);
  return value;
}

function selectorFromWire(s: WireSelector, i: number): Selector {
  const selectorId = s.selectorId;
  if (s.msisdn) return { selectorId, kind: 'msisdn', value: s.msisdn };
  if (s.imsi) return { selectorId, kind: 'imsi', value: s.imsi };
  if (s.imei) return { selectorId, kind: 'imei', value: s.imei };
  if (s.iban) return { selectorId, kind: 'iban', value: s.iban };
  if (s.nationalId) return { selectorId, kind: 'nationalId', value: { ...s.nationalId } };
  if (s.ipObservation) {
    const o = s.ipObservation;
    const observedTime = dateFromTimestamp(required(o.observedTime, `selectors[${i}].ip_observation.observed_time`));
    return { selectorId, kind: 'ipObservation', value: { ipAddress: o.ipAddress, port: o.port, observedTime } };
  }
  throw new EvxError('invalid-argument', `task.authorisation selector ${selectorId || i + 1} has no value`);
}

export function orderDetailsFromWire(details: WireDetails | null | undefined): AuthorisationDetails {
  const d = required(details, 'details');
  const legal = required(d.legalBasis, 'legal_basis');
  const rd = required(d.requestDetails, 'request_details');
  return {
    caseReference: d.caseReference,
    issuingAgencyId: d.issuingAgencyId,
    ...(d.countryCode ? { countryCode: d.countryCode } : {}),
    requesterUri: d.requesterUri,
    legalBasis: {
      law: legal.law,
      article: legal.article,
      orderDocumentSha256: Buffer.from(legal.orderDocumentSha256).toString('hex'),
      ...(legal.orderDocumentReference ? { orderDocumentReference: legal.orderDocumentReference } : {}),
    },
    typeOfCase: fromProtoName(P.TypeOfCase, TYPES_OF_CASE, d.typeOfCase, 'type_of_case'),
    urgency: fromProtoName(P.Urgency, URGENCIES, d.urgency, 'urgency'),
    ...(d.emergency
      ? {
          emergency: {
            threat: fromProtoName(P.EmergencyThreat, EMERGENCY_THREATS, d.emergency.threat, 'emergency.threat'),
            justification: d.emergency.justification,
          },
        }
      : {}),
    targetProviderId: d.targetProviderId,
    requestDetails: {
      requestTypes: rd.requestTypes.map((t, i) =>
        fromProtoName(P.RequestType, REQUEST_TYPES, t, `request_types[${i}]`),
      ),
      selectors: rd.selectors.map(selectorFromWire),
      ...(rd.timeRange
        ? {
            timeRange: {
              start: dateFromTimestamp(required(rd.timeRange.startTime, 'time_range.start_time')),
              end: dateFromTimestamp(required(rd.timeRange.endTime, 'time_range.end_time')),
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
