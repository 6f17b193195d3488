import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type { ServerSurfaceCall } from '@grpc/grpc-js/build/src/server-call.js';
import type { Observable } from 'rxjs';
import { EvxError } from '#evx/errors';
import {
  TASK_DISPATCH_SERVICE_NAME,
  type DispatchTaskRequest,
  type DispatchTaskResponse,
  type StreamTaskReportsRequest,
  type StreamTaskReportsResponse,
} from '#evx/proto';
import { Allow, actorOf, peerCertificateOf } from '#evx/transport';
import { TaskDispatchStore } from './task-dispatch.store.js';
import { TaskReportStreamService } from './task-report-stream.service.js';

/** Only authority-api dispatches: an order reaches a provider after its approvals were verified there. */
const DISPATCHER = 'evx://service/authority-api';

@Controller()
export class TaskDispatchGrpcController {
  constructor(
    private readonly store: TaskDispatchStore,
    private readonly reports: TaskReportStreamService,
  ) {}

  @GrpcMethod(TASK_DISPATCH_SERVICE_NAME, 'DispatchTask')
  @Allow('service')
  async dispatchTask(request: DispatchTaskRequest, _m: Metadata, call: object): Promise<DispatchTaskResponse> {
    const caller = actorOf(call);
    if (caller.uri !== DISPATCHER)
      throw new EvxError('permission-denied', `${caller.uri} may not dispatch tasks; only ${DISPATCHER}`);
    const task = request.task;
    if (!task || !task.taskId || !task.authorisationId || !task.providerId || task.generation < 1 || !task.bundle) {
      throw new EvxError(
        'invalid-argument',
        'task with task_id, authorisation_id, provider_id, generation >= 1 and bundle is required',
      );
    }
    return { cursor: String(await this.store.dispatch(task, new Date())) };
  }

  /** What adapters did with their tasks; authority-api moves its orders accordingly. */
  @GrpcMethod(TASK_DISPATCH_SERVICE_NAME, 'StreamTaskReports')
  @Allow('service:authority-api')
  streamTaskReports(
    request: StreamTaskReportsRequest,
    _m: Metadata,
    call: ServerSurfaceCall,
  ): Observable<StreamTaskReportsResponse> {
    return this.reports.stream(peerCertificateOf(call) as Buffer, request.cursor);
  }
}
