// UploadEvidence: the adapter's client stream, checked record by record against the order's scope and the limits,
// forwarded to the vault's AppendRecords stream with backpressure (the adapter's stream pauses while the vault's is
// full), and cut off when the adapter's certificate stops being valid.
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Observable, type Subscription } from 'rxjs';
import type { DataSource } from 'typeorm';
import { EvxError, isEvxError } from '#evx/errors';
import { IdentityError, identityFromCertificate, type AdapterIdentity, type TrustStore } from '#evx/pki';
import {
  WIRE_LIMITS,
  type AppendRecordsResponse,
  type EvidenceRecord,
  type Task,
  type UploadEvidenceRequest,
  type UploadEvidenceResponse,
  type UploadHeader,
} from '#evx/proto';
import { AuditTrail, TRUST_STORE } from '#evx/transport';
import { UploadEntity, UploadRejectionEntity } from '../persistence/exchange.entities.js';
import { TaskEntity } from '../persistence/task.entity.js';
import { storeUploadRejections, type Rejection } from './upload-rejections.js';
import { scopeViolation } from './record-scope.js';
import { TaskChangeRunner } from './task-change.runner.js';
import { FINISHED, isDisclosure } from './task-rules.js';
import { adapterDurable, adapterSequence, vaultSequence } from './upload-numbering.js';
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
/** Payload bytes read ahead of processing before the adapter's stream is paused (the memory bound, issue #6). */
const READ_AHEAD_BYTES = 4 * 1024 * 1024;

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
      const release = () => {
        clearInterval(recheck);
        subscription?.unsubscribe();
      };
      session.onFailure = (error) => {
        release();
        subscriber.error(error);
      };
      const recheck = setInterval(() => {
        try {
          identityFromCertificate(certificate, this.trust, new Date());
        } catch (error) {
          session.fail(
            error instanceof IdentityError
              ? new EvxError('unauthenticated', `upload cut off: ${error.message}`, `CERT_${error.code}`)
              : error,
          );
        }
      }, this.limits.certRecheckMs);
      subscription = messages.subscribe({
        next: (message) => session.enqueue(message),
        error: (error) => session.fail(error),
        // Also what a cancelled call looks like (Nest completes the request stream): finish() then closes the
        // vault's stream with what was received, and the response goes nowhere.
        complete: () =>
          session.finish().then(
            (response) => {
              if (!response) return;
              release();
              subscriber.next(response);
              subscriber.complete();
            },
            (error) => session.fail(error),
          ),
      });
      // After a response or a failure nothing is left to do; otherwise the adapter cancelled its call.
      return () => {
        release();
        session.cancel();
      };
    });
  }
}

const noop = () => undefined;

/** One UploadEvidence call. Messages are handled strictly in order on a promise chain. */
class UploadSession {
  onFailure: (error: unknown) => void = noop;
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private queuedBytes = 0;
  private vaultFull = false;
  private paused = false;
  /** No further message is handled (failed, or cancelled by the adapter). */
  private failed = false;
  /** The call has its answer (a response or an error) or was cancelled: nothing more is sent to the adapter. */
  private settled = false;
  /** The vault's stream being closed: once, after every message that reached it. */
  private closing?: Promise<AppendRecordsResponse | undefined>;

  private task?: Task;
  private upload?: UploadEntity;
  private sink?: RecordSink;
  /** Adapter sequence numbers rejected here, ascending (stored ones and this stream's). */
  private edgeRejected: number[] = [];
  private edgeRejectedSet = new Set<number>();
  /** Adapter sequence number durable or rejected when the stream began. */
  private durableAtStart = 0;
  private recordCount = 0;
  private payloadBytes = 0;
  /** The record being received (several messages for a chunked record) and whether it is skipped; -1: none yet. */
  private current = -1;
  private currentSkipped = false;
  private lastSequence = -1;
  private readonly pending: Rejection[] = [];
  private readonly streamRejections: Rejection[] = [];

  constructor(
    private readonly service: EvidenceUploadService,
    private readonly adapter: AdapterIdentity,
    private readonly call: PausableCall,
  ) {}

  enqueue(message: UploadEvidenceRequest): void {
    if (this.failed) return;
    const bytes = message.record?.payload?.length ?? 0;
    this.queued++;
    this.queuedBytes += bytes;
    this.throttle();
    this.chain = this.chain
      .then(() => (this.failed ? undefined : this.handle(message)))
      .catch((error: unknown) => this.fail(error))
      .finally(() => {
        this.queued--;
        this.queuedBytes -= bytes;
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
    const result = await this.close();
    if (!result || this.settled) return undefined;
    this.settled = true;
    return {
      taskId: this.upload.taskId,
      uploadId: this.upload.uploadId,
      durableSequenceNumber: String(adapterDurable(Number(result.durableSequenceNumber), this.edgeRejected)),
      recordCount: result.recordCount,
      rejections: [...this.streamRejections]
        .sort((a, b) => a.sequenceNumber - b.sequenceNumber)
        .map((r) => ({ sequenceNumber: String(r.sequenceNumber), code: r.code, reason: r.reason })),
    };
  }

  /**
   * The adapter cancelled its call (or the connection dropped): what it sent before is still handled, then the
   * vault's stream is half-closed, so every record that arrived whole is durable and a resume continues after it.
   */
  cancel(): void {
    if (this.settled) return;
    this.settled = true;
    this.chain = this.chain.then(() => this.close().then(noop, noop));
  }

  /**
   * Ends the call with `error` at once. A revoked adapter's vault stream is cut; otherwise it is half-closed after
   * the message being handled, so the vault keeps every complete record (and its rejections are stored).
   */
  fail(error: unknown): void {
    if (this.failed && this.settled) return;
    const wasSettled = this.settled;
    this.failed = true;
    this.settled = true;
    this.paused = false;
    this.call.resume();
    if (error instanceof EvxError && error.kind === 'unauthenticated') {
      this.closing ??= Promise.resolve(undefined);
      this.sink?.abandon();
      this.sink = undefined;
    } else {
      void this.chain.then(() => this.close()).catch(noop);
    }
    if (!wasSettled) this.onFailure(error);
  }

  /** Half-closes the vault's stream once and stores the rejections it reports (in the adapter's numbering). */
  private close(): Promise<AppendRecordsResponse | undefined> {
    this.closing ??= (async () => {
      const sink = this.sink;
      if (!sink) return undefined;
      await this.flushRejections();
      this.sink = undefined;
      const result = await sink.finish();
      const vaultRejections: Rejection[] = result.rejections.map((r) => ({
        sequenceNumber: adapterSequence(Number(r.sequenceNumber), this.edgeRejected),
        code: r.code,
        reason: r.reason,
      }));
      await this.storeRejections(vaultRejections, 'vault');
      this.streamRejections.push(...vaultRejections);
      return result;
    })();
    return this.closing;
  }

  /** Pauses the adapter's stream while the vault's is full or too much is queued here; resumes when both clear. */
  private throttle(): void {
    const hold = !this.failed && (this.vaultFull || this.queued > READ_AHEAD || this.queuedBytes > READ_AHEAD_BYTES);
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
    let upload = await this.reserve(task, header.uploadId);
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
    if (upload.packageId !== pkg.packageId) {
      const packageId = pkg.packageId;
      await dataSource.transaction((manager) =>
        manager.update(UploadEntity, { taskId: task.taskId, uploadId: header.uploadId }, { packageId }),
      );
      upload = { ...upload, packageId };
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
    // Failed while the package was being opened: no stream is left open behind the call. (A cancelled call goes
    // on: what the adapter sent before the cut is still made durable.)
    if (this.failed) return;
    const sink = packages.openRecords(upload.packageId);
    this.sink = sink;
    sink.onFailure((error) => this.fail(error));
    sink.onDrain(() => this.drained());
  }

  /**
   * The task's one upload, reserved in one transaction with the checks on the task and the upload, before the vault
   * is asked for a package: of two concurrent uploads with different upload_ids only one gets through.
   */
  private async reserve(task: Task, uploadId: string): Promise<UploadEntity> {
    try {
      return await this.reserveOnce(task, uploadId);
    } catch (error) {
      if (isEvxError(error)) throw error;
      // A concurrent reservation committed first (PostgreSQL: the unique key refused our insert): decide again on
      // what is there now, which names the winner.
      const existing = await this.service.dataSource.getRepository(UploadEntity).findOneBy({ taskId: task.taskId });
      if (!existing) throw error;
      return this.reserveOnce(task, uploadId);
    }
  }

  private async reserveOnce(task: Task, uploadId: string): Promise<UploadEntity> {
    return this.service.dataSource.transaction(async (manager) => {
      const row = await manager.findOneBy(TaskEntity, { id: task.taskId });
      requireUploadable(row ? (JSON.parse(row.bundle) as Task) : task);
      const existing = await manager.findOneBy(UploadEntity, { taskId: task.taskId });
      if (existing && existing.uploadId !== uploadId) {
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
          'INVALID_STATE',
        );
      }
      if (existing) return existing;
      if (await manager.findOneBy(UploadEntity, { uploadId })) {
        throw new EvxError('already-exists', `upload_id ${uploadId} is already used for another task`);
      }
      // The package id is filled in once the vault has opened the package.
      const reserved: UploadEntity = {
        taskId: task.taskId,
        uploadId,
        packageId: '',
        createdAt: Date.now(),
        completedAt: null,
      };
      await manager.insert(UploadEntity, reserved);
      return reserved;
    });
  }

  private drained(): void {
    this.vaultFull = false;
    this.throttle();
    this.sink?.onDrain(() => this.drained());
  }

  private async record(record: EvidenceRecord): Promise<void> {
    const sequence = Number(record.sequenceNumber || '0');
    if (this.current >= 1 && sequence === this.current) {
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
    if (!Number.isSafeInteger(sequence) || sequence < 1) {
      throw new EvxError(
        'invalid-argument',
        `sequence_number must be a whole number from 1 (got ${JSON.stringify(String(sequence))}); records are numbered 1, 2, 3 ...`,
      );
    }
    const expected = this.lastSequence < 0 ? this.durableAtStart + 1 : this.lastSequence + 1;
    const first = this.lastSequence < 0;
    if (first ? sequence > expected : sequence !== expected) {
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
    // Kept ascending: stored rejections may lie beyond this stream's records (a resume before them).
    this.edgeRejected.splice(countBelow(this.edgeRejected, rejection.sequenceNumber), 0, rejection.sequenceNumber);
    this.edgeRejectedSet.add(rejection.sequenceNumber);
  }

  private forward(record: EvidenceRecord, sequence: number): void {
    const sink = this.sink;
    if (!sink) return; // cut off (revoked): nothing more reaches the vault
    const vaultSeq = vaultSequence(sequence, countBelow(this.edgeRejected, sequence));
    if (!sink.write({ record: { ...record, sequenceNumber: String(vaultSeq) } })) {
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

/** How many of the ascending `values` are below `n` (binary search). */
function countBelow(values: readonly number[], n: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
