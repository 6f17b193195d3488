// Resumable evidence upload (docs/contracts.md, "Resumable upload"): ask provider-edge what is durable, re-run the
// adapter's record source from the start, skip what is durable, send the rest with backpressure, and repeat after a
// failure. The hash chain and Merkle root are computed locally over the same pass, with libs/evidence-package's
// functions, so that what the adapter signs is what it produced, not what EVX reports.
import { setTimeout as sleep } from 'node:timers/promises';
import { status, type ClientWritableStream, type ServiceError } from '@grpc/grpc-js';
import { RecordAccumulator } from '#evx/evidence-package';
import type { GetUploadStateResponse, RecordRejection, UploadEvidenceRequest } from '#evx/proto';
import type { FaultPlan } from './adapter.faults.js';
import { prepareRecord, type EvidenceRecordInput } from './evidence-record.js';
import { isServiceError, type ExchangeCalls } from './provider-exchange.client.js';

export type RecordSource = () => AsyncIterable<EvidenceRecordInput> | Iterable<EvidenceRecordInput>;

export interface UploadJob {
  readonly client: ExchangeCalls;
  readonly taskId: string;
  readonly uploadId: string;
  /** Called once per attempt; must yield the same records in the same order every time. */
  readonly records: RecordSource;
  readonly faults: FaultPlan;
  readonly maxAttempts?: number;
  readonly minBackoffMs?: number;
  /** A new attempt starts after `durable`, because the last one failed with `error`. */
  readonly onResume?: (error: unknown, attempt: number, durable: number) => void;
  /** Aborting cancels the open stream and stops retrying (the adapter is closing). */
  readonly signal?: AbortSignal;
}

export interface UploadOutcome {
  /** Records accepted into the chain. */
  readonly recordCount: number;
  readonly chainHead: Uint8Array;
  readonly merkleRoot: Uint8Array;
  /** Every record provider-edge rejected (out of scope, ...), over all attempts. */
  readonly rejections: readonly RecordRejection[];
  /** EVX's view after the upload, for the comparison before signing. */
  readonly state: GetUploadStateResponse;
  /** EVX's per-task limit cut the upload (RESOURCE_EXHAUSTED): only the records up to the durable one are in. */
  readonly truncated: boolean;
  /** The durable sequence number each resumed attempt started after (empty when nothing failed). */
  readonly resumedAfter: readonly number[];
}

/** Failures where trying again cannot help. */
const FINAL = new Set<number>([
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.FAILED_PRECONDITION,
  status.PERMISSION_DENIED,
  status.UNAUTHENTICATED,
  status.UNIMPLEMENTED,
  status.DATA_LOSS,
  status.OUT_OF_RANGE,
]);

class StreamCut extends Error {}

async function uploadState(job: UploadJob, beforeFirstRecord = false): Promise<GetUploadStateResponse> {
  try {
    return await job.client.getUploadState({ taskId: job.taskId, uploadId: job.uploadId });
  } catch (error) {
    // An upload that has not received its header yet does not exist for EVX: nothing is durable.
    if (beforeFirstRecord && isServiceError(error) && error.code === status.NOT_FOUND) return EMPTY_STATE;
    throw error;
  }
}

const EMPTY_STATE: GetUploadStateResponse = {
  uploadId: '',
  durableSequenceNumber: '0',
  recordCount: '0',
  payloadBytes: '0',
  chainHead: Buffer.alloc(0),
  merkleRoot: Buffer.alloc(0),
  rejections: [],
  completed: false,
};

/**
 * Payload bytes written to grpc-js and not yet confirmed (a write's callback) before the uploader waits. grpc-js
 * bounds its buffer by messages (16 of up to 1 MiB each), not bytes; a record's buffers that wait there long enough
 * outlive two young-generation collections, are moved to the old generation, and are then freed only by full
 * collections, which came about every 10 MiB of upload (docs/performance.md, figure 1). grpc-js confirms a message
 * that fits its retry buffer (1 MiB per call by default) before HTTP/2 has taken it, so what it holds is this bound
 * plus up to that buffer.
 */
export const UNSENT_LIMIT_BYTES = 2 * 1024 * 1024;

/**
 * Writes the messages of one upload stream: waits while grpc-js's buffer is full or too many bytes are unconfirmed,
 * and stops waiting, with the call's error, once the call has failed.
 */
export class UploadWriter {
  private unsent = 0;
  /** The wait in progress: woken by the call's failure, and by a confirmation when it waits for bytes. */
  private waiting?: { wake: () => void; forBytes: boolean };
  private failure?: { error: unknown };

  constructor(
    private readonly stream: ClientWritableStream<UploadEvidenceRequest>,
    /** Rejects as soon as the call fails. Observed once here: no reaction piles up per wait over a long upload. */
    failed: Promise<never>,
    private readonly limit = UNSENT_LIMIT_BYTES,
  ) {
    failed.catch((error: unknown) => {
      this.failure = { error };
      this.waiting?.wake();
    });
  }

  /** Payload bytes written and not yet confirmed (for tests). */
  get unsentBytes(): number {
    return this.unsent;
  }

  async write(message: UploadEvidenceRequest): Promise<void> {
    this.throwIfFailed();
    const size = message.record?.payload?.length ?? 0;
    this.unsent += size;
    const room = this.stream.write(message, () => {
      this.unsent -= size;
      if (this.unsent <= this.limit && this.waiting?.forBytes) this.waiting.wake();
    });
    if (!room) await this.until(false);
    while (this.unsent > this.limit) await this.until(true);
  }

  /** Waits for the stream's 'drain' (`forBytes` false) or for a confirmation (true), or for the call's failure. */
  private async until(forBytes: boolean): Promise<void> {
    this.throwIfFailed();
    await new Promise<void>((resolve) => {
      const wake = () => {
        this.stream.off('drain', wake);
        this.waiting = undefined;
        resolve();
      };
      this.waiting = { wake, forBytes };
      if (!forBytes) this.stream.once('drain', wake);
    });
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}

/** One pass over the source: sends records after `durable`, hashes all of them. */
async function attempt(job: UploadJob, durable: number, knownRejected: ReadonlySet<number>) {
  const local = new RecordAccumulator();
  let open:
    { stream: ClientWritableStream<UploadEvidenceRequest>; done: Promise<unknown>; writer: UploadWriter } | undefined;
  let sequence = 0;
  let written = 0;
  try {
    for await (const input of job.records()) {
      sequence++;
      const record = prepareRecord(input, sequence);
      if (!knownRejected.has(sequence)) local.add(record.metadataAt(local.count + 1));
      if (sequence <= durable) continue;
      if (!open) {
        const { stream, done } = job.client.openUpload();
        stream.on('error', () => undefined); // the failure arrives through `done`
        const failed = done.then(() => Promise.reject(new StreamCut('the upload stream ended early')));
        failed.catch(() => undefined);
        open = { stream, done, writer: new UploadWriter(stream, failed) };
        const cancel = () => stream.cancel();
        job.signal?.addEventListener('abort', cancel, { once: true });
        void done.finally(() => job.signal?.removeEventListener('abort', cancel)).catch(() => undefined);
        await open.writer.write({ header: { taskId: job.taskId, uploadId: job.uploadId } });
      }
      for (const message of record.messages) await open.writer.write({ record: message });
      written++;
      if (job.faults.shouldDropUpload(written)) {
        // A connection lost after EVX made part of the upload durable (what the fault stands for): wait until some
        // of it is, since grpc-js discards what a cancelled call has not sent yet.
        await durableBeyond(job, durable, 5_000);
        open.stream.cancel();
        await open.done.catch(() => undefined);
        throw new StreamCut(`fault injected: upload stream cut after ${written} records`);
      }
    }
    if (open) {
      open.stream.end();
      await open.done;
    }
  } catch (error) {
    open?.stream.cancel();
    throw error;
  }
  return { local, opened: open !== undefined };
}

/** Waits (at most `timeoutMs`) until EVX holds records beyond `after`; the fault hook's notion of "mid-upload". */
async function durableBeyond(job: UploadJob, after: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = await uploadState(job).catch(() => undefined);
    if (state && Number(state.durableSequenceNumber) > after) return;
    await sleep(20);
  }
}

function retriable(error: unknown): boolean {
  if (error instanceof StreamCut) return true;
  if (!isServiceError(error)) return false;
  // A sequence conflict after a reconnect means the stream we lost was still being written when we resumed: ask
  // again what is durable and continue from there (the attempt limit bounds it).
  if (error.code === status.FAILED_PRECONDITION && errorCodeOf(error) === 'SEQUENCE_CONFLICT') return true;
  return !FINAL.has(error.code);
}

function errorCodeOf(error: ServiceError): string | undefined {
  const [code] = error.metadata?.get('evx-error-code') ?? [];
  return typeof code === 'string' ? code : undefined;
}

/** Uploads every record of `job.records` exactly once into EVX and returns the local and EVX's chain values. */
export async function uploadEvidence(job: UploadJob): Promise<UploadOutcome> {
  const maxAttempts = job.maxAttempts ?? 8;
  let backoff = job.minBackoffMs ?? 200;
  const resumedAfter: number[] = [];
  let lastError: unknown;
  for (let n = 1; ; n++) {
    if (job.signal?.aborted) throw new Error('the upload was stopped: the adapter is closing');
    try {
      const before = await uploadState(job, true);
      const durable = Number(before.durableSequenceNumber);
      if (n > 1) {
        resumedAfter.push(durable);
        job.onResume?.(lastError, n, durable);
      }
      const rejectedBefore = new Set(before.rejections.map((r) => Number(r.sequenceNumber)));
      const pass = await attempt(job, durable, rejectedBefore);
      let local = pass.local;
      const after = await uploadState(job, durable === 0 && !pass.opened);
      const rejectedAfter = new Set(after.rejections.map((r) => Number(r.sequenceNumber)));
      if ([...rejectedAfter].some((s) => !rejectedBefore.has(s))) {
        // Records of this pass were rejected: they take no place in the chain, so hash once more without them.
        local = await hashOnly(job, rejectedAfter);
      }
      return {
        recordCount: local.count,
        chainHead: local.chainHead,
        merkleRoot: local.merkleRoot,
        rejections: after.rejections,
        state: after,
        truncated: false,
        resumedAfter,
      };
    } catch (error) {
      if (isServiceError(error) && error.code === status.RESOURCE_EXHAUSTED)
        return { ...(await truncatedOutcome(job)), resumedAfter };
      if (!retriable(error) || n >= maxAttempts || job.signal?.aborted) throw error;
      lastError = error;
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 5_000);
    }
  }
}

/** What is durable when EVX's task limit stopped the upload: the prefix up to the durable record. */
async function truncatedOutcome(job: UploadJob): Promise<Omit<UploadOutcome, 'resumedAfter'>> {
  const state = await uploadState(job);
  const rejected = new Set(state.rejections.map((r) => Number(r.sequenceNumber)));
  const local = await hashOnly(job, rejected, Number(state.durableSequenceNumber));
  return {
    recordCount: local.count,
    chainHead: local.chainHead,
    merkleRoot: local.merkleRoot,
    rejections: state.rejections,
    state,
    truncated: true,
  };
}

async function hashOnly(job: UploadJob, rejected: ReadonlySet<number>, upTo = Infinity): Promise<RecordAccumulator> {
  const local = new RecordAccumulator();
  let sequence = 0;
  for await (const input of job.records()) {
    sequence++;
    if (sequence > upTo) break;
    if (!rejected.has(sequence)) local.add(prepareRecord(input, sequence).metadataAt(local.count + 1));
  }
  return local;
}
