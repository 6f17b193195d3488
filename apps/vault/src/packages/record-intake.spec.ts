import { createHash } from 'node:crypto';
import { encodeRecordMetadata, RecordAccumulator } from '#evx/evidence-package';
import { EvxError } from '#evx/errors';
import { timestampFromDate, type EvidenceRecord } from '#evx/proto';
import { PackageChain } from './package-chain.js';
import {
  RecordIntake,
  type AcceptedRecord,
  type DurableGroup,
  type GroupPolicy,
  type IntakePort,
  type PayloadSink,
} from './record-intake.js';

const MiB = 1024 * 1024;

/** An in-memory package: payload files as buffers, committed records by sequence number. */
function fakePort() {
  const files = new Map<string, Buffer[]>();
  const committed = new Map<number, AcceptedRecord>();
  const rejected: number[] = [];
  const discarded: string[] = [];
  let n = 0;
  const port: IntakePort = {
    createPayload: async (seq) => {
      const name = `${seq}-${++n}`;
      files.set(name, []);
      const sink: PayloadSink = {
        name,
        write: async (chunk) => void files.get(name)?.push(Buffer.from(chunk)),
        commit: async () => undefined,
        discard: async () => {
          discarded.push(name);
          files.delete(name);
        },
      };
      return sink;
    },
    storedRecord: async (seq) => {
      const r = committed.get(seq);
      return r ? { position: r.position, metadata: Buffer.from(r.metadata).toString('utf8') } : undefined;
    },
    commitRecord: async (record) => void committed.set(record.sequenceNumber, record),
    commitRejection: async (seq) => void rejected.push(seq),
  };
  return { port, files, committed, rejected, discarded };
}

function sut(port: IntakePort, maxRecordBytes?: number) {
  return new RecordIntake(
    port,
    { durableSequenceNumber: 0, payloadBytes: 0, chain: PackageChain.empty() },
    maxRecordBytes,
  );
}

function record(seq: number, payload: Buffer, extra: Partial<EvidenceRecord> = {}): EvidenceRecord {
  return {
    sequenceNumber: String(seq),
    requestType: 'REQUEST_TYPE_TRAFFIC_DATA',
    selectorId: 's1',
    recordTime: timestampFromDate(new Date(Date.UTC(2026, 10, 20, 8, 0, seq))),
    contentType: 'text/csv',
    payloadSize: String(payload.length),
    payloadSha256: createHash('sha256').update(payload).digest(),
    chunkOffset: '0',
    payload,
    ...extra,
  };
}

function chunks(r: EvidenceRecord, size: number): EvidenceRecord[] {
  const out: EvidenceRecord[] = [];
  for (let o = 0; o === 0 || o < r.payload.length; o += size) {
    out.push({ ...r, chunkOffset: String(o), payload: r.payload.subarray(o, o + size) });
  }
  return out;
}

async function expectError(work: Promise<unknown>, kind: string, code?: string): Promise<void> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EvxError);
  expect((error as EvxError).kind).toBe(kind);
  if (code) expect((error as EvxError).code).toBe(code);
}

describe('RecordIntake', () => {
  it('computes the chain head and Merkle root exactly as libs/evidence-package does', async () => {
    const { port } = fakePort();
    const intake = sut(port);
    const payloads = [Buffer.from('a'), Buffer.alloc(0), Buffer.from('ccc')];
    for (const [i, p] of payloads.entries()) await intake.accept(record(i + 1, p));
    const reference = new RecordAccumulator();
    payloads.forEach((p, i) =>
      reference.add(
        encodeRecordMetadata({
          sequenceNumber: i + 1,
          requestType: 'REQUEST_TYPE_TRAFFIC_DATA',
          selectorId: 's1',
          recordTime: new Date(Date.UTC(2026, 10, 20, 8, 0, i + 1)).toISOString(),
          contentType: 'text/csv',
          payloadSize: p.length,
          payloadSha256: createHash('sha256').update(p).digest('hex'),
        }),
      ),
    );
    expect(intake.state.durableSequenceNumber).toBe(3);
    expect(Buffer.from(intake.state.chain.chainHead)).toEqual(Buffer.from(reference.chainHead));
    expect(Buffer.from(intake.state.chain.merkleRoot)).toEqual(Buffer.from(reference.merkleRoot));
  });

  it('assembles a chunked record and makes it durable only when complete', async () => {
    const { port, files, committed } = fakePort();
    const intake = sut(port);
    const payload = Buffer.alloc(2 * MiB + 5, 7);
    const [a, b, c] = chunks(record(1, payload), MiB);
    await intake.accept(a as EvidenceRecord);
    await intake.accept(b as EvidenceRecord);
    expect(committed.size).toBe(0);
    await intake.accept(c as EvidenceRecord);
    const stored = committed.get(1) as AcceptedRecord;
    expect(Buffer.concat(files.get(stored.payloadFile) ?? []).equals(payload)).toBe(true);
    expect(intake.state.payloadBytes).toBe(payload.length);
  });

  it('drops a record cut off at the end of the stream', async () => {
    const { port, committed, discarded } = fakePort();
    const intake = sut(port);
    const [first] = chunks(record(1, Buffer.alloc(MiB + 1)), MiB);
    await intake.accept(first as EvidenceRecord);
    await intake.abandon();
    expect(committed.size).toBe(0);
    expect(discarded).toHaveLength(1);
    expect(intake.state.durableSequenceNumber).toBe(0);
  });

  it('ignores an identical resend and rejects a different one without moving the chain', async () => {
    const { port } = fakePort();
    const intake = sut(port);
    await intake.accept(record(1, Buffer.from('one')));
    const head = Buffer.from(intake.state.chain.chainHead);
    await intake.accept(record(1, Buffer.from('one')));
    expect(intake.rejections).toEqual([]);
    await intake.accept(record(1, Buffer.from('two')));
    await intake.accept(record(1, Buffer.from('one'), { selectorId: 's2' }));
    expect(intake.rejections.map((r) => [r.sequenceNumber, r.code])).toEqual([
      ['1', 'ERROR_CODE_SEQUENCE_CONFLICT'],
      ['1', 'ERROR_CODE_SEQUENCE_CONFLICT'],
    ]);
    expect(Buffer.from(intake.state.chain.chainHead)).toEqual(head);
  });

  it('ends the stream on a gap', async () => {
    const { port } = fakePort();
    await expectError(sut(port).accept(record(2, Buffer.from('x'))), 'failed-precondition', 'SEQUENCE_CONFLICT');
  });

  it('rejects a payload_sha256 mismatch, an oversized or malformed record, and continues', async () => {
    const { port, rejected, discarded } = fakePort();
    const intake = sut(port, 10);
    await intake.accept(record(1, Buffer.from('x'), { payloadSha256: Buffer.alloc(32) }));
    await intake.accept(record(2, Buffer.alloc(11)));
    await intake.accept(record(3, Buffer.from('x'), { requestType: 'REQUEST_TYPE_UNSPECIFIED' }));
    await intake.accept(record(4, Buffer.from('x')));
    expect(intake.rejections.map((r) => r.code)).toEqual([
      'ERROR_CODE_INTEGRITY_MISMATCH',
      'ERROR_CODE_TOO_LARGE',
      'ERROR_CODE_INVALID_ARGUMENT',
    ]);
    expect(rejected).toEqual([1, 2, 3]);
    expect(discarded).toHaveLength(1);
    expect(intake.state).toMatchObject({ durableSequenceNumber: 4 });
    expect(intake.state.chain.count).toBe(1);
  });

  it('enforces the chunk rules', async () => {
    const payload = Buffer.alloc(3 * 10);
    const [a, b] = chunks(record(1, payload), 10);
    const cases: EvidenceRecord[][] = [
      [{ ...(a as EvidenceRecord), chunkOffset: '5' }],
      [a as EvidenceRecord, { ...(b as EvidenceRecord), chunkOffset: '11' }],
      [a as EvidenceRecord, { ...(b as EvidenceRecord), contentType: 'text/plain' }],
      [a as EvidenceRecord, record(2, Buffer.from('x'))],
      [{ ...(a as EvidenceRecord), payload: Buffer.alloc(31) }],
    ];
    for (const messages of cases) {
      const { port, committed } = fakePort();
      const intake = sut(port);
      const last = messages.pop() as EvidenceRecord;
      for (const m of messages) await intake.accept(m);
      await expectError(intake.accept(last), 'invalid-argument');
      expect(committed.size).toBe(0);
    }
    const { port } = fakePort();
    await expectError(sut(port).accept(record(1, Buffer.alloc(MiB + 1))), 'too-large');
  });

  it('ignores a chunk received twice (issue #5), also the last chunk of a record already durable', async () => {
    const { port, files, committed } = fakePort();
    const intake = sut(port);
    const payload = Buffer.from('0123456789abcdefghij0123456789');
    const [a, b, c] = chunks(record(1, payload), 10) as [EvidenceRecord, EvidenceRecord, EvidenceRecord];
    for (const m of [a, a, b, a, b, c, c, b]) await intake.accept(m);
    await intake.accept(record(2, Buffer.from('x')));
    const stored = committed.get(1) as AcceptedRecord;
    expect(Buffer.concat(files.get(stored.payloadFile) ?? []).equals(payload)).toBe(true);
    expect(intake.state.durableSequenceNumber).toBe(2);
    expect(intake.rejections).toEqual([]);
    // A chunk that overlaps what arrived without repeating it is still an error.
    const other = sut(fakePort().port);
    await other.accept(a);
    await expectError(other.accept({ ...b, chunkOffset: '5' }), 'invalid-argument');
  });

  describe('group commit', () => {
    const policy: GroupPolicy = { maxBytes: 1000, maxRecords: 3, maxDelayMs: 60_000 };

    /** The fake port with group commits and file syncs recorded; `failGroup` makes commitGroup throw. */
    function groupPort(failGroup = false) {
      const base = fakePort();
      const groups: DurableGroup[] = [];
      const events: string[] = [];
      const port: IntakePort = {
        ...base.port,
        createPayload: async (seq, size) => {
          const sink = await base.port.createPayload(seq, size);
          return { ...sink, syncFile: async () => void events.push(`sync ${sink.name}`) };
        },
        syncFolder: async () => void events.push('sync folder'),
        commitGroup: async (group) => {
          if (failGroup) throw new EvxError('failed-precondition', 'moved on', 'SEQUENCE_CONFLICT');
          events.push(`commit ${group.firstSequenceNumber}-${group.lastSequenceNumber}`);
          groups.push(group);
          for (const r of group.records) base.committed.set(r.sequenceNumber, r);
        },
      };
      return { ...base, port, groups, events };
    }

    function grouped(port: IntakePort) {
      return new RecordIntake(
        port,
        { durableSequenceNumber: 0, payloadBytes: 0, chain: PackageChain.empty() },
        10,
        policy,
      );
    }

    it('fsyncs a group of files, then the folder once, then commits them in one call', async () => {
      const { port, groups, events } = groupPort();
      const intake = grouped(port);
      await intake.accept(record(1, Buffer.from('a')));
      await intake.accept(record(2, Buffer.alloc(11))); // rejected: too large, still part of the group
      expect(groups).toHaveLength(0);
      expect(intake.state.durableSequenceNumber).toBe(0);
      expect(intake.rejections).toEqual([]);
      await intake.accept(record(3, Buffer.from('c')));
      await intake.flush();
      expect(events.slice(-1)).toEqual(['commit 1-3']);
      expect(events.filter((e) => e === 'sync folder')).toHaveLength(1);
      expect(events.indexOf('sync folder')).toBeLessThan(events.indexOf('commit 1-3'));
      expect(groups[0]?.records.map((r) => [r.sequenceNumber, r.position])).toEqual([
        [1, 1],
        [3, 2],
      ]);
      expect(intake.state).toMatchObject({ durableSequenceNumber: 3, payloadBytes: 2 });
      expect(intake.rejections.map((r) => r.sequenceNumber)).toEqual(['2']);
    });

    it('computes the same chain as one by one', async () => {
      const one = sut(fakePort().port);
      const { port } = groupPort();
      const many = grouped(port);
      for (let i = 1; i <= 7; i++) {
        await one.accept(record(i, Buffer.from(`r${i}`)));
        await many.accept(record(i, Buffer.from(`r${i}`)));
      }
      await many.flush();
      expect(many.state.durableSequenceNumber).toBe(7);
      expect(Buffer.from(many.state.chain.chainHead)).toEqual(Buffer.from(one.state.chain.chainHead));
      expect(Buffer.from(many.state.chain.merkleRoot)).toEqual(Buffer.from(one.state.chain.merkleRoot));
    });

    it('compares a resend of a record not yet durable once it is', async () => {
      const { port } = groupPort();
      const intake = grouped(port);
      await intake.accept(record(1, Buffer.from('one')));
      await intake.accept(record(1, Buffer.from('one')));
      await intake.accept(record(1, Buffer.from('two')));
      await intake.flush();
      expect(intake.rejections.map((r) => r.code)).toEqual(['ERROR_CODE_SEQUENCE_CONFLICT']);
      expect(intake.state.durableSequenceNumber).toBe(1);
    });

    it('reports nothing durable when the group commit fails, discards its files and ends the stream', async () => {
      const { port, discarded } = groupPort(true);
      const intake = grouped(port);
      await intake.accept(record(1, Buffer.from('a')));
      await intake.accept(record(2, Buffer.from('b')));
      await expectError(intake.flush(), 'failed-precondition', 'SEQUENCE_CONFLICT');
      expect(discarded).toHaveLength(2);
      expect(intake.state.durableSequenceNumber).toBe(0);
      await expectError(intake.accept(record(3, Buffer.from('c'))), 'failed-precondition', 'SEQUENCE_CONFLICT');
    });

    it('makes the complete records durable when the stream is cut, and drops the partial one', async () => {
      const { port, committed, discarded } = groupPort();
      const intake = grouped(port);
      await intake.accept(record(1, Buffer.from('a')));
      const [first] = chunks(record(2, Buffer.alloc(10)), 4);
      await intake.accept(first as EvidenceRecord);
      await intake.abandon();
      expect([...committed.keys()]).toEqual([1]);
      expect(discarded).toHaveLength(1);
      expect(intake.state.durableSequenceNumber).toBe(1);
    });
  });
});
