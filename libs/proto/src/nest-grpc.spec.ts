import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, type INestMicroservice } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { ClientGrpcProxy, RpcException, Transport, type GrpcOptions } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { firstValueFrom, from, lastValueFrom, map, toArray, type Observable } from 'rxjs';
import {
  EVX_PROTO_PACKAGE,
  PROTO_FILES,
  PROTO_LOADER_OPTIONS,
  ProviderExchangeServiceControllerMethods,
  type AcknowledgeTaskRequest,
  type AcknowledgeTaskResponse,
  type ProviderExchangeServiceClient,
  type ProviderExchangeServiceController,
  type StreamTasksRequest,
  type StreamTasksResponse,
  type Task,
  type UploadEvidenceRequest,
  type UploadEvidenceResponse,
} from './index.js';

// The generated Nest controller decorator and client interface, served and called through Nest's own gRPC transport
// with PROTO_LOADER_OPTIONS: unary, server-streaming and client-streaming calls. A Unix socket without TLS:
// this checks the contract plumbing only; the e2e suites cover mutual TLS.

const task = (generation: number): Task => ({
  taskId: 't-1',
  authorisationId: 'a-1',
  generation,
  providerId: 'telco-a',
  status: 'TASK_STATUS_AWAITING_ACKNOWLEDGEMENT',
  desiredStatus: 'TASK_DESIRED_STATUS_ACTIVE',
  statusReason: '',
  authorisation: null,
  bundle: null,
  disclosure: { deadline: { seconds: '1764128800', nanos: 0 }, preservationTaskId: '' },
  clarifications: [],
  refusal: null,
  providerReference: '',
  dispatchedAt: null,
  lastChanged: null,
});

@Controller()
@ProviderExchangeServiceControllerMethods()
class FakeProviderExchange implements ProviderExchangeServiceController {
  streamTasks(request: StreamTasksRequest): Observable<StreamTasksResponse> {
    const after = Number(request.cursor || '0');
    return from([after + 1, after + 2].map((position) => ({ cursor: String(position), task: task(position) })));
  }

  acknowledgeTask(request: AcknowledgeTaskRequest): AcknowledgeTaskResponse {
    return { task: { ...task(request.generation), status: 'TASK_STATUS_ACKNOWLEDGED', providerReference: request.providerReference } };
  }

  // A client-streaming handler returns an Observable over the request stream. Nest 12 releases the stream's buffered
  // messages and its completion only once the handler has returned, so an async handler awaiting the stream would hang.
  uploadEvidence(messages: Observable<UploadEvidenceRequest>): Observable<UploadEvidenceResponse> {
    return messages.pipe(
      toArray(),
      map((received) => {
        const header = received[0]?.header;
        const records = received.flatMap((m) => (m.record ? [m.record] : []));
        return {
          taskId: header?.taskId ?? '',
          uploadId: header?.uploadId ?? '',
          durableSequenceNumber: records.at(-1)?.sequenceNumber ?? '0',
          recordCount: String(records.length),
          rejections: [],
        };
      }),
    );
  }

  // The generated decorator binds every RPC of the service, so a controller must define them all.
  requestClarification(): never {
    throw unimplemented();
  }

  refuseTask(): never {
    throw unimplemented();
  }

  getUploadState(): never {
    throw unimplemented();
  }

  completeTask(): never {
    throw unimplemented();
  }
}

function unimplemented(): RpcException {
  return new RpcException({ code: status.UNIMPLEMENTED, message: 'not in this fake' });
}

describe('generated NestJS bindings over Nest gRPC', () => {
  const socket = join(tmpdir(), `evx-proto-nest-${process.pid}.sock`);
  const options: GrpcOptions['options'] = {
    url: `unix:${socket}`,
    package: EVX_PROTO_PACKAGE,
    protoPath: PROTO_FILES.providerExchange,
    loader: PROTO_LOADER_OPTIONS,
  };
  let server: INestMicroservice;
  let proxy: ClientGrpcProxy;
  let client: ProviderExchangeServiceClient;

  beforeAll(async () => {
    rmSync(socket, { force: true });
    const moduleRef = await Test.createTestingModule({ controllers: [FakeProviderExchange] }).compile();
    server = moduleRef.createNestMicroservice<GrpcOptions>({ transport: Transport.GRPC, options, logger: false });
    await server.listen();
    proxy = new ClientGrpcProxy(options);
    client = proxy.getService<ProviderExchangeServiceClient>('ProviderExchangeService');
  });

  afterAll(async () => {
    proxy?.close();
    await server?.close();
    rmSync(socket, { force: true });
  });

  it('serves a unary call', async () => {
    const response = await firstValueFrom(client.acknowledgeTask({ taskId: 't-1', generation: 3, providerReference: 'TCK-9' }));
    expect(response.task).toMatchObject({ generation: 3, status: 'TASK_STATUS_ACKNOWLEDGED', providerReference: 'TCK-9', kind: 'disclosure' });
  });

  it('streams tasks after the cursor', async () => {
    const events = await lastValueFrom(client.streamTasks({ cursor: '40' }).pipe(toArray()));
    expect(events.map((e) => [e.cursor, e.task?.generation])).toEqual([['41', 41], ['42', 42]]);
  });

  it('receives a client-streamed upload', async () => {
    const record = (sequenceNumber: string): UploadEvidenceRequest => ({
      record: {
        sequenceNumber,
        requestType: 'REQUEST_TYPE_SUBSCRIBER_DATA',
        selectorId: 's1',
        recordTime: null,
        contentType: 'application/json',
        payloadSize: '2',
        payloadSha256: Buffer.alloc(0),
        chunkOffset: '0',
        payload: Buffer.from('{}'),
      },
    });
    const upload = from<UploadEvidenceRequest[]>([{ header: { taskId: 't-1', uploadId: 'u-1' } }, record('1'), record('2')]);
    const response = await firstValueFrom(client.uploadEvidence(upload));
    expect(response).toEqual({ taskId: 't-1', uploadId: 'u-1', durableSequenceNumber: '2', recordCount: '2', rejections: [] });
  });
});
