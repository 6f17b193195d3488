// What REST returns for an order: its state and, for investigators and approvers of the agency, the signed bundle
// in base64 (canonicalRequest is what the requester signs; requestSha256 what approvers name). Auditors get metadata.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { parseApproval } from '#evx/evidence-package';
import { sha256Hex } from '#evx/authorisation';
import type { Actor } from '#evx/workflow';
import type { StoredRequest } from './stored-request.js';

export class ApprovalView {
  @ApiProperty() approverUri: string;
  @ApiProperty() role: string;
  @ApiProperty() kind: string;
  @ApiProperty() decision: string;
  @ApiProperty() reason: string;
  @ApiProperty() decidedAt: string;
}

export class RefusalView {
  @ApiProperty({ description: 'INCOMPLETE_OR_WRONG_ORDER, DATA_NOT_HELD, NOT_OUR_CUSTOMER, …' }) ground: string;
  @ApiProperty({ description: 'The provider’s words (empty for auditors)' }) explanation: string;
  @ApiProperty({ type: [String] }) selectorIds: string[];
  @ApiProperty() refusedByUri: string;
  @ApiProperty() refusedAt: string;
}

export class ClarificationView {
  @ApiProperty() clarificationId: string;
  @ApiProperty({ description: 'Empty for auditors' }) question: string;
  @ApiProperty() askedByUri: string;
  @ApiProperty() askedAt: string;
  @ApiPropertyOptional() answer?: string;
}

export class RequestView {
  @ApiProperty() authorisationId: string;
  @ApiProperty() generation: number;
  @ApiProperty() status: string;
  @ApiProperty() desiredStatus: string;
  @ApiProperty() statusReason: string;
  @ApiProperty() caseReference: string;
  @ApiProperty() issuingAgencyId: string;
  @ApiProperty() requesterUri: string;
  @ApiProperty() urgency: string;
  @ApiProperty() targetProviderId: string;
  @ApiProperty({ type: [String] }) requestTypes: string[];
  @ApiPropertyOptional() emergencyValidation?: { status: string; validationDueAt: string };
  @ApiProperty() evidenceSealed: boolean;
  @ApiPropertyOptional({ description: 'The task dispatched to the provider' }) taskId?: string;
  @ApiPropertyOptional({ description: 'The evidence package, once delivered (GET /v1/requests/{id}/package)' })
  packageId?: string;
  @ApiPropertyOptional({ type: RefusalView, description: 'Grounds when REFUSED or PARTIALLY_FULFILLED' })
  refusal?: RefusalView;
  @ApiPropertyOptional({ type: [ClarificationView] }) clarifications?: ClarificationView[];
  @ApiPropertyOptional({ description: 'Base64 of the canonical request (absent for auditors)' })
  canonicalRequest?: string;
  @ApiPropertyOptional({ description: 'SHA-256 of canonicalRequest, hex' }) requestSha256?: string;
  @ApiPropertyOptional({ type: [ApprovalView] }) approvals?: ApprovalView[];
  @ApiProperty() createdAt: string;
  @ApiProperty() lastChanged: string;
}

export function requestView(actor: Actor, stored: StoredRequest): RequestView {
  const a = stored.authorisation;
  const full = actor.kind !== 'auditor';
  return {
    authorisationId: a.authorisationId,
    generation: a.generation,
    status: a.status,
    desiredStatus: a.desiredStatus,
    statusReason: a.statusReason,
    caseReference: a.details.caseReference,
    issuingAgencyId: a.details.issuingAgencyId,
    requesterUri: a.details.requesterUri,
    urgency: a.details.urgency,
    targetProviderId: a.details.targetProviderId,
    requestTypes: [...a.details.requestDetails.requestTypes],
    ...(a.emergencyValidation
      ? {
          emergencyValidation: {
            status: a.emergencyValidation.status,
            validationDueAt: a.emergencyValidation.validationDueAt.toISOString(),
          },
        }
      : {}),
    evidenceSealed: a.evidenceSealed,
    ...(a.taskId ? { taskId: a.taskId } : {}),
    ...(a.packageId ? { packageId: a.packageId } : {}),
    ...(a.refusal
      ? {
          refusal: {
            ground: a.refusal.ground,
            explanation: full ? a.refusal.explanation : '',
            selectorIds: full ? [...a.refusal.selectorIds] : [],
            refusedByUri: a.refusal.refusedByUri,
            refusedAt: a.refusal.refusedAt.toISOString(),
          },
        }
      : {}),
    clarifications: a.clarifications.map((c) => ({
      clarificationId: c.clarificationId,
      question: full ? c.question : '',
      askedByUri: c.askedByUri,
      askedAt: c.askedAt.toISOString(),
      ...(full && c.answer ? { answer: c.answer } : {}),
    })),
    ...(full
      ? {
          canonicalRequest: Buffer.from(stored.bundle.request).toString('base64'),
          requestSha256: sha256Hex(stored.bundle.request),
          approvals: stored.bundle.approvals.map((signed) => {
            const s = parseApproval(signed.statement);
            return {
              approverUri: s.approverUri,
              role: s.role,
              kind: s.kind,
              decision: s.decision,
              reason: s.reason,
              decidedAt: s.decidedAt,
            };
          }),
        }
      : {}),
    createdAt: a.createdAt.toISOString(),
    lastChanged: a.lastChanged.toISOString(),
  };
}
