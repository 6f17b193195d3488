// The signed order (evx/authorisation/request.json) and the approvers' decisions (approvals/NN.json): the canonical
// documents the requester and each approver sign (docs/package-format.md §6). The request is AuthorisationDetails
// of evx.v1 in JSON form; format v1 fixes the members a verifier needs and leaves the rest to the workflow.
import { encodeCanonical, FormatError, parseCanonical, type JsonRecord } from './canonical.util.js';
import { DOC_TYPE, MAX_REQUEST_BYTES } from './package-format.js';
import { expectMembers, expectType, hex32, IDENTITY_URI, SEGMENT, str, time, uuid } from './schema.util.js';

export interface AuthorisationRequest {
  readonly authorisationId: string;
  /** The authority's case reference. */
  readonly caseReference: string;
  /** The requester's agency, as in its identity URI. */
  readonly issuingAgencyId: string;
  readonly requesterUri: string;
  /** The provider the order is addressed to. */
  readonly targetProviderId: string;
  /** When the requester signed. */
  readonly createdAt: string;
  /** Further AuthorisationDetails members (legalBasis, requestDetails, urgency, ...), defined by the workflow. */
  readonly [member: string]: unknown;
}

export const APPROVER_ROLE_VALUES = [
  'APPROVER_ROLE_SUPERVISOR',
  'APPROVER_ROLE_PROSECUTOR',
  'APPROVER_ROLE_JUDGE',
  'APPROVER_ROLE_DUTY_OFFICER',
] as const;
export const APPROVAL_KIND_VALUES = [
  'APPROVAL_KIND_STANDARD',
  'APPROVAL_KIND_EMERGENCY',
  'APPROVAL_KIND_JUDICIAL_VALIDATION',
] as const;
export const APPROVAL_DECISION_VALUES = ['APPROVAL_DECISION_APPROVED', 'APPROVAL_DECISION_REJECTED'] as const;

/** Fields 2 to 8 of evx.v1.Approval, as the approver signs them. */
export interface ApprovalStatement {
  readonly approverUri: string;
  readonly role: (typeof APPROVER_ROLE_VALUES)[number];
  readonly kind: (typeof APPROVAL_KIND_VALUES)[number];
  readonly decision: (typeof APPROVAL_DECISION_VALUES)[number];
  /** The approver's reasons; may be empty for an approval. */
  readonly reason: string;
  readonly decidedAt: string;
  /** SHA-256 of request.json: the exact order decided on. */
  readonly requestSha256: string;
}

const REQUEST_REQUIRED = [
  'authorisationId',
  'caseReference',
  'createdAt',
  'issuingAgencyId',
  'requesterUri',
  'targetProviderId',
  'type',
];
const APPROVAL_MEMBERS = ['approverUri', 'decidedAt', 'decision', 'kind', 'reason', 'requestSha256', 'role', 'type'];

function oneOf<T extends string>(doc: JsonRecord, name: string, values: readonly T[]): T {
  const value = doc[name];
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    throw new FormatError(`"${name}" must be one of ${values.join(', ')}`);
  }
  return value as T;
}

function readRequest(doc: JsonRecord): AuthorisationRequest {
  expectMembers(doc, REQUEST_REQUIRED, true);
  expectType(doc, DOC_TYPE.request);
  return {
    ...doc,
    authorisationId: uuid(doc, 'authorisationId'),
    caseReference: str(doc, 'caseReference', /^.{1,128}$/u, 128),
    issuingAgencyId: str(doc, 'issuingAgencyId', SEGMENT),
    requesterUri: str(doc, 'requesterUri', IDENTITY_URI, 300),
    targetProviderId: str(doc, 'targetProviderId', SEGMENT),
    createdAt: time(doc, 'createdAt'),
  };
}

function readApproval(doc: JsonRecord): ApprovalStatement {
  expectMembers(doc, APPROVAL_MEMBERS);
  expectType(doc, DOC_TYPE.approval);
  return {
    approverUri: str(doc, 'approverUri', IDENTITY_URI, 300),
    role: oneOf(doc, 'role', APPROVER_ROLE_VALUES),
    kind: oneOf(doc, 'kind', APPROVAL_KIND_VALUES),
    decision: oneOf(doc, 'decision', APPROVAL_DECISION_VALUES),
    reason: str(doc, 'reason'),
    decidedAt: time(doc, 'decidedAt'),
    requestSha256: hex32(doc, 'requestSha256'),
  };
}

/** The canonical request (AuthorisationBundle.canonical_request); at most 64 KiB. */
export function encodeAuthorisationRequest(request: AuthorisationRequest): Uint8Array {
  const bytes = encodeCanonical({ ...request, type: DOC_TYPE.request });
  return parseAuthorisationRequest(bytes) && bytes;
}

export function parseAuthorisationRequest(bytes: Uint8Array): AuthorisationRequest {
  if (bytes.length > MAX_REQUEST_BYTES) throw new FormatError(`larger than ${MAX_REQUEST_BYTES} bytes`);
  return readRequest(parseCanonical(bytes));
}

export function encodeApproval(approval: ApprovalStatement): Uint8Array {
  const bytes = encodeCanonical({ ...approval, type: DOC_TYPE.approval });
  readApproval(parseCanonical(bytes));
  return bytes;
}

export function parseApproval(bytes: Uint8Array): ApprovalStatement {
  return readApproval(parseCanonical(bytes));
}

/** `APPROVER_ROLE_DUTY_OFFICER` for the certificate role `duty-officer`. */
export function approverRoleValue(role: string): string {
  return `APPROVER_ROLE_${role.toUpperCase().replace(/-/g, '_')}`;
}
