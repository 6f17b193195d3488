// Tasks with real signed orders for the SDK's unit tests: an order signed by the dev PKI's investigator and
// approved by its supervisor and prosecutor, in the exact wire form provider-edge sends.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeRequestDocument, signApproval, signRequest, type ActorKey } from '#evx/authorisation';
import { parseApproval, parseSignatureEnvelope } from '#evx/evidence-package';
import {
  timestampFromDate,
  type Approval,
  type AuthorisationDetails as WireDetails,
  type Signature,
  type Task,
  type ApprovalDecision,
  type ApprovalKind,
  type ApproverRole,
} from '#evx/proto';
import type { AuthorisationDetails, Selector } from '#evx/workflow';

export const AUTHORISATION_ID = '0b9e2a4c-7d1f-4e3a-8c55-2f6d9b1a7e30';
export const TASK_ID = '8f3a6c2e-1b4d-4a7e-9f10-3c5e7a9b1d20';

export function actorKey(pki: string, file: string): ActorKey {
  return {
    certificatePem: readFileSync(join(pki, 'actors', `${file}.crt`), 'utf8'),
    privateKeyPem: readFileSync(join(pki, 'actors', `${file}.key`), 'utf8'),
  };
}

export function anOrder(overrides: Partial<AuthorisationDetails> = {}): AuthorisationDetails {
  return {
    caseReference: 'HN-2026-0042',
    issuingAgencyId: 'police-hn',
    requesterUri: 'evx://authority/police-hn/investigator/inv-1',
    legalBasis: { law: 'Code of Criminal Procedure', article: '126na(1)', orderDocumentSha256: 'ab'.repeat(32) },
    typeOfCase: 'CYBERCRIME',
    urgency: 'STANDARD',
    targetProviderId: 'telco-a',
    requestDetails: {
      requestTypes: ['SUBSCRIBER_DATA', 'TRAFFIC_DATA'],
      selectors: [{ selectorId: 's1', kind: 'msisdn', value: '+31612345678' }],
      timeRange: { start: new Date('2026-11-01T00:00:00.000Z'), end: new Date('2026-11-08T00:00:00.000Z') },
    },
    confidential: true,
    preservationOnly: false,
    ...overrides,
  };
}

function selectorToWire(s: Selector) {
  if (s.kind === 'ipObservation') {
    return {
      selectorId: s.selectorId,
      ipObservation: { ...s.value, observedTime: timestampFromDate(s.value.observedTime) },
    };
  }
  return { selectorId: s.selectorId, [s.kind]: s.value };
}

export function detailsToWire(d: AuthorisationDetails): WireDetails {
  const rd = d.requestDetails;
  return {
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
    typeOfCase: `TYPE_OF_CASE_${d.typeOfCase}`,
    urgency: `URGENCY_${d.urgency}`,
    emergency: null,
    targetProviderId: d.targetProviderId,
    requestDetails: {
      requestTypes: rd.requestTypes.map((t) => `REQUEST_TYPE_${t}`),
      selectors: rd.selectors.map(selectorToWire),
      timeRange: rd.timeRange
        ? { startTime: timestampFromDate(rd.timeRange.start), endTime: timestampFromDate(rd.timeRange.end) }
        : null,
    },
    requestedDeadline: null,
    confidential: d.confidential,
    preservationOnly: d.preservationOnly,
    preservationAuthorisationId: d.preservationAuthorisationId ?? '',
  } as WireDetails;
}

function wireSignature(envelopeBytes: Uint8Array): { signature: Signature; certificate: Buffer } {
  const envelope = parseSignatureEnvelope(envelopeBytes);
  return {
    signature: {
      signerUri: envelope.signerUri,
      algorithm: envelope.algorithm,
      value: Buffer.from(envelope.value),
      certificateSha256: Buffer.from(envelope.certificateSha256, 'hex'),
    },
    certificate: Buffer.from(envelope.certificates[0]!),
  };
}

/** A dispatched disclosure task for `details`, signed by inv-1 and approved by sup-1 and judge-1 of police-hn. */
export async function aSignedTask(pki: string, details: AuthorisationDetails = anOrder()): Promise<Task> {
  const createdAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const request = encodeRequestDocument(AUTHORISATION_ID, details, createdAt);
  const requester = wireSignature(await signRequest(request, actorKey(pki, 'police-hn.inv-1')));
  const approvals: Approval[] = [];
  const certificates = [requester.certificate];
  for (const [file, role] of [
    ['police-hn.sup-1', 'SUPERVISOR'],
    ['police-hn.judge-1', 'JUDGE'],
  ] as const) {
    const decidedAt = new Date(createdAt.getTime() + 1000 * (approvals.length + 1));
    const signed = await signApproval(
      request,
      {
        approverUri: `evx://authority/police-hn/approver/${file.split('.')[1]}`,
        role,
        kind: 'STANDARD',
        decision: 'APPROVED',
        reason: '',
        decidedAt,
      },
      actorKey(pki, file),
    );
    const statement = parseApproval(signed.statement);
    const wire = wireSignature(signed.signature);
    certificates.push(wire.certificate);
    approvals.push({
      approvalId: `a${approvals.length + 1}`,
      approverUri: statement.approverUri,
      role: statement.role as ApproverRole,
      kind: statement.kind as ApprovalKind,
      decision: statement.decision as ApprovalDecision,
      reason: statement.reason,
      decidedAt: timestampFromDate(decidedAt),
      requestSha256: Buffer.from(statement.requestSha256, 'hex'),
      signature: wire.signature,
    });
  }
  return {
    taskId: TASK_ID,
    authorisationId: AUTHORISATION_ID,
    generation: 1,
    providerId: details.targetProviderId,
    status: 'TASK_STATUS_AWAITING_ACKNOWLEDGEMENT',
    desiredStatus: 'TASK_DESIRED_STATUS_ACTIVE',
    statusReason: '',
    authorisation: detailsToWire(details),
    bundle: {
      canonicalRequest: Buffer.from(request),
      requesterSignature: requester.signature,
      approvals,
      certificates,
    },
    kind: 'disclosure',
    disclosure: { deadline: timestampFromDate(new Date(Date.now() + 86_400_000)), preservationTaskId: '' },
    preservation: null,
    clarifications: [],
    refusal: null,
    providerReference: '',
    dispatchedAt: timestampFromDate(new Date()),
    lastChanged: timestampFromDate(new Date()),
  } as Task;
}
