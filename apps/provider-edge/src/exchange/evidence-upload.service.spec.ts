import { jest } from '@jest/globals';
import { Subject, lastValueFrom } from 'rxjs';
import type { EvidenceRecord, Task, UploadEvidenceRequest, UploadEvidenceResponse } from '#evx/proto';
import type { AdapterIdentity, TrustStore } from '#evx/pki';
import { UploadEntity, UploadRejectionEntity } from '../persistence/exchange.entities.js';
import { EvidenceUploadService, type UploadLimits } from './evidence-upload.service.js';
import type { RecordSink, VaultPackages } from './vault-packages.js';
import type { TaskChangeRunner } from './task-change.runner.js';
import type { DataSource } from 'typeorm';
import type { AuditTrail } from '#evx/transport';

const TASK_ID = '11111111-1111-4111-8111-111111111111';
const UPLOAD_ID = '22222222-2222-4222-8222-222222222222';
const adapter = { uri: 'evx://provider/telco-a/adapter/main', provider: 'telco-a' } as AdapterIdentity;

const task = {
  taskId: TASK_ID,
  authorisationId: '33333333-3333-4333-8333-333333333333',
  generation: 1,
  providerId: 'telco-a',
  status: 'TASK_STATUS_ACKNOWLEDGED',
  desiredStatus: 'TASK_DESIRED_STATUS_ACTIVE',
  disclosure: { deadline: null, preservationTaskId: '' },
  preservation: null,
  authorisation: {
    requestDetails: {
      requestTypes: ['REQUEST_TYPE_SUBSCRIBER_DATA'],
      selectors: [{ selectorId: 's1', msisdn: '+31612345678' }],
      timeRange: null,
    },
  },
  bundle: { canonicalRequest: Buffer.from('{}'), approvals: [], certificates: [] },
} as unknown as Task;

const record = (sequence: number, over: Partial<EvidenceRecord> = {}): EvidenceRecord => ({
  sequenceNumber: String(sequence),
  requestType: 'REQUEST_TYPE_SUBSCRIBER_DATA',
  selectorId: 's1',
  recordTime: { seconds: '1000', nanos: 0 },
  contentType: 'text/plain',
  payloadSize: '1',
  payloadSha256: Buffer.alloc(0),
  chunkOffset: '0',
  payload: Buffer.from('x'),
  ...over,
});

/** An in-memory vault stream that reports "full" on its second write and counts what it was given. */
class FakeSink implements RecordSink {
  readonly written: number[] = [];
  drain?: () => void;
  failure?: (error: unknown) => void;
  finished = false;
  abandoned = false;
  /** Vault sequence numbers the fake vault rejects. */
  vaultRejects: number[] = [];
  constructor(private readonly log: string[]) {}
  write(request: { record?: EvidenceRecord | null }): boolean {
    if (request.record) {
      this.written.push(Number(request.record.sequenceNumber));
      this.log.push(`vault ${request.record.sequenceNumber}`);
    }
    return this.written.length !== 2;
  }
  onDrain(listener: () => void): void {
    this.drain = listener;
  }
  onFailure(listener: (error: unknown) => void): void {
    this.failure = listener;
  }
  async finish() {
    this.finished = true;
    this.log.push('vault finish');
    const n = this.written.length;
    return {
      packageId: 'p',
      durableSequenceNumber: String(n),
      recordCount: String(n - this.vaultRejects.length),
      chainHead: Buffer.alloc(32),
      merkleRoot: Buffer.alloc(32),
      rejections: this.vaultRejects.map((v) => ({
        sequenceNumber: String(v),
        code: 'ERROR_CODE_INTEGRITY_MISMATCH' as const,
        reason: 'hash differs',
      })),
    };
  }
  abandon(): void {
    this.abandoned = true;
  }
}

function setup(limits: Partial<UploadLimits> = {}, manual = false) {
  const log: string[] = [];
  const uploads: UploadEntity[] = [];
  const rejections: UploadRejectionEntity[] = [];
  const sink = new FakeSink(log);
  const manager = {
    findOneBy: async (entity: unknown, where: Record<string, unknown>) =>
      (entity === UploadEntity ? uploads : rejections).find((row) =>
        Object.entries(where).every(([k, v]) => (row as unknown as Record<string, unknown>)[k] === v),
      ) ?? null,
    insert: async (entity: unknown, row: never) => {
      if (entity === UploadRejectionEntity) log.push(`stored ${(row as UploadRejectionEntity).sequenceNumber}`);
      (entity === UploadEntity ? uploads : rejections).push(row);
    },
    update: async (_entity: unknown, where: Record<string, unknown>, values: Record<string, unknown>) => {
      for (const row of uploads) {
        if (Object.entries(where).every(([k, v]) => (row as unknown as Record<string, unknown>)[k] === v)) {
          Object.assign(row, values);
        }
      }
    },
  };
  const dataSource = {
    getRepository: (entity: unknown) => ({
      findOneBy: (where: Record<string, unknown>) => manager.findOneBy(entity, where),
      find: async () => [...rejections].sort((a, b) => a.sequenceNumber - b.sequenceNumber),
    }),
    transaction: async (work: (m: typeof manager) => Promise<unknown>) => work(manager),
  };
  const audit = { record: jest.fn(async () => undefined), delivered: jest.fn(async () => 0) };
  const packages = {
    begin: async () => ({
      packageId: 'p',
      state: 'PACKAGE_STATE_OPEN',
      durableSequenceNumber: '0',
      recordCount: '0',
      payloadBytes: '0',
    }),
    openRecords: () => sink,
  };
  const tasks = { read: async () => ({ task, acknowledgedGeneration: 1 }) };
  const sut = new EvidenceUploadService(
    tasks as unknown as TaskChangeRunner,
    packages as unknown as VaultPackages,
    dataSource as unknown as DataSource,
    audit as unknown as AuditTrail,
    {} as TrustStore,
    { maxRecordBytes: 1000, maxTaskBytes: 1000, maxRecordsPerTask: 1000, certRecheckMs: 1e9, ...limits },
  );
  const call = { pause: jest.fn(), resume: jest.fn() };
  const messages = new Subject<UploadEvidenceRequest>();
  const upload$ = sut.upload(adapter, Buffer.alloc(0), messages, call);
  const result = manual ? Promise.reject(new Error('manual')) : lastValueFrom(upload$);
  result.catch(() => undefined);
  return { sut, sink, log, audit, call, messages, result, rejections, uploads, upload$ };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('EvidenceUploadService', () => {
  it('rejects an out-of-scope record, stores it before the next record reaches the vault, and renumbers', async () => {
    const { sink, log, audit, messages, result, rejections } = setup();
    messages.next({ header: { taskId: TASK_ID, uploadId: UPLOAD_ID } });
    messages.next({ record: record(1) });
    messages.next({ record: record(2, { selectorId: 's9' }) });
    messages.next({ record: record(3) });
    await settle();
    sink.drain?.();
    messages.complete();
    const response: UploadEvidenceResponse = await result;
    expect(sink.written).toEqual([1, 2]); // adapter 1 and 3 are the vault's 1 and 2
    expect(log).toEqual(['vault 1', 'stored 2', 'vault 2', 'vault finish']);
    expect(rejections.map((r) => [r.sequenceNumber, r.origin, r.code])).toEqual([
      [2, 'edge', 'ERROR_CODE_OUT_OF_SCOPE'],
    ]);
    expect(response).toMatchObject({ durableSequenceNumber: '3', recordCount: '2' });
    expect(response.rejections.map((r) => [r.sequenceNumber, r.code])).toEqual([['2', 'ERROR_CODE_OUT_OF_SCOPE']]);
    expect(response.rejections[0]!.reason).toMatch(/over-collection: selector_id "s9"/);
    const [, facts] = audit.record.mock.calls[0] as unknown as [
      unknown,
      Array<{ action: string; objects: { id: string }[]; reason: string }>,
    ];
    expect(facts[0]!.action).toBe('AUDIT_ACTION_RECORD_REJECTED');
    expect(facts[0]!.objects.map((o) => o.id)).toContain(`${UPLOAD_ID}/2`);
    expect(facts[0]!.reason).toMatch(/^over-collection/);
  });

  it("pauses the adapter's stream while the vault's is full and resumes on drain", async () => {
    const { sink, call, messages, result } = setup();
    messages.next({ header: { taskId: TASK_ID, uploadId: UPLOAD_ID } });
    messages.next({ record: record(1) });
    messages.next({ record: record(2) });
    await settle();
    expect(call.pause).toHaveBeenCalledTimes(1);
    expect(call.resume).not.toHaveBeenCalled();
    sink.drain!();
    expect(call.resume).toHaveBeenCalledTimes(1);
    messages.complete();
    await result;
  });

  it('ends the upload with RESOURCE_EXHAUSTED beyond the per-task record limit, keeping what the vault has', async () => {
    const { sink, messages, result } = setup({ maxRecordsPerTask: 1 });
    messages.next({ header: { taskId: TASK_ID, uploadId: UPLOAD_ID } });
    messages.next({ record: record(1) });
    messages.next({ record: record(2) });
    await expect(result).rejects.toMatchObject({ kind: 'too-large' });
    expect(sink.written).toEqual([1]);
    for (let i = 0; i < 50 && !sink.finished; i++) await settle();
    expect(sink.finished).toBe(true); // half-closed, not cut: what is complete stays durable
    expect(sink.abandoned).toBe(false);
  });

  it('rejects a record larger than the per-record limit and goes on', async () => {
    const { sink, messages, result } = setup({ maxRecordBytes: 10 });
    messages.next({ header: { taskId: TASK_ID, uploadId: UPLOAD_ID } });
    messages.next({ record: record(1, { payloadSize: '11' }) });
    messages.next({ record: record(2) });
    messages.complete();
    const response = await result;
    expect(response.rejections.map((r) => r.code)).toEqual(['ERROR_CODE_TOO_LARGE']);
    expect(sink.written).toEqual([1]);
    expect(response.durableSequenceNumber).toBe('2');
  });

  it('refuses records before the header and a gap in the sequence', async () => {
    const early = setup();
    early.messages.next({ record: record(1) });
    await expect(early.result).rejects.toMatchObject({ kind: 'invalid-argument' });
    const gap = setup();
    gap.messages.next({ header: { taskId: TASK_ID, uploadId: UPLOAD_ID } });
    gap.messages.next({ record: record(1) });
    gap.messages.next({ record: record(3) });
    await expect(gap.result).rejects.toMatchObject({ kind: 'failed-precondition', code: 'SEQUENCE_CONFLICT' });
  });

  it('fails the call at once when the vault stream fails, and stops holding the adapter paused', async () => {
    const { sink, call, messages, result } = setup();
    messages.next({ header: { taskId: TASK_ID, uploadId: UPLOAD_ID } });
    messages.next({ record: record(1) });
    messages.next({ record: record(2) }); // the fake vault is full now: the adapter is paused
    await settle();
    expect(call.pause).toHaveBeenCalledTimes(1);
    sink.failure!(Object.assign(new Error('the vault is unavailable'), { kind: 'unavailable' }));
    await expect(result).rejects.toThrow('the vault is unavailable');
    expect(call.resume).toHaveBeenCalled();
    messages.next({ record: record(3) });
    await settle();
    expect(sink.written).toEqual([1, 2]);
  });

  it('on a cancelled call handles what arrived, then half-closes the vault stream', async () => {
    const { sink, log, messages, upload$ } = setup({}, true);
    const subscription = upload$.subscribe({ error: () => undefined });
    messages.next({ header: { taskId: TASK_ID, uploadId: UPLOAD_ID } });
    messages.next({ record: record(1) });
    messages.next({ record: record(2, { selectorId: 's9' }) });
    // Cancelled before anything was handled (the header is still being checked).
    subscription.unsubscribe();
    for (let i = 0; i < 50 && !sink.finished; i++) await settle();
    expect(sink.written).toEqual([1]);
    expect(sink.abandoned).toBe(false);
    expect(log).toEqual(['vault 1', 'stored 2', 'vault finish']);
  });

  it("stores the vault's rejections of a failed stream in the adapter's numbering", async () => {
    const { sink, messages, result, rejections } = setup({ maxRecordsPerTask: 3 });
    sink.vaultRejects = [2]; // the vault's 2 is the adapter's 3 (the adapter's 2 was rejected here)
    messages.next({ header: { taskId: TASK_ID, uploadId: UPLOAD_ID } });
    messages.next({ record: record(1) });
    messages.next({ record: record(2, { selectorId: 's9' }) });
    messages.next({ record: record(3) });
    messages.next({ record: record(4) });
    messages.next({ record: record(5) });
    await expect(result).rejects.toMatchObject({ kind: 'too-large' });
    for (let i = 0; i < 50 && !rejections.some((r) => r.origin === 'vault'); i++) await settle();
    expect(rejections.map((r) => [r.sequenceNumber, r.origin])).toEqual([
      [2, 'edge'],
      [3, 'vault'],
    ]);
  });

  it('refuses sequence_number 0 or empty instead of treating it as a continuation', async () => {
    for (const sequenceNumber of ['0', '']) {
      const { sink, messages, result } = setup();
      messages.next({ header: { taskId: TASK_ID, uploadId: UPLOAD_ID } });
      messages.next({ record: record(1, { sequenceNumber }) });
      await expect(result).rejects.toMatchObject({
        kind: 'invalid-argument',
        message: expect.stringMatching(/sequence_number must be a whole number from 1/),
      });
      expect(sink.written).toEqual([]);
    }
  });
});
