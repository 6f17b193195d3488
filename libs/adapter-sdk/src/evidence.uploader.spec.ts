import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { Metadata, type ClientWritableStream } from '@grpc/grpc-js';
import type { UploadEvidenceRequest } from '#evx/proto';
import { FaultPlan } from './adapter.faults.js';
import type { EvidenceRecordInput } from './evidence-record.js';
import { UNSENT_LIMIT_BYTES, UploadWriter, uploadEvidence } from './evidence.uploader.js';
import { FakeExchange } from './testing/fake-exchange.js';

const TASK = 'task-1';
const UPLOAD = 'c47e1a2b-9d3f-4b6a-8e21-5a7c9e1b3d40';

function* records(count: number, outOfScopeAt: readonly number[] = []): Iterable<EvidenceRecordInput> {
  for (let i = 1; i <= count; i++) {
    yield {
      requestType: 'TRAFFIC_DATA',
      selectorId: outOfScopeAt.includes(i) ? 'not-ordered' : 's1',
      recordTime: new Date(Date.UTC(2026, 10, 1, 0, 0, i)),
      contentType: 'application/json',
      payload: JSON.stringify({ call: i }),
    };
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

async function run(exchange: FakeExchange, faults: FaultPlan, count: number, outOfScopeAt: readonly number[] = []) {
  return uploadEvidence({
    client: exchange,
    taskId: TASK,
    uploadId: UPLOAD,
    records: () => records(count, outOfScopeAt),
    faults,
    minBackoffMs: 1,
  });
}

describe('uploadEvidence', () => {
  it('uploads every record once and computes the chain head and Merkle root EVX holds', async () => {
    const exchange = new FakeExchange();
    const sut = await run(exchange, new FaultPlan(), 50);
    expect(sut.recordCount).toBe(50);
    expect(hex(sut.chainHead)).toBe(hex(sut.state.chainHead));
    expect(hex(sut.merkleRoot)).toBe(hex(sut.state.merkleRoot));
    expect(exchange.streamsOpened).toBe(1);
  });

  it('resumes after a dropped stream at the durable record, with the same chain head and root as an uninterrupted run', async () => {
    const whole = await run(new FakeExchange(), new FaultPlan(), 200);
    const exchange = new FakeExchange();
    const retries: number[] = [];
    const sut = await uploadEvidence({
      client: exchange,
      taskId: TASK,
      uploadId: UPLOAD,
      records: () => records(200),
      faults: new FaultPlan({ dropUploadAfterRecords: 70 }),
      minBackoffMs: 1,
      onResume: (_error, _attempt, durable) => retries.push(durable),
    });
    expect(exchange.streamsOpened).toBe(2);
    expect(retries).toHaveLength(1);
    expect(sut.resumedAfter).toEqual(retries);
    expect(sut.resumedAfter[0]).toBeGreaterThan(0);
    expect(sut.recordCount).toBe(200);
    expect(hex(sut.chainHead)).toBe(hex(whole.chainHead));
    expect(hex(sut.merkleRoot)).toBe(hex(whole.merkleRoot));
    expect(hex(sut.chainHead)).toBe(hex(exchange.uploads.get(TASK)!.accumulator.chainHead));
  });

  it('leaves records EVX rejected out of the chain, as the package does', async () => {
    const exchange = new FakeExchange();
    const sut = await run(exchange, new FaultPlan(), 20, [1, 13]);
    const inScopeOnly = await run(new FakeExchange(), new FaultPlan(), 18);
    expect(sut.rejections.map((r) => r.sequenceNumber)).toEqual(['1', '13']);
    expect(sut.recordCount).toBe(18);
    expect(hex(sut.chainHead)).toBe(hex(sut.state.chainHead));
    // Same payloads but different times and positions: only the count agrees with an 18-record upload.
    expect(inScopeOnly.recordCount).toBe(18);
  });

  it('asks again what is durable and resumes when a reconnect races the lost stream (SEQUENCE_CONFLICT)', async () => {
    const exchange = new FakeExchange();
    const real = exchange.openUpload.bind(exchange);
    let first = true;
    exchange.openUpload = () => {
      const opened = real();
      if (first) {
        first = false;
        // The first stream is refused as the vault refuses a resume that collides with a stream still writing.
        const conflict = Object.assign(new Error('9 FAILED_PRECONDITION: package changed'), {
          code: 9,
          details: 'package changed while record 1 was written (another stream?)',
          metadata: new Metadata(),
        });
        conflict.metadata.set('evx-error-code', 'SEQUENCE_CONFLICT');
        opened.stream.destroy(conflict);
        return { stream: opened.stream, done: Promise.reject(conflict) };
      }
      return opened;
    };
    const sut = await run(exchange, new FaultPlan(), 30);
    expect(sut.recordCount).toBe(30);
    expect(sut.resumedAfter).toHaveLength(1);
    expect(exchange.streamsOpened).toBe(2);
  });

  it('gives up on a failed precondition other than a sequence conflict', async () => {
    const exchange = new FakeExchange();
    const real = exchange.openUpload.bind(exchange);
    exchange.openUpload = () => {
      const opened = real();
      const refused = Object.assign(new Error('9 FAILED_PRECONDITION: task not acknowledged'), {
        code: 9,
        details: 'task not acknowledged',
        metadata: new Metadata(),
      });
      refused.metadata.set('evx-error-code', 'INVALID_STATE');
      opened.stream.destroy(refused);
      return { stream: opened.stream, done: Promise.reject(refused) };
    };
    await expect(run(exchange, new FaultPlan(), 3)).rejects.toThrow('task not acknowledged');
    expect(exchange.streamsOpened).toBe(1);
  });

  it('gives up on a failure that retrying cannot fix', async () => {
    const exchange = new FakeExchange();
    exchange.getUploadState = () => Promise.reject(Object.assign(new Error('denied'), { code: 7, details: 'denied' }));
    await expect(run(exchange, new FaultPlan(), 3)).rejects.toThrow('denied');
  });

  it('opens no upload when the source yields nothing', async () => {
    const exchange = new FakeExchange();
    const sut = await run(exchange, new FaultPlan(), 0);
    expect(sut.recordCount).toBe(0);
    expect(exchange.streamsOpened).toBe(0);
  });

  it('stops, without retrying, when the adapter closes mid-upload', async () => {
    const exchange = new FakeExchange();
    const closing = new AbortController();
    async function* slowly() {
      for (const [i, record] of [...records(100)].entries()) {
        if (i === 10) closing.abort();
        yield record;
      }
    }
    await expect(
      uploadEvidence({
        client: exchange,
        taskId: TASK,
        uploadId: UPLOAD,
        records: slowly,
        faults: new FaultPlan(),
        signal: closing.signal,
      }),
    ).rejects.toBeDefined();
    expect(exchange.streamsOpened).toBe(1);
    expect(exchange.uploads.get(TASK)!.durable).toBeLessThan(100);
  });

  it("stops at EVX's task limit and reports what is durable, hashed locally", async () => {
    const exchange = new FakeExchange(['s1'], 2, 30);
    const sut = await run(exchange, new FaultPlan(), 50);
    expect(sut.truncated).toBe(true);
    expect(sut.recordCount).toBe(30);
    expect(hex(sut.chainHead)).toBe(hex(exchange.uploads.get(TASK)!.accumulator.chainHead));
  });
});

const MIB = 1024 * 1024;

/** A stream that does not say "full" before `highWaterMark` messages (grpc-js: 16) and confirms each only when told. */
function heldStream(highWaterMark = 1000) {
  const held: Array<() => void> = [];
  const stream = new Writable({
    objectMode: true,
    highWaterMark,
    write: (_message, _encoding, callback) => void held.push(() => callback()),
  });
  return { stream: stream as unknown as ClientWritableStream<UploadEvidenceRequest>, held };
}

const chunk = (bytes: number): UploadEvidenceRequest =>
  ({ record: { payload: Buffer.alloc(bytes) } }) as UploadEvidenceRequest;
const never = new Promise<never>(() => undefined);
const settledSoon = async (p: Promise<unknown>) => {
  let settled = false;
  void p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
};

describe('UploadWriter', () => {
  it('waits once more than its limit of payload bytes is written and not yet sent, and goes on as they are sent', async () => {
    const { stream, held } = heldStream();
    const sut = new UploadWriter(stream, never, 2 * MIB);
    await sut.write(chunk(MIB));
    await sut.write(chunk(MIB));
    const third = sut.write(chunk(MIB));
    expect(await settledSoon(third)).toBe(false);
    expect(sut.unsentBytes).toBe(3 * MIB);
    held.shift()!();
    await third;
    expect(sut.unsentBytes).toBe(2 * MIB);
  });

  it("waits for 'drain' when the stream says full, and stops waiting when the call fails meanwhile", async () => {
    const { stream, held } = heldStream(1);
    let fail!: (error: Error) => void;
    const failed = new Promise<never>((_resolve, reject) => (fail = reject));
    const sut = new UploadWriter(stream, failed, 4 * MIB);
    const first = sut.write(chunk(MIB));
    expect(await settledSoon(first)).toBe(false);
    held.shift()!();
    await first; // the stream drained
    const second = sut.write(chunk(MIB));
    expect(await settledSoon(second)).toBe(false);
    fail(new Error('stream cut'));
    await expect(second).rejects.toThrow('stream cut');
    await expect(sut.write(chunk(1))).rejects.toThrow('stream cut');
  });

  it('stops waiting when the call fails', async () => {
    const { stream } = heldStream();
    let fail!: (error: Error) => void;
    const failed = new Promise<never>((_resolve, reject) => (fail = reject));
    failed.catch(() => undefined);
    const sut = new UploadWriter(stream, failed, MIB);
    const waiting = sut.write(chunk(2 * MIB));
    expect(await settledSoon(waiting)).toBe(false);
    fail(new Error('stream cut'));
    await expect(waiting).rejects.toThrow('stream cut');
  });

  it('bounds what uploadEvidence leaves unsent, in bytes, however many messages the stream would take', async () => {
    const exchange = new FakeExchange(['s1'], 1000);
    let unsent = 0;
    let most = 0;
    const open = exchange.openUpload.bind(exchange);
    exchange.openUpload = () => {
      const opened = open();
      const write = opened.stream.write.bind(opened.stream) as (m: UploadEvidenceRequest, cb?: () => void) => boolean;
      (opened.stream as unknown as { write: typeof write }).write = (message, callback) => {
        const size = message.record?.payload?.length ?? 0;
        unsent += size;
        most = Math.max(most, unsent);
        return write(message, () => {
          unsent -= size;
          callback?.();
        });
      };
      return opened;
    };
    const big = function* (): Iterable<EvidenceRecordInput> {
      for (let i = 1; i <= 12; i++) {
        yield { ...[...records(1)][0]!, payload: Buffer.alloc(1.5 * MIB, i) };
      }
    };
    const sut = await uploadEvidence({
      client: exchange,
      taskId: TASK,
      uploadId: UPLOAD,
      records: big,
      faults: new FaultPlan(),
    });
    expect(sut.recordCount).toBe(12);
    expect(exchange.uploads.get(TASK)!.payloadBytes).toBe(18 * MIB);
    // At most the limit plus the message that crossed it (chunks are at most 1 MiB).
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(UNSENT_LIMIT_BYTES + MIB);
  });
});
