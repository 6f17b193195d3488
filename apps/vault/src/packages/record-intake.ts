// The rules of one AppendRecords stream (evx.v1.EvidenceRecord): records arrive whole or in chunks, in sequence;
// each complete record is written to disk and made durable in a group (group commit): the payload files of several
// records are fsynced in one round, then one transaction commits all of them, and only then do they count as durable.
// While one group is being made durable the next one is written. The state it starts from is what the database says
// is durable, so a resumed upload continues exactly where the last one stopped.
import { createHash, type Hash } from 'node:crypto';
import { encodeRecordMetadata, FormatError } from '#evx/evidence-package';
import { EvxError } from '#evx/errors';
import { dateFromTimestamp, WIRE_LIMITS, type EvidenceRecord, type RecordRejection } from '#evx/proto';
import type { PackageChain } from './package-chain.js';

/** Where a record's payload goes while it arrives. */
export interface PayloadSink {
  /** The payload file's name; '' for a payload kept in memory until its record's row holds it (`bytes`). */
  readonly name: string;
  /** A small payload's bytes, stored in the record's row: durable with the commit, no file of its own. */
  bytes?(): Uint8Array;
  write(chunk: Uint8Array): Promise<void>;
  /** Makes the bytes durable (fsync of the file and its folder). */
  commit(): Promise<void>;
  /** fsync of the file only (and closes it); the folder is then synced once per group (`IntakePort.syncFolder`). */
  syncFile?(): Promise<void>;
  discard(): Promise<void>;
}

export interface AcceptedRecord {
  readonly sequenceNumber: number;
  readonly position: number;
  readonly metadata: Uint8Array;
  /** '' when the payload is stored in the row (`payload`). */
  readonly payloadFile: string;
  readonly payload?: Uint8Array;
  readonly payloadSize: number;
  /** The chain and tree including this record. */
  readonly chain: PackageChain;
}

/** The package's storage as the intake needs it. */
export interface IntakePort {
  /** Where the payload of record `sequenceNumber`, `size` bytes long, is written while it arrives. */
  createPayload(sequenceNumber: number, size: number): Promise<PayloadSink>;
  /** The accepted record an earlier sequence number became, or undefined if it was rejected. */
  storedRecord(sequenceNumber: number): Promise<{ position: number; metadata: string } | undefined>;
  /** Commits the record (throws if the package moved on meanwhile, e.g. a concurrent stream). */
  commitRecord(record: AcceptedRecord): Promise<void>;
  /** Commits that `sequenceNumber` was rejected: it counts as handled (durable) and takes no place. */
  commitRejection(sequenceNumber: number): Promise<void>;
  /**
   * Commits a group in one transaction: its accepted records and its rejected sequence numbers, which together are
   * every sequence number up to `lastSequenceNumber` after the durable one (throws if the package moved on).
   * Without it each is committed on its own.
   */
  commitGroup?(group: DurableGroup): Promise<void>;
  /** fsync of the folder of the payload files (after `PayloadSink.syncFile` of a group's files). */
  syncFolder?(): Promise<void>;
}

export interface DurableGroup {
  readonly records: readonly AcceptedRecord[];
  readonly firstSequenceNumber: number;
  readonly lastSequenceNumber: number;
}

/** When a group of complete records is made durable: whichever limit is reached first. */
export interface GroupPolicy {
  readonly maxBytes: number;
  readonly maxRecords: number;
  /** How long a complete record may wait for more before its group is made durable anyway. */
  readonly maxDelayMs: number;
}

/** Each record durable on its own before the next is looked at. */
export const ONE_BY_ONE: GroupPolicy = { maxBytes: 0, maxRecords: 1, maxDelayMs: 0 };

/** A complete record, or a rejected sequence number, on its way to being durable. */
interface Pending {
  readonly sequenceNumber: number;
  readonly accepted?: AcceptedRecord;
  readonly sink?: PayloadSink;
  readonly rejection?: RecordRejection;
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
  /** Complete records (and rejections) not yet durable, in sequence; `next` is where the stream stands with them. */
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private next: { sequenceNumber: number; chain: PackageChain };
  /** The group being made durable (at most one at a time); it never rejects, `failure` says how it went. */
  private flushing: Promise<void> = Promise.resolve();
  private failure: unknown;
  private timer: NodeJS.Timeout | undefined;
  /** The record finished last in this stream: a repeat of one of its later chunks is ignored. */
  private finished: { sequenceNumber: number; fields: string } | undefined;
  readonly rejections: RecordRejection[] = [];

  constructor(
    private readonly port: IntakePort,
    readonly state: IntakeState,
    private readonly maxRecordBytes: number = WIRE_LIMITS.maxRecordPayloadBytes,
    private readonly policy: GroupPolicy = ONE_BY_ONE,
  ) {
    this.next = { sequenceNumber: state.durableSequenceNumber, chain: state.chain };
  }

  /** Takes one message's record; throws EvxError when the stream cannot go on. */
  async accept(record: EvidenceRecord): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
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

  /**
   * Makes every complete record durable (fsync, commit) and reports it in `state`; throws if that failed (then what
   * is durable is what was committed before).
   */
  async flush(): Promise<void> {
    this.startFlush();
    await this.flushing;
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * At the end of the stream: a record cut off is dropped; it is resent from chunk_offset 0. Complete records are
   * still made durable (call `flush()` first to learn whether that worked).
   */
  async abandon(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    await current?.sink?.discard();
    await this.flush().catch(() => undefined);
  }

  /** Queues a complete record or a rejection; starts making the group durable when it is full. */
  private async settle(item: Pending, bytes: number): Promise<void> {
    this.pending.push(item);
    this.pendingBytes += bytes;
    const { maxBytes, maxRecords, maxDelayMs } = this.policy;
    if (maxRecords <= 1) return this.flush();
    if (this.pending.length >= maxRecords || this.pendingBytes >= maxBytes) {
      // One group at a time: the next one is written while this one is fsynced and committed.
      await this.flushing;
      if (this.failure !== undefined) throw this.failure;
      this.startFlush();
      return;
    }
    this.timer ??= setTimeout(() => this.startFlush(), maxDelayMs);
  }

  private startFlush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const group = this.pending;
    if (group.length === 0) return;
    this.pending = [];
    this.pendingBytes = 0;
    this.flushing = this.flushing.then(() =>
      this.commitGroup(group).catch((error: unknown) => {
        this.failure ??= error;
      }),
    );
  }

  private async commitGroup(group: readonly Pending[]): Promise<void> {
    const sinks = group.flatMap((item) => (item.sink ? [item.sink] : []));
    let committed = 0;
    try {
      if (this.failure !== undefined) throw this.failure;
      await Promise.all(sinks.map((sink) => (sink.syncFile ? sink.syncFile() : sink.commit())));
      if (this.port.syncFolder && sinks.some((sink) => sink.syncFile)) await this.port.syncFolder();
      const last = group[group.length - 1] as Pending;
      if (this.port.commitGroup) {
        const records = group.flatMap((item) => (item.accepted ? [item.accepted] : []));
        const first = (group[0] as Pending).sequenceNumber;
        await this.port.commitGroup({ records, firstSequenceNumber: first, lastSequenceNumber: last.sequenceNumber });
        this.madeDurable(group);
      } else {
        for (const item of group) {
          if (item.accepted) await this.port.commitRecord(item.accepted);
          else await this.port.commitRejection(item.sequenceNumber);
          committed++;
          this.madeDurable([item]);
        }
      }
    } catch (error) {
      await Promise.all(group.slice(committed).map((item) => item.sink?.discard().catch(() => undefined)));
      throw error;
    }
  }

  private madeDurable(items: readonly Pending[]): void {
    for (const item of items) {
      this.state.durableSequenceNumber = item.sequenceNumber;
      if (item.accepted) {
        this.state.chain = item.accepted.chain;
        this.state.payloadBytes += item.accepted.payloadSize;
      }
      if (item.rejection) this.rejections.push(item.rejection);
    }
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
    // A resend of a record not yet durable is compared once it is.
    if (sequenceNumber <= this.next.sequenceNumber && sequenceNumber > this.state.durableSequenceNumber) {
      await this.flush();
    }
    const expected = this.next.sequenceNumber + 1;
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
    return { ...base, mode: 'write', sink: await this.port.createPayload(sequenceNumber, size) };
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
      this.metadataOf(record, this.next.chain.count + 1, ZERO_SHA);
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
    const position = this.next.chain.count + 1;
    const metadata = this.metadataOf(done.record, position, sha256);
    const chain = this.next.chain.with(metadata);
    this.next = { sequenceNumber: done.sequenceNumber, chain };
    const accepted: AcceptedRecord = {
      sequenceNumber: done.sequenceNumber,
      position,
      metadata,
      payloadFile: sink.name,
      ...(sink.bytes ? { payload: sink.bytes() } : {}),
      payloadSize: done.size,
      chain,
    };
    await this.settle({ sequenceNumber: done.sequenceNumber, accepted, sink }, done.size);
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
        `record ${done.sequenceNumber} was rejected before; send new records from ${this.next.sequenceNumber + 1}`,
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
    this.next = { sequenceNumber, chain: this.next.chain };
    await this.settle({ sequenceNumber, rejection }, 0);
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
