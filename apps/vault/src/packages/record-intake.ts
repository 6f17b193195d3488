// The rules of one AppendRecords stream (evx.v1.EvidenceRecord): records arrive whole or in chunks, in sequence;
// each complete record is written to disk, fsynced and committed before the next is looked at. The state it starts
// from is what the database says is durable, so a resumed upload continues exactly where the last one stopped.
import { createHash, type Hash } from 'node:crypto';
import { encodeRecordMetadata, FormatError } from '#evx/evidence-package';
import { EvxError } from '#evx/errors';
import { dateFromTimestamp, WIRE_LIMITS, type EvidenceRecord, type RecordRejection } from '#evx/proto';
import type { PackageChain } from './package-chain.js';

/** Where a record's payload goes while it arrives. */
export interface PayloadSink {
  readonly name: string;
  write(chunk: Uint8Array): Promise<void>;
  /** Makes the bytes durable (fsync). */
  commit(): Promise<void>;
  discard(): Promise<void>;
}

export interface AcceptedRecord {
  readonly sequenceNumber: number;
  readonly position: number;
  readonly metadata: Uint8Array;
  readonly payloadFile: string;
  readonly payloadSize: number;
  /** The chain and tree including this record. */
  readonly chain: PackageChain;
}

/** The package's storage as the intake needs it. */
export interface IntakePort {
  createPayload(sequenceNumber: number): Promise<PayloadSink>;
  /** The accepted record an earlier sequence number became, or undefined if it was rejected. */
  storedRecord(sequenceNumber: number): Promise<{ position: number; metadata: string } | undefined>;
  /** Commits the record (throws if the package moved on meanwhile, e.g. a concurrent stream). */
  commitRecord(record: AcceptedRecord): Promise<void>;
  /** Commits that `sequenceNumber` was rejected: it counts as handled (durable) and takes no place. */
  commitRejection(sequenceNumber: number): Promise<void>;
}

export interface IntakeState {
  durableSequenceNumber: number;
  payloadBytes: number;
  chain: PackageChain;
}

type Mode = 'write' | 'compare' | 'discard';

interface InFlight {
  readonly sequenceNumber: number;
  readonly fields: string;
  readonly size: number;
  readonly declaredSha256: string;
  readonly mode: Mode;
  readonly record: EvidenceRecord;
  readonly hash: Hash;
  readonly sink?: PayloadSink;
  /** For `discard`: the rejection to report when the record's last chunk has gone by. */
  readonly rejection?: RecordRejection;
  received: number;
}

const ZERO_SHA = '0'.repeat(64);

export class RecordIntake {
  private current: InFlight | undefined;
  /** The record finished last in this stream: a repeat of one of its later chunks is ignored. */
  private finished: { sequenceNumber: number; fields: string } | undefined;
  readonly rejections: RecordRejection[] = [];

  constructor(
    private readonly port: IntakePort,
    readonly state: IntakeState,
    private readonly maxRecordBytes: number = WIRE_LIMITS.maxRecordPayloadBytes,
  ) {}

  /** Takes one message's record; throws EvxError when the stream cannot go on. */
  async accept(record: EvidenceRecord): Promise<void> {
    const sequenceNumber = whole(record.sequenceNumber, 'sequence_number');
    const offset = whole(record.chunkOffset, 'chunk_offset');
    const chunk = record.payload ?? Buffer.alloc(0);
    if (chunk.length > WIRE_LIMITS.maxChunkBytes) {
      throw new EvxError(
        'too-large',
        `record ${sequenceNumber}: a chunk carries at most ${WIRE_LIMITS.maxChunkBytes} bytes of payload, got ${chunk.length}`,
        'TOO_LARGE',
      );
    }
    if (this.isRepeat(record, sequenceNumber, offset, chunk.length)) return;
    const current = this.current ?? (await this.start(record, sequenceNumber, offset));
    if (current.sequenceNumber !== sequenceNumber) {
      await this.abandon();
      throw new EvxError(
        'invalid-argument',
        `record ${current.sequenceNumber} stopped at byte ${current.received} of ${current.size} when record ` +
          `${sequenceNumber} began: send every chunk of a record before the next record`,
      );
    }
    if (this.current === current) this.checkContinuation(current, record, offset);
    this.current = current;
    if (offset + chunk.length > current.size) {
      await this.abandon();
      throw new EvxError(
        'invalid-argument',
        `record ${sequenceNumber}: chunk at offset ${offset} with ${chunk.length} bytes goes past payload_size ${current.size}`,
      );
    }
    current.hash.update(chunk);
    if (current.sink && chunk.length > 0) await current.sink.write(chunk);
    current.received += chunk.length;
    if (current.received === current.size) {
      this.current = undefined;
      this.finished = { sequenceNumber, fields: current.fields };
      await this.finishRecord(current);
    }
  }

  /** At the end of the stream: a record cut off is dropped; it is resent from chunk_offset 0. */
  async abandon(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    await current?.sink?.discard();
  }

  /**
   * A chunk received twice is ignored (issue #5): one that lies wholly within the bytes of the record being received,
   * or a later chunk of the record finished last. Only its position is compared: its bytes went into the hash once.
   */
  private isRepeat(record: EvidenceRecord, sequenceNumber: number, offset: number, length: number): boolean {
    const current = this.current;
    if (current && current.sequenceNumber === sequenceNumber) {
      return offset < current.received && offset + length <= current.received && fieldsOf(record) === current.fields;
    }
    const finished = this.finished;
    return (
      !current &&
      finished !== undefined &&
      finished.sequenceNumber === sequenceNumber &&
      offset > 0 &&
      fieldsOf(record) === finished.fields
    );
  }

  private async start(record: EvidenceRecord, sequenceNumber: number, offset: number): Promise<InFlight> {
    if (offset !== 0) {
      throw new EvxError(
        'invalid-argument',
        `record ${sequenceNumber} starts at chunk_offset ${offset}: a record (also a resent one) starts at offset 0`,
      );
    }
    const expected = this.state.durableSequenceNumber + 1;
    if (sequenceNumber < 1) throw new EvxError('invalid-argument', 'sequence_number starts at 1');
    if (sequenceNumber > expected) {
      throw new EvxError(
        'failed-precondition',
        `record ${sequenceNumber} arrived but the next expected is ${expected}: sequence numbers have no gaps; ` +
          `resume from ${expected}`,
        'SEQUENCE_CONFLICT',
      );
    }
    const size = whole(record.payloadSize, 'payload_size');
    const declared = record.payloadSha256 ?? Buffer.alloc(0);
    const base = {
      sequenceNumber,
      fields: fieldsOf(record),
      size,
      declaredSha256: Buffer.from(declared).toString('hex'),
      record,
      hash: createHash('sha256'),
      received: 0,
    };
    if (sequenceNumber < expected) return { ...base, mode: 'compare' };
    const problem = this.problemWith(record, size, declared);
    if (problem) return { ...base, mode: 'discard', rejection: { sequenceNumber: String(sequenceNumber), ...problem } };
    return { ...base, mode: 'write', sink: await this.port.createPayload(sequenceNumber) };
  }

  private problemWith(
    record: EvidenceRecord,
    size: number,
    declared: Uint8Array,
  ): Pick<RecordRejection, 'code' | 'reason'> | undefined {
    if (size > this.maxRecordBytes) {
      return {
        code: 'ERROR_CODE_TOO_LARGE',
        reason: `payload_size ${size} is over the limit of ${this.maxRecordBytes}`,
      };
    }
    if (declared.length !== 0 && declared.length !== 32) {
      return { code: 'ERROR_CODE_INVALID_ARGUMENT', reason: 'payload_sha256 must be empty or 32 bytes' };
    }
    try {
      this.metadataOf(record, this.state.chain.count + 1, ZERO_SHA);
      return undefined;
    } catch (error) {
      if (error instanceof FormatError || error instanceof RangeError) {
        return { code: 'ERROR_CODE_INVALID_ARGUMENT', reason: error.message };
      }
      throw error;
    }
  }

  private checkContinuation(current: InFlight, record: EvidenceRecord, offset: number): void {
    if (fieldsOf(record) !== current.fields) {
      throw new EvxError(
        'invalid-argument',
        `record ${current.sequenceNumber}: every chunk of a record carries the same fields but chunk_offset and payload`,
      );
    }
    if (offset !== current.received) {
      throw new EvxError(
        'invalid-argument',
        `record ${current.sequenceNumber}: chunk_offset ${offset} follows ${current.received} bytes; chunks are consecutive`,
      );
    }
  }

  private async finishRecord(done: InFlight): Promise<void> {
    const sha256 = done.hash.digest('hex');
    if (done.mode === 'compare') return this.compareResend(done, sha256);
    if (done.mode === 'discard') return this.reject(done.rejection as RecordRejection);
    const sink = done.sink as PayloadSink;
    if (done.declaredSha256 !== '' && done.declaredSha256 !== sha256) {
      await sink.discard();
      return this.reject({
        sequenceNumber: String(done.sequenceNumber),
        code: 'ERROR_CODE_INTEGRITY_MISMATCH',
        reason: `the payload hashes to ${sha256}, payload_sha256 says ${done.declaredSha256}`,
      });
    }
    const position = this.state.chain.count + 1;
    const metadata = this.metadataOf(done.record, position, sha256);
    const chain = this.state.chain.with(metadata);
    try {
      await sink.commit();
      await this.port.commitRecord({
        sequenceNumber: done.sequenceNumber,
        position,
        metadata,
        payloadFile: sink.name,
        payloadSize: done.size,
        chain,
      });
    } catch (error) {
      await sink.discard();
      throw error;
    }
    this.state.chain = chain;
    this.state.durableSequenceNumber = done.sequenceNumber;
    this.state.payloadBytes += done.size;
  }

  /** A durable sequence number again: ignored when identical, rejected when not. */
  private async compareResend(done: InFlight, sha256: string): Promise<void> {
    const stored = await this.port.storedRecord(done.sequenceNumber);
    const conflict = (reason: string) =>
      this.rejections.push({
        sequenceNumber: String(done.sequenceNumber),
        code: 'ERROR_CODE_SEQUENCE_CONFLICT',
        reason,
      });
    if (!stored)
      return void conflict(
        `record ${done.sequenceNumber} was rejected before; send new records from ${this.state.durableSequenceNumber + 1}`,
      );
    let again: string;
    try {
      again = Buffer.from(this.metadataOf(done.record, stored.position, sha256)).toString('utf8');
    } catch {
      again = '';
    }
    if (again !== stored.metadata) {
      conflict(`record ${done.sequenceNumber} is durable with other content; it cannot change`);
    }
  }

  private async reject(rejection: RecordRejection): Promise<void> {
    const sequenceNumber = Number(rejection.sequenceNumber);
    await this.port.commitRejection(sequenceNumber);
    this.state.durableSequenceNumber = sequenceNumber;
    this.rejections.push(rejection);
  }

  private metadataOf(record: EvidenceRecord, position: number, payloadSha256: string): Uint8Array {
    if (!record.recordTime) throw new FormatError('record_time is missing');
    return encodeRecordMetadata({
      sequenceNumber: position,
      requestType: record.requestType,
      selectorId: record.selectorId,
      recordTime: dateFromTimestamp(record.recordTime).toISOString(),
      contentType: record.contentType,
      payloadSize: whole(record.payloadSize, 'payload_size'),
      payloadSha256,
    });
  }
}

function whole(value: string | number | undefined, field: string): number {
  const text = String(value ?? '0');
  const n = Number(text || '0');
  if (!/^\d*$/.test(text) || !Number.isSafeInteger(n)) {
    throw new EvxError('invalid-argument', `${field} must be a whole number, got ${text}`);
  }
  return n;
}

/** Everything that must be the same in every chunk of a record. */
function fieldsOf(r: EvidenceRecord): string {
  return JSON.stringify([
    r.sequenceNumber,
    r.requestType,
    r.selectorId,
    r.recordTime?.seconds ?? null,
    r.recordTime?.nanos ?? null,
    r.contentType,
    r.payloadSize,
    Buffer.from(r.payloadSha256 ?? []).toString('hex'),
  ]);
}
