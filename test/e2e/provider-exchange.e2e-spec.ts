// ProviderExchangeService through the real stack over mutual TLS: an order created and approved by the authority
// reaches telco-a's task stream; the test then acts as the adapter with raw gRPC clients.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { encodeOrigin, parseSignatureEnvelope, pemStatementSigner, signStatement } from '#evx/evidence-package';
import { readIdentityManifest, revokeCertificate } from '#evx/pki';
import {
  createServiceClient,
  type EvidenceRecord,
  type GetUploadStateResponse,
  type StreamTaskReportsResponse,
  type Task,
  type TaskReport,
} from '#evx/proto';
import { BANK, START, TELCO, exchangeHelpers, refusal, ts } from '../support/exchange-helpers.js';
import { privateTestPki } from '../support/test-pki.js';
import { channelAs, keyPairOf, startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;

beforeAll(async () => {
  // A private PKI: the last test revokes telco-a's adapter.
  stack = await startTestStack(await privateTestPki());
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const { approvedTask, edge, exchange, streamTasks, waitForTask, openUpload, upload } = exchangeHelpers(() => stack);

/** CompleteTask with call metadata (the old evx-origin-signed-at fallback). */
function completeWith(request: unknown, metadata: Metadata): Promise<unknown> {
  const client = createServiceClient('providerExchange', edge(), channelAs(stack.pki, TELCO));
  return new Promise<unknown>((resolve, reject) =>
    (
      client as unknown as {
        completeTask(r: unknown, m: Metadata, cb: (e: Error | null, r?: unknown) => void): void;
      }
    ).completeTask(request, metadata, (error, response) => (error ? reject(error) : resolve(response))),
  ).finally(() => client.close());
}

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

describe('ProviderExchangeService', () => {
  let ackTask: Task;

  it('acknowledges a task once: a repeat or an older generation changes nothing, the first reference stays', async () => {
    const task = await approvedTask('PX-ack');
    expect(task.status).toBe('TASK_STATUS_AWAITING_ACKNOWLEDGEMENT');
    const first = await exchange<{ task: Task }>(TELCO, 'acknowledgeTask', {
      taskId: task.taskId,
      generation: task.generation,
      providerReference: 'TICKET-1',
    });
    expect(first.task.status).toBe('TASK_STATUS_ACKNOWLEDGED');
    expect(first.task.providerReference).toBe('TICKET-1');
    const again = await exchange<{ task: Task }>(TELCO, 'acknowledgeTask', {
      taskId: task.taskId,
      generation: task.generation,
      providerReference: 'TICKET-2',
    });
    expect(again.task.providerReference).toBe('TICKET-1');
    expect(again.task.lastChanged).toEqual(first.task.lastChanged);
    const older = await exchange<{ task: Task }>(TELCO, 'acknowledgeTask', {
      taskId: task.taskId,
      generation: task.generation - 1,
      providerReference: 'TICKET-3',
    });
    expect(older.task.providerReference).toBe('TICKET-1');
    const future = await refusal(
      exchange(TELCO, 'acknowledgeTask', { taskId: task.taskId, generation: task.generation + 1 }),
    );
    expect(future.code).toBe(status.INVALID_ARGUMENT);
    // The stream shows the acknowledged task; the report stream has exactly one acknowledgement of it.
    const streamed = await waitForTask(TELCO, (t) => t.taskId === task.taskId);
    expect(streamed.status).toBe('TASK_STATUS_ACKNOWLEDGED');
    const acks = (await reports()).filter((r) => r.taskId === task.taskId);
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({
      authorisationId: task.authorisationId,
      generation: task.generation,
      providerId: 'telco-a',
      adapterUri: 'evx://provider/telco-a/adapter/main',
      acknowledged: { providerReference: 'TICKET-1' },
    });
    ackTask = first.task;
  }, 60_000);

  it('refuses with structured grounds: OTHER needs an explanation, a stale generation is ABORTED', async () => {
    const task = await acknowledged('PX-refuse');
    const noExplanation = await refusal(
      exchange(TELCO, 'refuseTask', {
        taskId: task.taskId,
        expectedGeneration: task.generation,
        ground: 'REFUSAL_GROUND_OTHER',
        explanation: '',
      }),
    );
    expect(noExplanation.code).toBe(status.INVALID_ARGUMENT);
    expect(noExplanation.details).toMatch(/explanation is required/);
    const stale = await refusal(
      exchange(TELCO, 'refuseTask', {
        taskId: task.taskId,
        expectedGeneration: task.generation + 5,
        ground: 'REFUSAL_GROUND_DATA_NOT_HELD',
      }),
    );
    expect(stale.code).toBe(status.ABORTED);
    expect(stale.metadata.get('evx-error-code')).toEqual(['STALE_GENERATION']);
    const unknownSelector = await refusal(
      exchange(TELCO, 'refuseTask', {
        taskId: task.taskId,
        expectedGeneration: task.generation,
        ground: 'REFUSAL_GROUND_NOT_OUR_CUSTOMER',
        selectorIds: ['s9'],
      }),
    );
    expect(unknownSelector.code).toBe(status.INVALID_ARGUMENT);
    const { task: refused } = await exchange<{ task: Task }>(TELCO, 'refuseTask', {
      taskId: task.taskId,
      expectedGeneration: task.generation,
      ground: 'REFUSAL_GROUND_NOT_OUR_CUSTOMER',
      explanation: 'MSISDN ported out in 2025',
      selectorIds: ['s1'],
    });
    expect(refused.status).toBe('TASK_STATUS_REFUSED');
    expect(refused.refusal).toMatchObject({
      ground: 'REFUSAL_GROUND_NOT_OUR_CUSTOMER',
      explanation: 'MSISDN ported out in 2025',
      selectorIds: ['s1'],
      refusedByUri: 'evx://provider/telco-a/adapter/main',
    });
    const twice = await refusal(
      exchange(TELCO, 'refuseTask', {
        taskId: task.taskId,
        expectedGeneration: task.generation,
        ground: 'REFUSAL_GROUND_DATA_NOT_HELD',
      }),
    );
    expect(twice.code).toBe(status.FAILED_PRECONDITION);
    const reported = (await reports()).filter((r) => r.taskId === task.taskId && r.refused);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.refused!.ground).toBe('REFUSAL_GROUND_NOT_OUR_CUSTOMER');
  }, 60_000);

  it('records a question; a second one while it is open is refused', async () => {
    const task = await acknowledged('PX-clarify');
    const { task: asked } = await exchange<{ task: Task }>(TELCO, 'requestClarification', {
      taskId: task.taskId,
      expectedGeneration: task.generation,
      question: 'Is s2 the SIM of the same subscriber as s1?',
      selectorIds: ['s2'],
    });
    expect(asked.status).toBe('TASK_STATUS_CLARIFICATION_REQUESTED');
    expect(asked.clarifications).toHaveLength(1);
    expect(asked.clarifications[0]).toMatchObject({
      question: 'Is s2 the SIM of the same subscriber as s1?',
      selectorIds: ['s2'],
      askedByUri: 'evx://provider/telco-a/adapter/main',
    });
    const again = await refusal(
      exchange(TELCO, 'requestClarification', {
        taskId: task.taskId,
        expectedGeneration: task.generation,
        question: 'And another?',
      }),
    );
    expect(again.code).toBe(status.FAILED_PRECONDITION);
    const empty = await refusal(
      exchange(TELCO, 'requestClarification', {
        taskId: task.taskId,
        expectedGeneration: task.generation,
        question: '',
      }),
    );
    expect(empty.code).toBe(status.INVALID_ARGUMENT);
    const reported = (await reports()).filter((r) => r.taskId === task.taskId && r.clarificationRequested);
    expect(reported.map((r) => r.clarificationRequested!.question)).toEqual([
      'Is s2 the SIM of the same subscriber as s1?',
    ]);
  }, 60_000);

  it("refuses another provider's task everywhere and lists it nowhere", async () => {
    const taskId = ackTask.taskId;
    const calls: Array<[string, unknown]> = [
      ['acknowledgeTask', { taskId, generation: ackTask.generation }],
      ['requestClarification', { taskId, expectedGeneration: ackTask.generation, question: 'Whose is this?' }],
      ['refuseTask', { taskId, expectedGeneration: ackTask.generation, ground: 'REFUSAL_GROUND_DATA_NOT_HELD' }],
      ['getUploadState', { taskId, uploadId: '' }],
      [
        'completeTask',
        {
          taskId,
          uploadId: randomUUID(),
          expectedGeneration: ackTask.generation,
          outcome: 'COMPLETION_OUTCOME_FULFILLED',
          recordCount: '1',
          chainHead: Buffer.alloc(32),
          merkleRoot: Buffer.alloc(32),
          originSignature: { signerUri: 'evx://provider/bank-b/adapter/main', value: Buffer.alloc(8, 1) },
        },
      ],
    ];
    for (const [method, request] of calls) {
      const error = await refusal(exchange(BANK, method, request));
      expect({ method, code: error.code }).toEqual({ method, code: status.PERMISSION_DENIED });
      expect(error.details).toMatch(/not addressed to provider bank-b/);
    }
    const denied = await refusal(upload(BANK, taskId, randomUUID(), [record(1)]));
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    expect(await streamTasks(BANK, (t) => t.taskId === taskId, 2)).toBeUndefined();
    // Nothing changed for telco-a.
    const mine = await exchange<{ task: Task }>(TELCO, 'acknowledgeTask', { taskId, generation: ackTask.generation });
    expect(mine.task.status).toBe('TASK_STATUS_ACKNOWLEDGED');
  }, 60_000);

  it('serves the report stream to authority-api only', async () => {
    const all = await reports();
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(new Set(all.map((r) => r.reportId)).size).toBe(all.length);
    const other = await refusal(reports('services/provider-edge'));
    expect(other.code).toBe(status.PERMISSION_DENIED);
    // An adapter's certificate is not even admitted by the internal port's TLS.
    const adapter = await refusal(reports(TELCO));
    expect(adapter.code).not.toBe(status.OK);
  }, 30_000);
});

describe('evidence upload and completion (needs the vault package RPCs)', () => {
  it('uploads records, reports what is durable, and completes with the origin signature', async () => {
    const task = await acknowledged('PX-upload');
    const uploadId = randomUUID();
    const first = await upload(TELCO, task.taskId, uploadId, [record(1), record(2)]);
    expect(first).toMatchObject({ taskId: task.taskId, uploadId, durableSequenceNumber: '2', recordCount: '2' });
    expect(first.rejections).toEqual([]);
    // Resume: record 2 again (ignored), then 3.
    const second = await upload(TELCO, task.taskId, uploadId, [record(2), record(3)]);
    expect(second).toMatchObject({ durableSequenceNumber: '3', recordCount: '3' });
    const other = await refusal(upload(TELCO, task.taskId, randomUUID(), [record(4)]));
    expect(other.code).toBe(status.FAILED_PRECONDITION);

    const state = await exchange<GetUploadStateResponse>(TELCO, 'getUploadState', {
      taskId: task.taskId,
      uploadId: '',
    });
    expect(state).toMatchObject({ uploadId, durableSequenceNumber: '3', recordCount: '3', completed: false });
    expect(state.chainHead).toHaveLength(32);

    const signedAt = new Date().toISOString();
    const statement = encodeOrigin({
      authorisationId: task.authorisationId,
      requestSha256: createHash('sha256').update(Buffer.from(task.bundle!.canonicalRequest)).digest('hex'),
      taskId: task.taskId,
      uploadId,
      providerId: 'telco-a',
      adapterUri: 'evx://provider/telco-a/adapter/main',
      recordCount: 3,
      chainHead: Buffer.from(state.chainHead).toString('hex'),
      merkleRoot: Buffer.from(state.merkleRoot).toString('hex'),
      signedAt,
    });
    const own = keyPairOf(stack.pki, TELCO);
    const chain = own.certPem + readFileSync(join(stack.pki, 'provider', 'ca.crt'), 'utf8');
    const envelope = parseSignatureEnvelope(
      await signStatement('origin', statement, pemStatementSigner(chain, own.keyPem)),
    );
    const complete = {
      taskId: task.taskId,
      uploadId,
      expectedGeneration: task.generation,
      outcome: 'COMPLETION_OUTCOME_FULFILLED',
      recordCount: '3',
      chainHead: state.chainHead,
      merkleRoot: state.merkleRoot,
      originSignature: {
        signerUri: envelope.signerUri,
        algorithm: 'SIGNATURE_ALGORITHM_RSA_PSS_SHA256',
        value: Buffer.from(envelope.value),
        certificateSha256: Buffer.from(envelope.certificateSha256, 'hex'),
      },
    };
    const wrongCount = await refusal(exchange(TELCO, 'completeTask', { ...complete, recordCount: '2' }));
    expect(wrongCount.code).toBe(status.DATA_LOSS);
    const stale = await refusal(
      exchange(TELCO, 'completeTask', { ...complete, expectedGeneration: task.generation + 1 }),
    );
    expect(stale.code).toBe(status.ABORTED);

    // Without origin_signed_at the completion cannot be checked: refused before the vault is asked.
    const undated = await refusal(exchange(TELCO, 'completeTask', complete));
    expect([undated.code, undated.details]).toEqual([
      status.INVALID_ARGUMENT,
      expect.stringMatching(/origin_signed_at/),
    ]);
    // A wrong origin_signed_at (the field wins over the old metadata): the signature does not verify.
    const metadata = new Metadata();
    metadata.set('evx-origin-signed-at', signedAt);
    const misdated = await refusal(
      completeWith({ ...complete, originSignedAt: ts(Date.parse(signedAt) - 1000) }, metadata),
    );
    expect(misdated.code).toBe(status.INVALID_ARGUMENT);
    expect(misdated.metadata.get('evx-error-code')).toEqual(['SIGNATURE_INVALID']);
    // Two completions at once: one package, one TASK_COMPLETED report, the same answer twice.
    const [done, twin] = await Promise.all([
      exchange<{ task: Task; evidencePackage: { state: string; recordCount: string; packageId: string } }>(
        TELCO,
        'completeTask',
        { ...complete, originSignedAt: ts(Date.parse(signedAt)) },
      ),
      exchange<{ task: Task; evidencePackage: { packageId: string } }>(TELCO, 'completeTask', {
        ...complete,
        originSignedAt: ts(Date.parse(signedAt)),
      }),
    ]);
    expect(twin.evidencePackage.packageId).toBe(done.evidencePackage.packageId);
    expect(done.task.status).toBe('TASK_STATUS_FULFILLED');
    expect(done.evidencePackage).toMatchObject({ state: 'PACKAGE_STATE_COMPLETE', recordCount: '3' });
    const after = await exchange<GetUploadStateResponse>(TELCO, 'getUploadState', { taskId: task.taskId, uploadId });
    expect(after.completed).toBe(true);
    const more = await refusal(upload(TELCO, task.taskId, uploadId, [record(4)]));
    expect(more.code).toBe(status.FAILED_PRECONDITION);
    const completed = (await reports()).filter((r) => r.taskId === task.taskId && r.completed);
    expect(completed).toHaveLength(1);
    expect(completed[0]!.completed!.outcome).toBe('COMPLETION_OUTCOME_FULFILLED');
  }, 90_000);

  it('cuts a revoked adapter off in the middle of an upload', async () => {
    const task = await acknowledged('PX-revoked');
    const open = openUpload(TELCO, task.taskId, randomUUID());
    open.write({ record: record(1) });
    // The upload is live: the header was accepted (an early refusal would settle the call).
    const settled = await Promise.race([
      open.result.then(
        () => 'ended',
        () => 'failed',
      ),
      new Promise((r) => setTimeout(() => r('open'), 1000)),
    ]);
    expect(settled).toBe('open');
    const entry = readIdentityManifest(stack.pki).identities.find((i) => i.name === TELCO);
    await revokeCertificate(stack.pki, 'provider', entry!.serial);
    const error = await refusal(open.result);
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(error.details).toMatch(/revoked/);
  }, 60_000);
});
