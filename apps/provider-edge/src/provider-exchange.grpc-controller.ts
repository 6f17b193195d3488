import { Controller } from '@nestjs/common';
import { GrpcMethod, GrpcStreamMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type { ServerSurfaceCall } from '@grpc/grpc-js/build/src/server-call.js';
import type { Observable } from 'rxjs';
import {
  PROVIDER_EXCHANGE_SERVICE_NAME,
  type AcknowledgeTaskRequest,
  type AcknowledgeTaskResponse,
  type CompleteTaskRequest,
  type CompleteTaskResponse,
  type GetUploadStateRequest,
  type GetUploadStateResponse,
  type RefuseTaskRequest,
  type RefuseTaskResponse,
  type RequestClarificationRequest,
  type RequestClarificationResponse,
  type StreamTasksRequest,
  type StreamTasksResponse,
  type UploadEvidenceRequest,
  type UploadEvidenceResponse,
  type Timestamp,
  timestampFromDate,
} from '#evx/proto';
import { EvxError } from '#evx/errors';
import type { AdapterIdentity } from '#evx/pki';
import { Allow, actorOf, limitReadAhead, peerCertificateOf } from '#evx/transport';
import { EvidenceUploadService, type PausableCall } from './exchange/evidence-upload.service.js';
import { TaskActionsService } from './exchange/task-actions.service.js';
import { UploadCompletionService } from './exchange/upload-completion.service.js';
import { ORIGIN_SIGNED_AT_METADATA } from './exchange/vault-packages.js';
import { TaskStreamService } from './task-stream.service.js';

/** gRPC ProviderExchangeService for enterprise adapters: every call acts only on the caller's provider's tasks. */
@Controller()
export class ProviderExchangeGrpcController {
  constructor(
    private readonly taskStream: TaskStreamService,
    private readonly actions: TaskActionsService,
    private readonly uploads: EvidenceUploadService,
    private readonly completion: UploadCompletionService,
  ) {}

  @GrpcMethod(PROVIDER_EXCHANGE_SERVICE_NAME, 'StreamTasks')
  @Allow('adapter')
  streamTasks(
    request: StreamTasksRequest,
    _metadata: Metadata,
    call: ServerSurfaceCall,
  ): Observable<StreamTasksResponse> {
    return this.taskStream.stream(adapterOf(call), certificateOf(call), request.cursor);
  }

  @GrpcMethod(PROVIDER_EXCHANGE_SERVICE_NAME, 'AcknowledgeTask')
  @Allow('adapter')
  async acknowledgeTask(
    request: AcknowledgeTaskRequest,
    _m: Metadata,
    call: ServerSurfaceCall,
  ): Promise<AcknowledgeTaskResponse> {
    return { task: await this.actions.acknowledge(adapterOf(call), request) };
  }

  @GrpcMethod(PROVIDER_EXCHANGE_SERVICE_NAME, 'RequestClarification')
  @Allow('adapter')
  async requestClarification(
    request: RequestClarificationRequest,
    _m: Metadata,
    call: ServerSurfaceCall,
  ): Promise<RequestClarificationResponse> {
    return { task: await this.actions.requestClarification(adapterOf(call), request) };
  }

  @GrpcMethod(PROVIDER_EXCHANGE_SERVICE_NAME, 'RefuseTask')
  @Allow('adapter')
  async refuseTask(request: RefuseTaskRequest, _m: Metadata, call: ServerSurfaceCall): Promise<RefuseTaskResponse> {
    return { task: await this.actions.refuse(adapterOf(call), request) };
  }

  /**
   * The raw grpc-js call (third argument) is paused while the vault's stream is full: Nest's request Observable
   * has no backpressure of its own. (`@GrpcStreamCall` would hand over the call too, but Nest then passes
   * `(call, callback)` and the identity guard, which reads argument 2, cannot see the peer certificate.)
   */
  @GrpcStreamMethod(PROVIDER_EXCHANGE_SERVICE_NAME, 'UploadEvidence')
  @Allow('adapter')
  uploadEvidence(
    messages: Observable<UploadEvidenceRequest>,
    _m: Metadata,
    call: ServerSurfaceCall & PausableCall,
  ): Observable<UploadEvidenceResponse> {
    limitReadAhead(call);
    return this.uploads.upload(adapterOf(call), certificateOf(call), messages, call);
  }

  @GrpcMethod(PROVIDER_EXCHANGE_SERVICE_NAME, 'GetUploadState')
  @Allow('adapter')
  getUploadState(
    request: GetUploadStateRequest,
    _m: Metadata,
    call: ServerSurfaceCall,
  ): Promise<GetUploadStateResponse> {
    return this.completion.state(adapterOf(call), request);
  }

  @GrpcMethod(PROVIDER_EXCHANGE_SERVICE_NAME, 'CompleteTask')
  @Allow('adapter')
  completeTask(
    request: CompleteTaskRequest,
    metadata: Metadata,
    call: ServerSurfaceCall,
  ): Promise<CompleteTaskResponse> {
    return this.completion.complete(adapterOf(call), certificateOf(call), request, originSignedAtOf(request, metadata));
  }
}

/** `origin_signed_at` from the request; the `evx-origin-signed-at` metadata only for adapters that predate it. */
function originSignedAtOf(request: CompleteTaskRequest, metadata: Metadata): Timestamp | undefined {
  if (request.originSignedAt) return request.originSignedAt;
  const [value] = metadata.get(ORIGIN_SIGNED_AT_METADATA);
  if (value === undefined) return undefined;
  const text = String(value);
  const date = new Date(text);
  if (Number.isNaN(date.getTime()) || date.toISOString() !== text) {
    throw new EvxError(
      'invalid-argument',
      `${ORIGIN_SIGNED_AT_METADATA} must be RFC 3339 UTC with milliseconds; better, send CompleteTaskRequest.origin_signed_at`,
    );
  }
  return timestampFromDate(date);
}

function adapterOf(call: object): AdapterIdentity {
  return actorOf(call) as AdapterIdentity;
}

function certificateOf(call: ServerSurfaceCall): Buffer {
  return peerCertificateOf(call) as Buffer;
}
