// An in-memory ProviderExchangeService for the SDK's unit tests: it keeps uploads the way docs/contracts.md says
// (durable sequence numbers, duplicates ignored, out-of-scope records rejected and given no place in the chain) and
// hashes accepted records with libs/evidence-package, independently of the SDK's own computation.
import { Writable } from 'node:stream';
import { status, type ClientWritableStream } from '@grpc/grpc-js';
import { encodeRecordMetadata, RecordAccumulator } from '#evx/evidence-package';
import {
  dateFromTimestamp,
  type AcknowledgeTaskRequest,
  type CompleteTaskRequest,
  type EvidenceRecord,
  type GetUploadStateResponse,
  type RecordRejection,
  type RefuseTaskRequest,
  type RequestClarificationRequest,
  type UploadEvidenceRequest,
  type UploadEvidenceResponse,
} from '#evx/proto';
import type { ExchangeCalls } from '../provider-exchange.client.js';

interface FakeUpload {
  uploadId: string;
  durable: number;
  accumulator: RecordAccumulator;
  payloadBytes: number;
  rejections: RecordRejection[];
  completed: boolean;
  /** Payload chunks of the record being received. */
  partial?: { sequence: number; chunks: Buffer[] };
}

const serviceError = (code: number, details: string) =>
  Object.assign(new Error(details), { code, details, metadata: undefined });

export class FakeExchange implements ExchangeCalls {
  readonly calls: { method: string; request: unknown }[] = [];
  readonly uploads = new Map<string, FakeUpload>();
  streamsOpened = 0;

  constructor(
    /** Selector ids in scope; a record for any other is rejected OUT_OF_SCOPE. */
    private readonly selectorIds: readonly string[] = ['s1'],
    /** grpc-js buffers little; a small mark makes write() return false and exercises 'drain'. */
    private readonly highWaterMark = 2,
    /** Like PROVIDER_EDGE_MAX_RECORDS_PER_TASK: a record beyond it ends the call with RESOURCE_EXHAUSTED. */
    private readonly maxRecords = Infinity,
  ) {}

  private call<T>(method: string, request: unknown, answer: T): Promise<T> {
    this.calls.push({ method, request });
    return Promise.resolve(answer);
  }

  methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  acknowledgeTask(request: AcknowledgeTaskRequest) {
    return this.call('acknowledgeTask', request, { task: { status: 'TASK_STATUS_ACKNOWLEDGED' } as never });
  }

  refuseTask(request: RefuseTaskRequest) {
    return this.call('refuseTask', request, { task: { status: 'TASK_STATUS_REFUSED' } as never });
  }

  requestClarification(request: RequestClarificationRequest) {
    return this.call('requestClarification', request, { task: null });
  }

  completeTask(request: CompleteTaskRequest, originSignedAt: string) {
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(originSignedAt)) {
      return Promise.reject(serviceError(status.INVALID_ARGUMENT, 'no origin signedAt'));
    }
    const upload = this.uploads.get(request.taskId);
    if (!upload || upload.uploadId !== request.uploadId)
      return Promise.reject(serviceError(status.NOT_FOUND, 'no such upload'));
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    if (
      hex(request.chainHead) !== hex(upload.accumulator.chainHead) ||
      hex(request.merkleRoot) !== hex(upload.accumulator.merkleRoot)
    ) {
      return Promise.reject(serviceError(status.DATA_LOSS, 'integrity mismatch'));
    }
    upload.completed = true;
    return this.call('completeTask', request, { task: null, evidencePackage: null });
  }

  getUploadState(request: { taskId: string; uploadId: string }): Promise<GetUploadStateResponse> {
    this.calls.push({ method: 'getUploadState', request });
    const upload = this.uploads.get(request.taskId);
    if (!upload || (request.uploadId && upload.uploadId !== request.uploadId)) {
      if (request.uploadId) return Promise.reject(serviceError(status.NOT_FOUND, 'no such upload'));
      return Promise.resolve({
        uploadId: '',
        durableSequenceNumber: '0',
        recordCount: '0',
        payloadBytes: '0',
        chainHead: Buffer.alloc(0),
        merkleRoot: Buffer.alloc(0),
        rejections: [],
        completed: false,
      });
    }
    return Promise.resolve({
      uploadId: upload.uploadId,
      durableSequenceNumber: String(upload.durable),
      recordCount: String(upload.accumulator.count),
      payloadBytes: String(upload.payloadBytes),
      chainHead: Buffer.from(upload.accumulator.chainHead),
      merkleRoot: Buffer.from(upload.accumulator.merkleRoot),
      rejections: [...upload.rejections],
      completed: upload.completed,
    });
  }

  private receive(upload: FakeUpload, record: EvidenceRecord): void {
    const sequence = Number(record.sequenceNumber);
    if (sequence <= upload.durable) return; // a resent record: ignored
    if (upload.accumulator.count >= this.maxRecords) {
      throw serviceError(status.RESOURCE_EXHAUSTED, `more than ${this.maxRecords} records for one task`);
    }
    if (sequence !== upload.durable + 1)
      throw serviceError(status.INVALID_ARGUMENT, `expected record ${upload.durable + 1}, got ${sequence}`);
    const chunks = Number(record.chunkOffset) === 0 ? [] : (upload.partial?.chunks ?? []);
    chunks.push(Buffer.from(record.payload));
    const received = chunks.reduce((n, c) => n + c.length, 0);
    if (received < Number(record.payloadSize)) {
      upload.partial = { sequence, chunks };
      return;
    }
    upload.partial = undefined;
    upload.durable = sequence;
    if (!this.selectorIds.includes(record.selectorId)) {
      upload.rejections.push({
        sequenceNumber: String(sequence),
        code: 'ERROR_CODE_OUT_OF_SCOPE',
        reason: `selector ${record.selectorId} is not in the order`,
      });
      return;
    }
    upload.accumulator.add(
      encodeRecordMetadata({
        sequenceNumber: upload.accumulator.count + 1,
        requestType: record.requestType,
        selectorId: record.selectorId,
        recordTime: dateFromTimestamp(record.recordTime!).toISOString(),
        contentType: record.contentType,
        payloadSize: received,
        payloadSha256: Buffer.from(record.payloadSha256).toString('hex'),
      }),
    );
    upload.payloadBytes += received;
  }

  openUpload() {
    this.streamsOpened++;
    let upload: FakeUpload | undefined;
    let settle!: { resolve: (r: UploadEvidenceResponse) => void; reject: (e: unknown) => void };
    const done = new Promise<UploadEvidenceResponse>((resolve, reject) => (settle = { resolve, reject }));
    done.catch(() => undefined);
    const stream = new Writable({
      objectMode: true,
      highWaterMark: this.highWaterMark,
      write: (message: UploadEvidenceRequest, _encoding, callback) =>
        setImmediate(() => {
          try {
            if (message.header) {
              const existing = this.uploads.get(message.header.taskId);
              upload = existing ?? {
                uploadId: message.header.uploadId,
                durable: 0,
                accumulator: new RecordAccumulator(),
                payloadBytes: 0,
                rejections: [],
                completed: false,
              };
              this.uploads.set(message.header.taskId, upload);
            } else if (message.record && upload) {
              this.receive(upload, message.record);
            }
            callback();
          } catch (error) {
            callback(error as Error);
          }
        }),
      final: (callback) => {
        settle.resolve({
          taskId: '',
          uploadId: upload?.uploadId ?? '',
          durableSequenceNumber: String(upload?.durable ?? 0),
          recordCount: String(upload?.accumulator.count ?? 0),
          rejections: [],
        });
        callback();
      },
    });
    stream.on('error', (error) => settle.reject(error));
    stream.on('finish', () => undefined);
    const cancel = () => {
      stream.destroy();
      settle.reject(serviceError(status.CANCELLED, 'Cancelled on client'));
    };
    return {
      stream: Object.assign(stream, { cancel }) as unknown as ClientWritableStream<UploadEvidenceRequest>,
      done,
    };
  }
}
