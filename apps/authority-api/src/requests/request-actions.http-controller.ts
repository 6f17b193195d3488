// REST for the request workflow: the same use cases as gRPC AuthorityService, with validated DTOs. The caller's
// signature is checked against its own TLS client certificate; see docs/requests.md for what to sign.
import { Body, Controller, Get, HttpCode, Param, Post, Req, ValidationPipe } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Identity } from '#evx/pki';
import { Actor as CallerIdentity, Allow } from '#evx/transport';
import type { DraftInput, Selector } from '#evx/workflow';
import { CreateRequestUseCase } from './create-request.use-case.js';
import { DecideRequestUseCase, type DecisionType } from './decide-request.use-case.js';
import {
  CreateRequestDto,
  DecideRequestDto,
  selectorValueOf,
  SubmitRequestDto,
  ValidateRequestDto,
  WithdrawRequestDto,
  AnswerClarificationDto,
  CloseRequestDto,
  ExtendPreservationDto,
  type OrderDetailsDto,
} from './request.http-dto.js';
import { requestView, RequestView } from './request.http-view.js';
import { actorOfIdentity, RequestWorkflowService } from './request-workflow.service.js';
import { SubmitRequestUseCase } from './submit-request.use-case.js';
import { RequesterActionUseCase, type RequesterAction } from './requester-action.use-case.js';

const BODY = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

interface TlsRequest {
  socket: { getPeerCertificate?: () => { raw?: Buffer } | object };
}

function peerCertificate(request: TlsRequest): Uint8Array | undefined {
  const peer = request.socket.getPeerCertificate?.();
  return peer && 'raw' in peer ? peer.raw : undefined;
}

function base64(value: string): Uint8Array {
  return new Uint8Array(Buffer.from(value, 'base64'));
}

function draftOf(d: OrderDetailsDto): DraftInput {
  const { requestDetails: rd } = d;
  return {
    caseReference: d.caseReference,
    ...(d.countryCode ? { countryCode: d.countryCode } : {}),
    legalBasis: { ...d.legalBasis },
    typeOfCase: d.typeOfCase,
    urgency: d.urgency,
    ...(d.emergency ? { emergency: { ...d.emergency } } : {}),
    targetProviderId: d.targetProviderId,
    requestDetails: {
      requestTypes: rd.requestTypes,
      selectors: rd.selectors.map(
        (s) => ({ selectorId: s.selectorId, kind: s.kind, value: selectorValueOf(s) }) as Selector,
      ),
      ...(rd.timeRange ? { timeRange: { start: new Date(rd.timeRange.start), end: new Date(rd.timeRange.end) } } : {}),
    },
    ...(d.requestedDeadline ? { requestedDeadline: new Date(d.requestedDeadline) } : {}),
    confidential: d.confidential,
    preservationOnly: d.preservationOnly,
    ...(d.preservationAuthorisationId ? { preservationAuthorisationId: d.preservationAuthorisationId } : {}),
  };
}

@ApiTags('requests')
@Controller('v1/requests')
export class RequestActionsHttpController {
  constructor(
    private readonly workflow: RequestWorkflowService,
    private readonly creating: CreateRequestUseCase,
    private readonly submitting: SubmitRequestUseCase,
    private readonly deciding: DecideRequestUseCase,
    private readonly following: RequesterActionUseCase,
  ) {}

  @Post()
  @Allow('investigator')
  @ApiOperation({ summary: 'Create a draft order (investigator); idempotent on idempotencyKey' })
  @ApiResponse({ status: 201, type: RequestView })
  async create(@CallerIdentity() identity: Identity, @Body(BODY) body: CreateRequestDto): Promise<RequestView> {
    const actor = actorOfIdentity(identity);
    return requestView(
      actor,
      await this.creating.execute(actor, { idempotencyKey: body.idempotencyKey, draft: draftOf(body.details) }),
    );
  }

  @Get(':id')
  @Allow('investigator', 'approver', 'auditor')
  @ApiOperation({ summary: 'One order, with its canonical request and approvals (metadata only for auditors)' })
  @ApiResponse({ status: 200, type: RequestView })
  async get(@CallerIdentity() identity: Identity, @Param('id') id: string): Promise<RequestView> {
    const actor = actorOfIdentity(identity);
    return requestView(actor, await this.workflow.visible(actor, id));
  }

  @Post(':id/submit')
  @HttpCode(200)
  @Allow('investigator')
  @ApiOperation({ summary: 'Submit a draft with the requester’s signature over canonicalRequest (the requester)' })
  @ApiResponse({ status: 200, type: RequestView })
  async submit(
    @CallerIdentity() identity: Identity,
    @Req() request: TlsRequest,
    @Param('id') id: string,
    @Body(BODY) body: SubmitRequestDto,
  ): Promise<RequestView> {
    const actor = actorOfIdentity(identity);
    const stored = await this.submitting.execute(actor, {
      authorisationId: id,
      expectedGeneration: body.expectedGeneration,
      signature: { value: base64(body.signature) },
      callerCertificate: peerCertificate(request),
    });
    return requestView(actor, stored);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Allow('approver')
  @ApiOperation({ summary: 'Approve (approver; signed decision)' })
  @ApiResponse({ status: 200, type: RequestView })
  approve(
    @CallerIdentity() i: Identity,
    @Req() r: TlsRequest,
    @Param('id') id: string,
    @Body(BODY) body: DecideRequestDto,
  ) {
    return this.decide('approve', i, r, id, body);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Allow('approver')
  @ApiOperation({ summary: 'Reject (approver; signed decision; reason required)' })
  @ApiResponse({ status: 200, type: RequestView })
  reject(
    @CallerIdentity() i: Identity,
    @Req() r: TlsRequest,
    @Param('id') id: string,
    @Body(BODY) body: DecideRequestDto,
  ) {
    return this.decide('reject', i, r, id, body);
  }

  @Post(':id/validate')
  @HttpCode(200)
  @Allow('approver')
  @ApiOperation({
    summary: 'Judicial validation of an emergency order, or its refusal (judge; signed; seals on refusal)',
  })
  @ApiResponse({ status: 200, type: RequestView })
  validate(
    @CallerIdentity() i: Identity,
    @Req() r: TlsRequest,
    @Param('id') id: string,
    @Body(BODY) body: ValidateRequestDto,
  ) {
    return this.decide(body.decision === 'APPROVED' ? 'validate' : 'reject-validation', i, r, id, body);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @Allow('investigator')
  @ApiOperation({ summary: 'Withdraw (investigator of the agency; reason required)' })
  @ApiResponse({ status: 200, type: RequestView })
  async withdraw(
    @CallerIdentity() identity: Identity,
    @Param('id') id: string,
    @Body(BODY) body: WithdrawRequestDto,
  ): Promise<RequestView> {
    return this.follow(identity, id, {
      type: 'withdraw',
      expectedGeneration: body.expectedGeneration,
      reason: body.reason,
    });
  }

  @Post(':id/answer-clarification')
  @HttpCode(200)
  @Allow('investigator')
  @ApiOperation({ summary: "Answer the provider's open question (investigator of the agency); back to ACKNOWLEDGED" })
  @ApiResponse({ status: 200, type: RequestView })
  async answerClarification(
    @CallerIdentity() identity: Identity,
    @Param('id') id: string,
    @Body(BODY) body: AnswerClarificationDto,
  ): Promise<RequestView> {
    return this.follow(identity, id, {
      type: 'answer-clarification',
      expectedGeneration: body.expectedGeneration,
      clarificationId: body.clarificationId,
      answer: body.answer,
    });
  }

  @Post(':id/extend-preservation')
  @HttpCode(200)
  @Allow('investigator')
  @ApiOperation({ summary: "Extend a preservation order by the policy's extension (investigator; reason required)" })
  @ApiResponse({ status: 200, type: RequestView })
  async extendPreservation(
    @CallerIdentity() identity: Identity,
    @Param('id') id: string,
    @Body(BODY) body: ExtendPreservationDto,
  ): Promise<RequestView> {
    return this.follow(identity, id, {
      type: 'extend-preservation',
      expectedGeneration: body.expectedGeneration,
      reason: body.reason,
    });
  }

  @Post(':id/close')
  @HttpCode(200)
  @Allow('investigator')
  @ApiOperation({ summary: 'Close a delivered or refused order (investigator of the agency)' })
  @ApiResponse({ status: 200, type: RequestView })
  async close(
    @CallerIdentity() identity: Identity,
    @Param('id') id: string,
    @Body(BODY) body: CloseRequestDto,
  ): Promise<RequestView> {
    return this.follow(identity, id, {
      type: 'close',
      expectedGeneration: body.expectedGeneration,
      ...(body.reason ? { reason: body.reason } : {}),
    });
  }

  private async follow(identity: Identity, id: string, action: RequesterAction): Promise<RequestView> {
    const actor = actorOfIdentity(identity);
    return requestView(actor, await this.following.execute(actor, id, action));
  }

  private async decide(
    type: DecisionType,
    identity: Identity,
    request: TlsRequest,
    id: string,
    body: DecideRequestDto,
  ): Promise<RequestView> {
    const actor = actorOfIdentity(identity);
    const stored = await this.deciding.execute(actor, {
      type,
      authorisationId: id,
      expectedGeneration: body.expectedGeneration,
      role: body.role,
      reason: body.reason ?? '',
      decidedAt: new Date(body.decidedAt),
      signature: { value: base64(body.signature) },
      callerCertificate: peerCertificate(request),
    });
    return requestView(actor, stored);
  }
}
