// Scope enforcement (issue 5, part 2) through the real stack: records outside the order's categories, selectors or
// time range are rejected per record (OUT_OF_SCOPE), stored, audited as over-collection and never reach the vault;
// the rest of the upload goes on. Helpers: test/support/exchange-helpers.ts.
import { createHash, randomUUID } from 'node:crypto';
import { openDataSource } from '#evx/persistence';
import { PROVIDER_EDGE_STORE } from '../../apps/provider-edge/src/persistence/provider-edge.store.js';
import { status, type ServiceError } from '@grpc/grpc-js';
import {
  createServiceClient,
  type EvidenceRecord,
  type GetUploadStateResponse,
  type StreamTaskReportsResponse,
  type Task,
  type TaskReport,
} from '#evx/proto';
import { END, START, TELCO, exchangeHelpers, refusal, ts } from '../support/exchange-helpers.js';
import { sharedTestPki } from '../support/test-pki.js';
import { channelAs, startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(await sharedTestPki());
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const { approvedTask, exchange, upload } = exchangeHelpers(() => stack);

function record(sequence: number, over: Partial<EvidenceRecord> = {}): EvidenceRecord {
  const payload = Buffer.from(JSON.stringify({ sequence, msisdn: '+31612345678' }));
  return {
    sequenceNumber: String(sequence),
    requestType: 'REQUEST_TYPE_SUBSCRIBER_DATA',
    selectorId: 's1',
    recordTime: ts(START + sequence * 60_000),
    contentType: 'application/json',
    payloadSize: String(payload.length),
    payloadSha256: createHash('sha256').update(payload).digest(),
    chunkOffset: '0',
    payload,
    ...over,
  };
}

async function acknowledged(caseReference: string): Promise<Task> {
  const task = await approvedTask(caseReference);
  const { task: after } = await exchange<{ task: Task }>(TELCO, 'acknowledgeTask', {
    taskId: task.taskId,
    generation: task.generation,
    providerReference: '',
  });
  return after;
}

/** Every report on the internal report stream, read as `as` until it has caught up. */
async function reports(as = 'services/authority-api'): Promise<TaskReport[]> {
  const client = createServiceClient(
    'taskDispatch',
    `localhost:${stack.ports.providerEdgeInternal}`,
    channelAs(stack.pki, as),
  );
  try {
    return await new Promise<TaskReport[]>((resolve, reject) => {
      const seen: TaskReport[] = [];
      const call = (
        client as unknown as { streamTaskReports(r: unknown): NodeJS.EventEmitter & { cancel(): void } }
      ).streamTaskReports({ cursor: '' });
      call.on('data', (event: StreamTaskReportsResponse) => {
        if (event.report) seen.push(event.report);
        if (event.heartbeat) {
          call.cancel();
          resolve(seen);
        }
      });
      call.on('error', (error: ServiceError) => (error.code === status.CANCELLED ? undefined : reject(error)));
    });
  } finally {
    client.close();
  }
}

// ---- the tests -----------------------------------------------------------------------------------------------

/** The audit events provider-edge wrote (its outbox), newest last. */
async function auditEvents(): Promise<Array<{ action: string; reason: string; objects: string }>> {
  const ds = await openDataSource(stack.db.settings, PROVIDER_EDGE_STORE);
  try {
    const rows: Array<Record<string, unknown>> = await ds.query('SELECT * FROM provider_edge_audit_outbox');
    return rows.map((row) => {
      const text = JSON.stringify(row);
      return { action: /AUDIT_ACTION_[A-Z_]+/.exec(text)?.[0] ?? '', reason: text, objects: text };
    });
  } finally {
    await ds.destroy();
  }
}

describe('scope enforcement on upload', () => {
  it('rejects records of another category, selector or time, audits the over-collection, and accepts the rest', async () => {
    const task = await acknowledged('PX-scope');
    const uploadId = randomUUID();
    const response = await upload(TELCO, task.taskId, uploadId, [
      record(1),
      record(2, { requestType: 'REQUEST_TYPE_TRAFFIC_DATA' }),
      record(3, { selectorId: 's7' }),
      record(4, { recordTime: ts(END) }),
      record(5, { requestType: 'REQUEST_TYPE_USER_IDENTIFYING_DATA', selectorId: 's2' }),
    ]);
    expect(response.durableSequenceNumber).toBe('5');
    expect(response.recordCount).toBe('2');
    expect(response.rejections.map((r) => [r.sequenceNumber, r.code])).toEqual([
      ['2', 'ERROR_CODE_OUT_OF_SCOPE'],
      ['3', 'ERROR_CODE_OUT_OF_SCOPE'],
      ['4', 'ERROR_CODE_OUT_OF_SCOPE'],
    ]);
    expect(response.rejections[0]!.reason).toMatch(/REQUEST_TYPE_TRAFFIC_DATA is not one of the order's categories/);
    expect(response.rejections[1]!.reason).toMatch(/"s7" is not one of the order's selectors \(s1, s2\)/);
    expect(response.rejections[2]!.reason).toMatch(/2026-11-01T00:00:00.000Z is outside the order's time range/);

    // Durable state in the adapter's numbering, with every rejection.
    const state = await exchange<GetUploadStateResponse>(TELCO, 'getUploadState', { taskId: task.taskId, uploadId });
    expect(state).toMatchObject({ durableSequenceNumber: '5', recordCount: '2' });
    expect(state.rejections.map((r) => r.sequenceNumber)).toEqual(['2', '3', '4']);

    // Resuming after a rejected record: 6 is accepted as the vault's third record; 3 again is ignored.
    const resumed = await upload(TELCO, task.taskId, uploadId, [
      record(3, { selectorId: 's7' }),
      record(4, { recordTime: ts(END) }),
      record(5, { requestType: 'REQUEST_TYPE_USER_IDENTIFYING_DATA', selectorId: 's2' }),
      record(6),
    ]);
    expect(resumed).toMatchObject({ durableSequenceNumber: '6', recordCount: '3', rejections: [] });

    const overCollection = (await auditEvents()).filter(
      (e) => e.action === 'AUDIT_ACTION_RECORD_REJECTED' && e.objects.includes(uploadId),
    );
    expect(overCollection.length).toBeGreaterThanOrEqual(1);
    const text = overCollection.map((e) => e.reason).join(' ');
    expect(text).toMatch(/over-collection/);
    for (const seq of [2, 3, 4]) expect(text).toContain(`${uploadId}/${seq}`);
  }, 60_000);

  it('rejects a record larger than the per-record limit as TOO_LARGE and goes on', async () => {
    const task = await acknowledged('PX-size');
    const response = await upload(TELCO, task.taskId, randomUUID(), [
      record(1, { payloadSize: String(2 * 1024 * 1024 * 1024) }),
      record(2),
    ]);
    expect(response.rejections.map((r) => [r.sequenceNumber, r.code])).toEqual([['1', 'ERROR_CODE_TOO_LARGE']]);
    expect(response).toMatchObject({ durableSequenceNumber: '2', recordCount: '1' });
  }, 60_000);

  it('refuses an upload for a task whose current generation is not acknowledged', async () => {
    const task = await approvedTask('PX-unacked');
    const early = await refusal(upload(TELCO, task.taskId, randomUUID(), [record(1)]));
    expect(early.code).toBe(status.FAILED_PRECONDITION);
    expect(early.details).toMatch(/acknowledge its current generation first/);
  }, 60_000);
});
