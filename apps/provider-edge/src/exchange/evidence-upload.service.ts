// UploadEvidence: the adapter's client stream, checked record by record against the order's scope and the limits,
// forwarded to the vault's AppendRecords stream with backpressure (the adapter's stream pauses while the vault's is
// full), and cut off when the adapter's certificate stops being valid.
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Observable, type Subscription } from 'rxjs';
import type { DataSource } from 'typeorm';
import { EvxError } from '#evx/errors';
import { IdentityError, identityFromCertificate, type AdapterIdentity, type TrustStore } from '#evx/pki';
import {
  WIRE_LIMITS,
  type EvidenceRecord,
  type Task,
  type UploadEvidenceRequest,
  type UploadEvidenceResponse,
  type UploadHeader,
} from '#evx/proto';
import { AuditTrail, TRUST_STORE } from '#evx/transport';
import { UploadEntity, UploadRejectionEntity } from '../persistence/exchange.entities.js';
import { storeUploadRejections, type Rejection } from './upload-rejections.js';
import { scopeViolation } from './record-scope.js';
import { TaskChangeRunner } from './task-change.runner.js';
import { FINISHED, isDisclosure } from './task-rules.js';
import { adapterDurable, vaultSequence } from './upload-numbering.js';
import { VaultPackages, type RecordSink } from './vault-packages.js';

export interface UploadLimits {
  maxRecordBytes: number;
  maxTaskBytes: number;
  maxRecordsPerTask: number;
  certRecheckMs: number;
}

export const UPLOAD_LIMITS = Symbol('evx:upload-limits');

/** The adapter's side of the call: the raw grpc-js stream, paused and resumed for backpressure. */
export interface PausableCall {
  pause(): unknown;
  resume(): unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Messages read ahead of processing before the adapter's stream is paused. */
const READ_AHEAD = 32;

@Injectable()
export class EvidenceUploadService {
  constructor(
    readonly tasks: TaskChangeRunner,
    readonly packages: VaultPackages,
    @InjectDataSource() readonly dataSource: DataSource,
    readonly audit: AuditTrail,
    @Inject(TRUST_STORE) readonly trust: TrustStore,
    @Inject(UPLOAD_LIMITS) readonly limits: UploadLimits,
  ) {}

  upload(
    adapter: AdapterIdentity,
    certificate: Buffer,
    messages: Observable<UploadEvidenceRequest>,
    call: PausableCall,
  ): Observable<UploadEvidenceResponse> {
    return new Observable<UploadEvidenceResponse>((subscriber) => {
      const session = new UploadSession(this, adapter, call);
      let subscription: Subscription | undefined;
      const fail = (error: unknown) => {
        // A revoked adapter is cut off at once; otherwise the vault keeps every record it completed.
        session.abort(!(error instanceof EvxError && error.kind === 'unauthenticated'));
        subscription?.unsubscribe();
        subscriber.error(error);
      };
      session.onFailure = fail;
      const recheck = setInterval(() => {
        try {
          identityFromCertificate(certificate, this.trust, new Date());
        } catch (error) {
          clearInterval(recheck);
          fail(
            error instanceof IdentityError
              ? new EvxError('unauthenticated', `upload cut off: ${error.message}`, `CERT_${error.code}`)
              : error,
          );
        }
      }, this.limits.certRecheckMs);
      subscription = messages.subscribe({
        next: (message) => session.enqueue(message),
        error: (error) => fail(error),
        complete: () =>
          session.finish().then(
            (response) => {
              if (!response) return;
              subscriber.next(response);
              subscriber.complete();
            },
            (error) => fail(error),
          ),
      });
      return () => {
        clearInterval(recheck);
        subscription?.unsubscribe();
        session.abort(true);
      };
    });
  }
}

/** One UploadEvidence call. Messages are handled strictly in order on a promise chain. */
class UploadSession {
  onFailure: (error: unknown) => void = () => undefined;
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private vaultFull = false;
  private paused = false;
  private failed = false;

  private task?: Task;
  private upload?: UploadEntity;
  private sink?: RecordSink;
  /** Adapter sequence numbers rejected here, ascending (stored ones first, then this stream's). */
  private edgeRejected: number[] = [];
  private edgeRejectedSet = new Set<number>();
  private rejectedBefore = 0;
  /** Adapter sequence number durable or rejected when the stream began. */
  private durableAtStart = 0;
  private recordCount = 0;
  private payloadBytes = 0;
  /** The record being received (several messages for a chunked record) and whether it is skipped. */
  private current = 0;
  private currentSkipped = false;
  private lastSequence = -1;
  private readonly pending: Rejection[] = [];
  private readonly streamRejections: Rejection[] = [];
  private readonly adapterSequenceOf = new Map<number, number>();

  constructor(
    private readonly service: EvidenceUploadService,
    private readonly adapter: AdapterIdentity,
    private readonly call: PausableCall,
  ) {}

  enqueue(message: UploadEvidenceRequest): void {
    if (this.failed) return;
    this.queued++;
    this.throttle();
    this.chain = this.chain
      .then(() => (this.failed ? undefined : this.handle(message)))
      .catch((error: unknown) => this.fail(error))
      .finally(() => {
        this.queued--;
        this.throttle();
      });
  }

  /** After the adapter half-closed: everything handled, the vault's stream closed, the response. */
  async finish(): Promise<UploadEvidenceResponse | undefined> {
    await this.chain;
    if (this.failed) return undefined;
    if (!this.upload || !this.sink) {
      throw new EvxError('invalid-argument', 'the upload stream is empty: send an UploadHeader first, then records');
    }
    await this.flushRejections();
    const result = await this.sink.finish();
    this.sink = undefined;
    const vaultRejections: Rejection[] = result.rejections.map((r) => ({
      sequenceNumber: this.adapterSequenceOf.get(Number(r.sequenceNumber)) ?? Number(r.sequenceNumber),
      code: r.code,
      reason: r.reason,
    }));
    await this.storeRejections(vaultRejections, 'vault');
    this.streamRejections.push(...vaultRejections);
    return {
      taskId: this.upload.taskId,
      uploadId: this.upload.uploadId,
      durableSequenceNumber: String(adapterDurable(Number(result.durableSequenceNumber), this.edgeRejected)),
      recordCount: result.recordCount,
      rejections: this.streamRejections
        .sort((a, b) => a.sequenceNumber - b.sequenceNumber)
        .map((r) => ({ sequenceNumber: String(r.sequenceNumber), code: r.code, reason: r.reason })),
    };
  }

  abort(graceful: boolean): void {
    this.failed = true;
    if (graceful) this.sink?.finish().catch(() => undefined);
    else this.sink?.abandon();
    this.sink = undefined;
    this.call.resume();
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.onFailure(error);
  }

  /** Pauses the adapter's stream while the vault's is full or too much is queued here; resumes when both clear. */
  private throttle(): void {
    const hold = !this.failed && (this.vaultFull || this.queued > READ_AHEAD);
    if (hold && !this.paused) this.call.pause();
    if (!hold && this.paused) this.call.resume();
    this.paused = hold;
  }

  private async handle(message: UploadEvidenceRequest): Promise<void> {
    if (message.header) return this.begin(message.header);
    if (!this.sink) {
      throw new EvxError('invalid-argument', 'the first message of an upload must be its UploadHeader');
    }
    if (!message.record) throw new EvxError('invalid-argument', 'a message after the header must carry a record');
    await this.record(message.record);
  }

  private async begin(header: UploadHeader): Promise<void> {
    if (this.upload) throw new EvxError('invalid-argument', 'the UploadHeader must be sent exactly once, first');
    if (!UUID.test(header.uploadId)) {
      throw new EvxError('invalid-argument', 'upload_id must be a UUID in lower-case canonical form');
    }
    const { task } = await this.service.tasks.read(this.adapter, header.taskId);
    requireUploadable(task);
    const { dataSource, packages } = this.service;
    const existing = await dataSource.getRepository(UploadEntity).findOneBy({ taskId: task.taskId });
    if (existing && existing.uploadId !== header.uploadId) {
      throw new EvxError(
        'failed-precondition',
        `task ${task.taskId} already has upload ${existing.uploadId}; resume that one (a task has one upload)`,
        'INVALID_STATE',
      );
    }
    if (existing?.completedAt) {
      throw new EvxError(
        'failed-precondition',
        `upload ${existing.uploadId} is completed; nothing more can be uploaded`,
      );
    }
    const pkg = await packages.begin({
      authorisationId: task.authorisationId,
      taskId: task.taskId,
      uploadId: header.uploadId,
      providerId: task.providerId,
      bundle: task.bundle ?? null,
    });
    if (pkg.state !== 'PACKAGE_STATE_OPEN') {
      throw new EvxError('failed-precondition', `the package of upload ${header.uploadId} is ${pkg.state}`);
    }
    let upload = existing;
    if (!upload) {
      upload = {
        taskId: task.taskId,
        uploadId: header.uploadId,
        packageId: pkg.packageId,
        createdAt: Date.now(),
        completedAt: null,
      };
      const row = upload;
      await dataSource.transaction(async (manager) => {
        if (await manager.findOneBy(UploadEntity, { uploadId: row.uploadId })) {
          throw new EvxError('already-exists', `upload_id ${row.uploadId} is already used for another task`);
        }
        await manager.insert(UploadEntity, row);
      });
    }
    const stored = await dataSource
      .getRepository(UploadRejectionEntity)
      .find({ where: { uploadId: upload.uploadId, origin: 'edge' }, order: { sequenceNumber: 'ASC' } });
    this.edgeRejected = stored.map((r) => r.sequenceNumber);
    this.edgeRejectedSet = new Set(this.edgeRejected);
    this.durableAtStart = adapterDurable(Number(pkg.durableSequenceNumber), this.edgeRejected);
    this.recordCount = Number(pkg.recordCount);
    this.payloadBytes = Number(pkg.payloadBytes);
    this.task = task;
    this.upload = upload;
    this.sink = packages.openRecords(upload.packageId);
    this.sink.onDrain(() => this.drained());
  }

  private drained(): void {
    this.vaultFull = false;
    this.throttle();
    this.sink?.onDrain(() => this.drained());
  }

  private async record(record: EvidenceRecord): Promise<void> {
    const sequence = Number(record.sequenceNumber);
    if (sequence === this.current) {
      if (!this.currentSkipped) this.forward(record, sequence);
      return;
    }
    this.checkSequence(sequence);
    this.current = sequence;
    this.lastSequence = sequence;
    this.currentSkipped = false;
    if (this.edgeRejectedSet.has(sequence)) {
      this.currentSkipped = true; // rejected on an earlier stream: a repeat is ignored
      return;
    }
    const resent = sequence <= this.durableAtStart;
    const problem = this.problemOf(record);
    if (problem) {
      this.currentSkipped = true;
      if (resent) {
        // Accepted before with other content: the durable record stands.
        this.streamRejections.push({
          sequenceNumber: sequence,
          code: 'ERROR_CODE_SEQUENCE_CONFLICT',
          reason: `record ${sequence} was accepted before with different content; ${problem.reason}`,
        });
        return;
      }
      this.reject({ sequenceNumber: sequence, ...problem });
      return;
    }
    if (!resent) this.count(record, sequence);
    await this.flushRejections();
    this.forward(record, sequence);
  }

  private checkSequence(sequence: number): void {
    const expected = this.lastSequence < 0 ? this.durableAtStart + 1 : this.lastSequence + 1;
    const first = this.lastSequence < 0;
    if (!Number.isSafeInteger(sequence) || sequence < 1 || (first ? sequence > expected : sequence !== expected)) {
      throw new EvxError(
        'failed-precondition',
        first
          ? `the first record of this stream has sequence_number ${sequence}; records up to ${this.durableAtStart} are settled, so start at ${expected} or earlier`
          : `sequence_number ${sequence} follows ${this.lastSequence}; send records in sequence without gaps (next: ${expected})`,
        'SEQUENCE_CONFLICT',
      );
    }
  }

  /** A per-record problem: size or scope. */
  private problemOf(record: EvidenceRecord): Omit<Rejection, 'sequenceNumber'> | undefined {
    const { maxRecordBytes } = this.service.limits;
    if (record.payload.length > WIRE_LIMITS.maxChunkBytes) {
      return {
        code: 'ERROR_CODE_TOO_LARGE',
        reason: `a chunk carries ${record.payload.length} bytes; at most ${WIRE_LIMITS.maxChunkBytes} per message (send larger records in chunks)`,
      };
    }
    if (Number(record.payloadSize) > maxRecordBytes) {
      return {
        code: 'ERROR_CODE_TOO_LARGE',
        reason: `payload_size ${record.payloadSize} exceeds this gateway's limit of ${maxRecordBytes} bytes per record`,
      };
    }
    const outside = scopeViolation(record, this.task?.authorisation?.requestDetails);
    return outside ? { code: 'ERROR_CODE_OUT_OF_SCOPE', reason: `over-collection: ${outside}` } : undefined;
  }

  /** Counts a new record against the task's limits; beyond them the upload ends (what is durable stays). */
  private count(record: EvidenceRecord, sequence: number): void {
    const { maxRecordsPerTask, maxTaskBytes } = this.service.limits;
    if (this.recordCount + 1 > maxRecordsPerTask) {
      throw new EvxError(
        'too-large',
        `record ${sequence} would exceed the limit of ${maxRecordsPerTask} records per task; complete the task with the records uploaded (PARTIALLY_FULFILLED)`,
      );
    }
    const size = Number(record.payloadSize);
    if (this.payloadBytes + size > maxTaskBytes) {
      throw new EvxError(
        'too-large',
        `record ${sequence} (${size} bytes) would take the task past its limit of ${maxTaskBytes} payload bytes (${this.payloadBytes} uploaded); complete the task with the records uploaded (PARTIALLY_FULFILLED)`,
      );
    }
    this.recordCount += 1;
    this.payloadBytes += size;
  }

  private reject(rejection: Rejection): void {
    this.pending.push(rejection);
    this.streamRejections.push(rejection);
    this.edgeRejected.push(rejection.sequenceNumber);
    this.edgeRejectedSet.add(rejection.sequenceNumber);
  }

  private forward(record: EvidenceRecord, sequence: number): void {
    while (this.rejectedBefore < this.edgeRejected.length && this.edgeRejected[this.rejectedBefore]! < sequence) {
      this.rejectedBefore++;
    }
    const vaultSeq = vaultSequence(sequence, this.rejectedBefore);
    this.adapterSequenceOf.set(vaultSeq, sequence);
    if (!this.sink!.write({ record: { ...record, sequenceNumber: String(vaultSeq) } })) {
      this.vaultFull = true;
      this.throttle();
    }
  }

  /**
   * Stored before any later record reaches the vault: the vault's numbering skips them, so a resumed upload must
   * know about every one of them.
   */
  private async flushRejections(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0);
    await this.storeRejections(batch, 'edge');
  }

  private async storeRejections(batch: readonly Rejection[], origin: 'edge' | 'vault'): Promise<void> {
    const { dataSource, audit } = this.service;
    await storeUploadRejections(dataSource, audit, this.adapter, this.task!, this.upload!.uploadId, batch, origin);
  }
}

function requireUploadable(task: Task): void {
  const refuse = (why: string) => {
    throw new EvxError('failed-precondition', `task ${task.taskId} takes no upload: ${why}`, 'INVALID_STATE');
  };
  if (!isDisclosure(task)) refuse('it is a preservation task; preserve the data and acknowledge');
  if (task.desiredStatus !== 'TASK_DESIRED_STATUS_ACTIVE') refuse('the authority cancelled it');
  if (FINISHED.has(task.status)) refuse(`it is ${task.status}`);
  if (task.status !== 'TASK_STATUS_ACKNOWLEDGED')
    refuse(`it is ${task.status}; acknowledge its current generation first`);
}
