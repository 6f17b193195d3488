import { Controller } from '@nestjs/common';
import { GrpcMethod, GrpcStreamMethod } from '@nestjs/microservices';
import type { Metadata, ServerReadableStream, ServerWritableStream } from '@grpc/grpc-js';
import { defer, type Observable } from 'rxjs';
import { EvxError } from '#evx/errors';
import {
  VAULT_SERVICE_NAME,
  type AppendRecordsRequest,
  type AppendRecordsResponse,
  type BeginPackageRequest,
  type BeginPackageResponse,
  type CompletePackageRequest,
  type CompletePackageResponse,
  type GetPackageRequest,
  type GetPackageResponse,
  type OpenPackageRequest,
  type OpenPackageResponse,
  dateFromTimestamp,
} from '#evx/proto';
import { Allow, actorOf, limitReadAhead } from '#evx/transport';
import { EvidencePackageService } from './evidence-package.service.js';
import { PackageCompletionService } from './package-completion.service.js';
import { PackageDownloadService } from './package-download.service.js';
import { packageToWire } from './package.wire.js';
import { readRecordStream } from './record-stream.reader.js';

/** Metadata key for the origin statement's signedAt: a fallback only; `CompletePackageRequest.origin_signed_at` wins. */
export const ORIGIN_SIGNED_AT_METADATA = 'evx-origin-signed-at';

/**
 * The evidence packages of VaultService. provider-edge fills them (Begin, AppendRecords, Complete); authority-api
 * reads them for requesters (Get, Open); provider-edge also reads their state for GetUploadState.
 */
@Controller()
export class EvidencePackageGrpcController {
  constructor(
    private readonly packages: EvidencePackageService,
    private readonly completion: PackageCompletionService,
    private readonly download: PackageDownloadService,
  ) {}

  @GrpcMethod(VAULT_SERVICE_NAME, 'BeginPackage')
  @Allow('service:provider-edge')
  async beginPackage(request: BeginPackageRequest, _m: Metadata, call: object): Promise<BeginPackageResponse> {
    const row = await this.packages.begin({
      authorisationId: request.authorisationId,
      taskId: request.taskId,
      uploadId: request.uploadId,
      providerId: request.providerId,
      bundle: request.bundle,
      requestedBy: actorOf(call).uri,
    });
    return { evidencePackage: packageToWire(row) };
  }

  /**
   * Client streaming with backpressure. Nest's @GrpcStreamCall would hand over the raw call too, but without the
   * (call) third argument the global identity guard reads; @GrpcStreamMethod keeps the guard and still passes the
   * raw call, which is paused while the records read ahead wait for the disk (record-stream.reader.ts). The answer must be an Observable, not a
   * Promise: Nest replays the messages that arrived before the handler ran (and the end of the stream) only once
   * the handler has returned, so a Promise that waits for the end would wait forever.
   */
  @GrpcStreamMethod(VAULT_SERVICE_NAME, 'AppendRecords')
  @Allow('service:provider-edge')
  appendRecords(
    messages: Observable<AppendRecordsRequest>,
    _m: Metadata,
    call: ServerReadableStream<AppendRecordsRequest, AppendRecordsResponse>,
  ): Observable<AppendRecordsResponse> {
    limitReadAhead(call);
    return defer(() => readRecordStream(messages, call, (packageId) => this.packages.intake(packageId)));
  }

  @GrpcMethod(VAULT_SERVICE_NAME, 'CompletePackage')
  @Allow('service:provider-edge')
  async completePackage(
    request: CompletePackageRequest,
    metadata: Metadata,
    call: object,
  ): Promise<CompletePackageResponse> {
    const row = await this.completion.complete({
      request,
      originSignedAt: originSignedAt(request, metadata),
      requestedBy: actorOf(call).uri,
    });
    return { evidencePackage: packageToWire(row) };
  }

  @GrpcMethod(VAULT_SERVICE_NAME, 'GetPackage')
  @Allow('service:authority-api', 'service:provider-edge')
  async getPackage(request: GetPackageRequest): Promise<GetPackageResponse> {
    return { evidencePackage: packageToWire(await this.packages.get(request.packageId)) };
  }

  @GrpcMethod(VAULT_SERVICE_NAME, 'OpenPackage')
  @Allow('service:authority-api')
  openPackage(
    request: OpenPackageRequest,
    _m: Metadata,
    call: ServerWritableStream<OpenPackageRequest, OpenPackageResponse>,
  ): Promise<Observable<OpenPackageResponse>> {
    return this.download.open({ request, requestedBy: actorOf(call).uri }, call);
  }
}

/** From the request's origin_signed_at; the call metadata only when the field is absent. */
function originSignedAt(request: CompletePackageRequest, metadata: Metadata): Date | undefined {
  const field = request.originSignedAt;
  if (field) {
    try {
      return dateFromTimestamp(field);
    } catch (error) {
      throw new EvxError('invalid-argument', `origin_signed_at: ${(error as Error).message}`);
    }
  }
  const [value] = metadata.get(ORIGIN_SIGNED_AT_METADATA);
  if (value === undefined) return undefined;
  const text = String(value);
  const date = new Date(text);
  if (Number.isNaN(date.getTime()) || date.toISOString() !== text) {
    throw new EvxError('invalid-argument', `${ORIGIN_SIGNED_AT_METADATA} must be RFC 3339 UTC with milliseconds`);
  }
  return date;
}
