// Promise-shaped calls of ProviderExchangeService (proto/evx/v1/provider_exchange.proto) for the SDK. One gRPC
// client (one HTTP/2 connection) per adapter; the upload stream is handed out raw so that the uploader can honour
// backpressure and cut it on purpose (fault hooks).
import { type ChannelCredentials, type Client, type ClientWritableStream, type ServiceError } from '@grpc/grpc-js';
import {
  createServiceClient,
  timestampFromDate,
  WIRE_LIMITS,
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
  type UploadEvidenceRequest,
  type UploadEvidenceResponse,
} from '#evx/proto';

type Callback<T> = (error: ServiceError | null, response?: T) => void;
type Unary<Q, R> = (request: Q, callback: Callback<R>) => void;

type ExchangeGrpcClient = Client & {
  acknowledgeTask: Unary<AcknowledgeTaskRequest, AcknowledgeTaskResponse>;
  refuseTask: Unary<RefuseTaskRequest, RefuseTaskResponse>;
  requestClarification: Unary<RequestClarificationRequest, RequestClarificationResponse>;
  getUploadState: Unary<GetUploadStateRequest, GetUploadStateResponse>;
  completeTask: Unary<CompleteTaskRequest, CompleteTaskResponse>;
  uploadEvidence(callback: Callback<UploadEvidenceResponse>): ClientWritableStream<UploadEvidenceRequest>;
};

export class ProviderExchangeClient {
  readonly grpc: ExchangeGrpcClient;

  constructor(address: string, credentials: ChannelCredentials) {
    this.grpc = createServiceClient('providerExchange', address, credentials, {
      'grpc.max_send_message_length': WIRE_LIMITS.maxMessageBytes,
      'grpc.max_receive_message_length': WIRE_LIMITS.maxMessageBytes,
    }) as ExchangeGrpcClient;
  }

  private unary<Q, R>(method: Unary<Q, R>, request: Q): Promise<R> {
    return new Promise((resolve, reject) =>
      method.call(this.grpc, request, (error, response) => (error ? reject(error) : resolve(response as R))),
    );
  }

  acknowledgeTask(request: AcknowledgeTaskRequest): Promise<AcknowledgeTaskResponse> {
    return this.unary(this.grpc.acknowledgeTask, request);
  }

  refuseTask(request: RefuseTaskRequest): Promise<RefuseTaskResponse> {
    return this.unary(this.grpc.refuseTask, request);
  }

  requestClarification(request: RequestClarificationRequest): Promise<RequestClarificationResponse> {
    return this.unary(this.grpc.requestClarification, request);
  }

  getUploadState(request: GetUploadStateRequest): Promise<GetUploadStateResponse> {
    return this.unary(this.grpc.getUploadState, request);
  }

  /**
   * `originSignedAt` is the origin statement's signedAt (RFC 3339 with milliseconds); it travels in
   * `origin_signed_at` so that EVX can rebuild the exact statement the adapter signed.
   */
  completeTask(request: CompleteTaskRequest, originSignedAt: string): Promise<CompleteTaskResponse> {
    const withTime: CompleteTaskRequest = { ...request, originSignedAt: timestampFromDate(new Date(originSignedAt)) };
    return new Promise((resolve, reject) =>
      this.grpc.completeTask(withTime, (error, response) => (error ? reject(error) : resolve(response!))),
    );
  }

  /** Opens an upload stream; `done` settles with the server's answer once the stream is half-closed. */
  openUpload(): { stream: ClientWritableStream<UploadEvidenceRequest>; done: Promise<UploadEvidenceResponse> } {
    let stream!: ClientWritableStream<UploadEvidenceRequest>;
    const done = new Promise<UploadEvidenceResponse>((resolve, reject) => {
      stream = this.grpc.uploadEvidence((error, response) => (error ? reject(error) : resolve(response!)));
    });
    done.catch(() => undefined); // observed by the uploader; never an unhandled rejection
    return { stream, done };
  }

  close(): void {
    this.grpc.close();
  }
}

/** The calls the SDK makes; tests substitute an in-memory exchange (testing/fake-exchange.ts). */
export type ExchangeCalls = Pick<
  ProviderExchangeClient,
  'acknowledgeTask' | 'refuseTask' | 'requestClarification' | 'getUploadState' | 'completeTask' | 'openUpload'
>;

export function isServiceError(error: unknown): error is ServiceError {
  return typeof error === 'object' && error !== null && typeof (error as ServiceError).code === 'number';
}
