// The canonical request document of an order: AuthorisationDetails of evx.v1 in JSON form (proto enum names, ISO
// times, selectors as their oneof member), wrapped by the one codec of #evx/evidence-package so that what the
// requester signs here is byte for byte what `evx verify` later reads from a package.
import { encodeAuthorisationRequest, type AuthorisationRequest } from '#evx/evidence-package';
import { PROTO_ENUM_PREFIX as P, toProtoName, type AuthorisationDetails, type Selector } from '#evx/workflow';

type Json = string | number | boolean | Json[] | { [member: string]: Json };

function selectorJson(selector: Selector): Json {
  switch (selector.kind) {
    case 'ipObservation':
      return {
        selectorId: selector.selectorId,
        ipObservation: {
          ipAddress: selector.value.ipAddress,
          port: selector.value.port,
          observedTime: selector.value.observedTime.toISOString(),
        },
      };
    case 'nationalId':
      return {
        selectorId: selector.selectorId,
        nationalId: { countryCode: selector.value.countryCode, value: selector.value.value },
      };
    default:
      return { selectorId: selector.selectorId, [selector.kind]: selector.value };
  }
}

/** The request document (not yet encoded); absent optional members are left out, never written as null. */
export function requestDocumentOf(
  authorisationId: string,
  details: AuthorisationDetails,
  createdAt: Date,
): AuthorisationRequest {
  const { legalBasis, requestDetails } = details;
  const doc: Record<string, Json> = {
    authorisationId,
    caseReference: details.caseReference,
    issuingAgencyId: details.issuingAgencyId,
    requesterUri: details.requesterUri,
    targetProviderId: details.targetProviderId,
    createdAt: createdAt.toISOString(),
    legalBasis: {
      law: legalBasis.law,
      article: legalBasis.article,
      orderDocumentSha256: legalBasis.orderDocumentSha256,
      ...(legalBasis.orderDocumentReference ? { orderDocumentReference: legalBasis.orderDocumentReference } : {}),
    },
    typeOfCase: toProtoName(P.TypeOfCase, details.typeOfCase),
    urgency: toProtoName(P.Urgency, details.urgency),
    requestDetails: {
      requestTypes: requestDetails.requestTypes.map((type) => toProtoName(P.RequestType, type)),
      selectors: requestDetails.selectors.map(selectorJson),
      ...(requestDetails.timeRange
        ? {
            timeRange: {
              start: requestDetails.timeRange.start.toISOString(),
              end: requestDetails.timeRange.end.toISOString(),
            },
          }
        : {}),
    },
    confidential: details.confidential,
    preservationOnly: details.preservationOnly,
  };
  if (details.countryCode) doc.countryCode = details.countryCode;
  if (details.emergency) {
    doc.emergency = {
      threat: toProtoName(P.EmergencyThreat, details.emergency.threat),
      justification: details.emergency.justification,
    };
  }
  if (details.requestedDeadline) doc.requestedDeadline = details.requestedDeadline.toISOString();
  if (details.preservationAuthorisationId) doc.preservationAuthorisationId = details.preservationAuthorisationId;
  return doc as AuthorisationRequest;
}

/** The bytes the requester signs (RFC 8785 canonical JSON, docs/package-format.md §6). */
export function encodeRequestDocument(
  authorisationId: string,
  details: AuthorisationDetails,
  createdAt: Date,
): Uint8Array {
  return encodeAuthorisationRequest(requestDocumentOf(authorisationId, details, createdAt));
}
