import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type { ServerSurfaceCall } from '@grpc/grpc-js/build/src/server-call.js';
import type { Observable } from 'rxjs';
import { PROVIDER_EXCHANGE_SERVICE_NAME, type StreamTasksRequest, type StreamTasksResponse } from '#evx/proto';
import type { AdapterIdentity } from '#evx/pki';
import { Allow, actorOf } from '#evx/transport';
import { TaskStreamService } from './task-stream.service.js';

/**
 * gRPC ProviderExchangeService for enterprise adapters. RPCs without a handler here answer UNIMPLEMENTED until the
 * provider-exchange issue adds them.
 */
@Controller()
export class ProviderExchangeGrpcController {
  constructor(private readonly taskStream: TaskStreamService) {}

  @GrpcMethod(PROVIDER_EXCHANGE_SERVICE_NAME, 'StreamTasks')
  @Allow('adapter')
  streamTasks(
    request: StreamTasksRequest,
    _metadata: Metadata,
    call: ServerSurfaceCall,
  ): Observable<StreamTasksResponse> {
    const certificate = call.getAuthContext().sslPeerCertificate?.raw as Buffer;
    return this.taskStream.stream(actorOf(call) as AdapterIdentity, certificate, request.cursor);
  }
}
