import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Controller } from '@nestjs/common';
import { Observable } from 'rxjs';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { EvxError } from '#evx/errors';
import {
  AUTHORITY_SERVICE_NAME,
  dateFromTimestamp,
  type ApproveRequestRequest,
  type ApproveRequestResponse,
  type Authorisation,
  type CreateRequestRequest,
  type CreateRequestResponse,
  type DownloadPackageRequest,
  type DownloadPackageResponse,
  type GetRequestRequest,
  type GetRequestResponse,
  type ListRequestsRequest,
  type ListRequestsResponse,
  type RejectRequestRequest,
  type RejectRequestResponse,
  type Signature,
  type SubmitRequestRequest,
  type SubmitRequestResponse,
  type ValidateRequestRequest,
  type ValidateRequestResponse,
  type AnswerClarificationRequest,
  type AnswerClarificationResponse,
  type CloseRequestRequest,
  type CloseRequestResponse,
  type ExtendPreservationRequest,
  type ExtendPreservationResponse,
  type WithdrawRequestRequest,
  type WithdrawRequestResponse,
  type WatchRequestsRequest,
  type WatchRequestsResponse,
} from '#evx/proto';
import { Allow, actorOf, peerCertificateOf } from '#evx/transport';
import { APPROVER_ROLES, fromProtoName, PROTO_ENUM_PREFIX as P, type Actor } from '#evx/workflow';
import type { RequestEntity } from './persistence/request.entity.js';
import { RequestQueryService } from './request-query.service.js';
import { authorisationToWire, draftFromWire } from './requests/authorisation.wire.js';
import { CreateRequestUseCase } from './requests/create-request.use-case.js';
import { DecideRequestUseCase, type DecisionType } from './requests/decide-request.use-case.js';
import type { SignatureInput } from './requests/signature.input.js';
import { decodeStoredRequest, type StoredRequest } from './requests/stored-request.js';
import { SubmitRequestUseCase } from './requests/submit-request.use-case.js';
import { RequesterActionUseCase } from './requests/requester-action.use-case.js';
import { WatchRequestsUseCase } from './requests/watch-requests.use-case.js';
import { DownloadPackageUseCase } from './requests/download-package.use-case.js';
import { actorOfIdentity } from './requests/request-workflow.service.js';

/** The caller's TLS client certificate (DER): the one its signatures must verify with. */
function peerCertificate(call: object): Uint8Array | undefined {
  return peerCertificateOf(call);
}

function signatureOf(signature: Signature | null | undefined): SignatureInput | undefined {
  if (!signature) return undefined;
  return { value: signature.value, signerUri: signature.signerUri, certificateSha256: signature.certificateSha256 };
}

function wire(actor: Actor, stored: StoredRequest): Authorisation {
  return authorisationToWire(stored.authorisation, stored.bundle, actor.kind === 'auditor');
}

type DecisionMessage = ApproveRequestRequest | RejectRequestRequest | ValidateRequestRequest;

/** gRPC AuthorityService: every RPC of proto/evx/v1/authority_service.proto. */
@Controller()
export class AuthorityGrpcController {
  constructor(
    private readonly queries: RequestQueryService,
    private readonly creating: CreateRequestUseCase,
    private readonly submitting: SubmitRequestUseCase,
    private readonly deciding: DecideRequestUseCase,
    private readonly following: RequesterActionUseCase,
    private readonly watching: WatchRequestsUseCase,
    private readonly downloading: DownloadPackageUseCase,
  ) {}

  @GrpcMethod(AUTHORITY_SERVICE_NAME, 'CreateRequest')
  @Allow('investigator')
  async createRequest(request: CreateRequestRequest, _m: Metadata, call: object): Promise<CreateRequestResponse> {
    const actor = actorOfIdentity(actorOf(call));
    const stored = await this.creating.execute(actor, {
      idempotencyKey: request.idempotencyKey,
      draft: draftFromWire(request.details),
    });
    return { authorisation: wire(actor, stored) };
  }

  @GrpcMethod(AUTHORITY_SERVICE_NAME, 'SubmitRequest')
  @Allow('investigator')
  async submitRequest(request: SubmitRequestRequest, _m: Metadata, call: object): Promise<SubmitRequestResponse> {
    const actor = actorOfIdentity(actorOf(call));
    const stored = await this.submitting.execute(actor, {
      authorisationId: request.authorisationId,
      expectedGeneration: request.expectedGeneration,
      signature: signatureOf(request.requesterSignature),
      callerCertificate: peerCertificate(call),
    });
    return { authorisation: wire(actor, stored) };
  }

  @GrpcMethod(AUTHORITY_SERVICE_NAME, 'ApproveRequest')
  @Allow('approver')
  async approveRequest(request: ApproveRequestRequest, _m: Metadata, call: object): Promise<ApproveRequestResponse> {
    return { authorisation: await this.decide('approve', request, call) };
  }

  @GrpcMethod(AUTHORITY_SERVICE_NAME, 'RejectRequest')
  @Allow('approver')
  async rejectRequest(request: RejectRequestRequest, _m: Metadata, call: object): Promise<RejectRequestResponse> {
    return { authorisation: await this.decide('reject', request, call) };
  }

  @GrpcMethod(AUTHORITY_SERVICE_NAME, 'ValidateRequest')
  @Allow('approver')
  async validateRequest(request: ValidateRequestRequest, _m: Metadata, call: object): Promise<ValidateRequestResponse> {
    if (request.decision === 'APPROVAL_DECISION_UNSPECIFIED') {
      throw new EvxError(
        'invalid-argument',
        'decision is required: APPROVAL_DECISION_APPROVED to validate, _REJECTED to refuse',
      );
    }
    const type = request.decision === 'APPROVAL_DECISION_APPROVED' ? 'validate' : 'reject-validation';
    return { authorisation: await this.decide(type, request, call) };
  }

  @GrpcMethod(AUTHORITY_SERVICE_NAME, 'WithdrawRequest')
  @Allow('investigator')
  async withdrawRequest(request: WithdrawRequestRequest, _m: Metadata, call: object): Promise<WithdrawRequestResponse> {
    const actor = actorOfIdentity(actorOf(call));
    const stored = await this.following.execute(actor, request.authorisationId, {
      type: 'withdraw',
      expectedGeneration: request.expectedGeneration,
      reason: request.reason,
    });
    return { authorisation: wire(actor, stored) };
  }

  @GrpcMethod(AUTHORITY_SERVICE_NAME, 'AnswerClarification')
  @Allow('investigator')
  async answerClarification(
    request: AnswerClarificationRequest,
    _m: Metadata,
    call: object,
  ): Promise<AnswerClarificationResponse> {
    const actor = actorOfIdentity(actorOf(call));
    const stored = await this.following.execute(actor, request.authorisationId, {
      type: 'answer-clarification',
      expectedGeneration: request.expectedGeneration,
      clarificationId: request.clarificationId,
      answer: request.answer,
    });
    return { authorisation: wire(actor, stored) };
  }

  @GrpcMethod(AUTHORITY_SERVICE_NAME, 'ExtendPreservation')
  @Allow('investigator')
  async extendPreservation(
    request: ExtendPreservationRequest,
    _m: Metadata,
    call: object,
  ): Promise<ExtendPreservationResponse> {
    const actor = actorOfIdentity(actorOf(call));
    const stored = await this.following.execute(actor, request.authorisationId, {
      type: 'extend-preservation',
      expectedGeneration: request.expectedGeneration,
      reason: request.reason,
    });
    return { authorisation: wire(actor, stored) };
  }

  @GrpcMethod(AUTHORITY_SERVICE_NAME, 'CloseRequest')
  @Allow('investigator')
  async closeRequest(request: CloseRequestRequest, _m: Metadata, call: object): Promise<CloseRequestResponse> {
    const actor = actorOfIdentity(actorOf(call));
    const stored = await this.following.execute(actor, request.authorisationId, {
      type: 'close',
      expectedGeneration: request.expectedGeneration,
      ...(request.reason ? { reason: request.reason } : {}),
    });
    return { authorisation: wire(actor, stored) };
  }

  @GrpcMethod(AUTHORITY_SERVICE_NAME, 'ListRequests')
  @Allow('investigator', 'approver', 'auditor')
  async listRequests(request: ListRequestsRequest, _metadata: Metadata, call: object): Promise<ListRequestsResponse> {
    const identity = actorOf(call);
    const page = await this.queries.list(identity, {
      statuses: request.statuses,
      agency: request.issuingAgencyId,
      urgency: request.urgency === 'URGENCY_UNSPECIFIED' ? undefined : request.urgency,
      targetProvider: request.targetProviderId,
      caseReference: request.caseReference,
      pageSize: request.pageSize,
      pageToken: request.pageToken,
    });
    const actor = actorOfIdentity(identity);
    return { authorisations: page.rows.map((row) => toAuthorisation(actor, row)), nextPageToken: page.nextPageToken };
  }

  @GrpcMethod(AUTHORITY_SERVICE_NAME, 'GetRequest')
  @Allow('investigator', 'approver', 'auditor')
  async getRequest(request: GetRequestRequest, _metadata: Metadata, call: object): Promise<GetRequestResponse> {
    const identity = actorOf(call);
    const row = await this.queries.get(identity, request.authorisationId);
    return { authorisation: toAuthorisation(actorOfIdentity(identity), row) };
  }

  /** Status changes after the cursor; the first heartbeat means caught up. */
  @GrpcMethod(AUTHORITY_SERVICE_NAME, 'WatchRequests')
  @Allow('investigator', 'approver', 'auditor')
  async watchRequests(
    request: WatchRequestsRequest,
    _m: Metadata,
    call: object,
  ): Promise<Observable<WatchRequestsResponse>> {
    return this.watching.execute(actorOfIdentity(actorOf(call)), {
      cursor: request.cursor,
      authorisationIds: request.authorisationIds,
      statuses: request.statuses,
      agency: request.issuingAgencyId,
      urgency: request.urgency === 'URGENCY_UNSPECIFIED' ? '' : request.urgency,
    });
  }

  /**
   * The package file from the vault, chunk by chunk from `offset`. The next chunk is read from the vault only once
   * the client's stream has room again (the server call's drain), so a slow client slows the vault, not memory.
   */
  @GrpcMethod(AUTHORITY_SERVICE_NAME, 'DownloadPackage')
  @Allow('investigator', 'approver')
  async downloadPackage(
    request: DownloadPackageRequest,
    _m: Metadata,
    call: object,
  ): Promise<Observable<DownloadPackageResponse>> {
    const download = await this.downloading.open(actorOfIdentity(actorOf(call)), {
      authorisationId: request.authorisationId,
      offset: request.offset,
      format: request.format,
    });
    const server = call as Writable & { cancelled?: boolean; on(event: 'cancelled', listener: () => void): unknown };
    // A client gone while the download was being opened: Nest never subscribes then, so release the vault here.
    server.on('cancelled', () => download.cancel());
    if (server.cancelled) download.cancel();
    return new Observable<DownloadPackageResponse>((subscriber) => {
      let stopped = false;
      const stop = new AbortController();
      void (async () => {
        try {
          for await (const chunk of download.chunks) {
            if (stopped) return;
            subscriber.next(chunk);
            // Nest wrote it; when the call's buffer is full, wait for it to drain before reading on.
            if (server.writableNeedDrain) await once(server, 'drain', { signal: stop.signal });
          }
          subscriber.complete();
        } catch (error) {
          if (!stopped) subscriber.error(error);
        }
      })();
      return () => {
        stopped = true;
        stop.abort();
        download.cancel();
      };
    });
  }

  private async decide(type: DecisionType, request: DecisionMessage, call: object): Promise<Authorisation> {
    const actor = actorOfIdentity(actorOf(call));
    if (!request.decidedAt) throw new EvxError('invalid-argument', 'decided_at is required');
    const stored = await this.deciding.execute(actor, {
      type,
      authorisationId: request.authorisationId,
      expectedGeneration: request.expectedGeneration,
      role: fromProtoName(P.ApproverRole, APPROVER_ROLES, request.role, 'role'),
      reason: request.reason,
      decidedAt: dateFromTimestamp(request.decidedAt),
      signature: signatureOf(request.signature),
      callerCertificate: peerCertificate(call),
    });
    return wire(actor, stored);
  }
}

function toAuthorisation(actor: Actor, row: RequestEntity): Authorisation {
  return wire(actor, decodeStoredRequest(row.authorisation));
}
