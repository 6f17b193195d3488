import { createHash } from 'node:crypto';
// The task protocol around the handlers, against an in-memory exchange: verification before any handler, refusal
// with the reason, acknowledgement, upload, signed completion.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { TrustStore } from '#evx/pki';
import type { CompleteTaskRequest, RefuseTaskRequest, Task } from '#evx/proto';
import { sharedTestPki } from '../../../test/support/test-pki.js';
import { devAuthorityTrust } from './adapter.credentials.js';
import { TaskProcessor, type AdapterHandlers, type TaskOutcome } from './adapter.js';
import type { CancelledTask } from './order-task.js';
import { FaultPlan } from './adapter.faults.js';
import type { EvidenceRecordInput } from './evidence-record.js';
import { adapterIdentity } from './origin.signer.js';
import { FakeExchange } from './testing/fake-exchange.js';
import { aSignedTask } from './testing/signed-task.fixture.js';

let pki: string;
let trust: TrustStore;
let task: Task;
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

function recordsOf(count: number): EvidenceRecordInput[] {
  return Array.from({ length: count }, (_, i) => ({
    requestType: 'TRAFFIC_DATA' as const,
    selectorId: 's1',
    recordTime: new Date(Date.UTC(2026, 10, 2, 0, 0, i)),
    contentType: 'application/json',
    payload: JSON.stringify({ call: i }),
  }));
}

function setup(handlers: AdapterHandlers, file = 'telco-a.main') {
  const exchange = new FakeExchange();
  const outcomes: TaskOutcome[] = [];
  const identity = adapterIdentity(
    readFileSync(join(pki, 'actors', `${file}.crt`), 'utf8'),
    readFileSync(join(pki, 'actors', `${file}.key`), 'utf8'),
  );
  const sut = new TaskProcessor(
    {
      address: 'unused:1',
      tls: { serverCaPem: '', certPem: '', keyPem: '' },
      authorityTrust: trust,
      onOutcome: (o) => outcomes.push(o),
    },
    handlers,
    exchange,
    identity,
    new FaultPlan(),
    quiet,
  );
  return { sut, exchange, outcomes, identity };
}

describe('TaskProcessor', () => {
  beforeAll(async () => {
    pki = await sharedTestPki();
    trust = devAuthorityTrust(pki);
    task = await aSignedTask(pki);
  }, 180_000);

  it.each([
    ['unsigned', (t: Task) => void (t.bundle!.requesterSignature = null)],
    [
      'tampered',
      (t: Task) =>
        void (t.bundle!.canonicalRequest = Buffer.from(t.bundle!.canonicalRequest.toString().replace('HN-', 'XX-'))),
    ],
    [
      'altered in its readable copy',
      (t: Task) => void t.authorisation!.requestDetails!.requestTypes.push('REQUEST_TYPE_LOCATION_DATA'),
    ],
  ])('refuses an %s order by itself; the handler never runs and nothing is acknowledged', async (_name, spoil) => {
    const bad = structuredClone(task);
    spoil(bad);
    const onDisclosure = jest.fn(() => recordsOf(1));
    const { sut, exchange, outcomes } = setup({ onDisclosure });
    await sut.onEvent({ cursor: '1', task: bad });
    expect(onDisclosure).not.toHaveBeenCalled();
    expect(exchange.methods()).toEqual(['refuseTask']);
    const refusal = exchange.calls[0]!.request as RefuseTaskRequest;
    expect(refusal).toMatchObject({
      taskId: task.taskId,
      expectedGeneration: 1,
      ground: 'REFUSAL_GROUND_INCOMPLETE_OR_WRONG_ORDER',
    });
    expect(refusal.explanation.length).toBeGreaterThan(10);
    expect(outcomes.map((o) => o.result)).toEqual(['refused']);
  });

  it('acknowledges, uploads the records and completes with a valid origin signature over the chain', async () => {
    const onDisclosure = jest.fn(() => recordsOf(25));
    const { sut, exchange, outcomes, identity } = setup({ onDisclosure });
    await sut.onEvent({ cursor: '1', task });
    expect(onDisclosure).toHaveBeenCalledTimes(1);
    expect(exchange.methods().filter((m) => m !== 'getUploadState')).toEqual(['acknowledgeTask', 'completeTask']);
    const complete = exchange.calls.find((c) => c.method === 'completeTask')!.request as CompleteTaskRequest;
    const upload = exchange.uploads.get(task.taskId)!;
    expect(complete).toMatchObject({
      outcome: 'COMPLETION_OUTCOME_FULFILLED',
      recordCount: '25',
      expectedGeneration: 1,
    });
    expect(Buffer.from(complete.chainHead).equals(Buffer.from(upload.accumulator.chainHead))).toBe(true);
    expect(complete.originSignature!.signerUri).toBe('evx://provider/telco-a/adapter/main');
    expect(outcomes[0]).toMatchObject({ result: 'fulfilled', recordCount: 25 });
    expect(complete.originSignature!.algorithm).toBe('SIGNATURE_ALGORITHM_RSA_PSS_SHA256');
    expect(Buffer.from(complete.originSignature!.certificateSha256).toString('hex')).toBe(
      createHash('sha256').update(identity.signer.certificates[0]!).digest('hex'),
    );
  });

  it("refuses with the handler's grounds when it gives no record", async () => {
    const { sut, exchange, outcomes } = setup({
      onDisclosure: (_task, ctx) => {
        ctx.refuse('NOT_OUR_CUSTOMER', 'no subscriber +31612345678', ['s1']);
        return [];
      },
    });
    await sut.onEvent({ cursor: '1', task });
    const refusal = exchange.calls.find((c) => c.method === 'refuseTask')!.request as RefuseTaskRequest;
    expect(refusal).toMatchObject({ ground: 'REFUSAL_GROUND_NOT_OUR_CUSTOMER', selectorIds: ['s1'] });
    expect(outcomes[0]!.result).toBe('refused');
  });

  it('completes as partially fulfilled when the handler gives records and grounds for the rest', async () => {
    const { sut, exchange } = setup({
      onDisclosure: (_task, ctx) => {
        ctx.refuse('DATA_NOT_HELD', 'no traffic data kept beyond 6 months');
        return recordsOf(3);
      },
    });
    await sut.onEvent({ cursor: '1', task });
    const complete = exchange.calls.find((c) => c.method === 'completeTask')!.request as CompleteTaskRequest;
    expect(complete.outcome).toBe('COMPLETION_OUTCOME_PARTIALLY_FULFILLED');
    expect(complete.unfulfilled).toMatchObject({ ground: 'REFUSAL_GROUND_DATA_NOT_HELD' });
  });

  it('passes a cancellation and its restrict-data notice to onCancel, then acknowledges it', async () => {
    const onCancel = jest.fn((_task: CancelledTask) => undefined);
    const onDisclosure = jest.fn(() => recordsOf(1));
    const { sut, exchange } = setup({ onDisclosure, onCancel });
    const cancelled = {
      ...structuredClone(task),
      generation: 2,
      desiredStatus: 'TASK_DESIRED_STATUS_CANCELLED',
    } as Task;
    const notice = {
      notificationId: 'n1',
      notificationType: 'NOTIFICATION_TYPE_EMERGENCY_VALIDATION_REJECTED',
      taskId: task.taskId,
      authorisationId: task.authorisationId,
      taskGeneration: 2,
      restrictData: true,
      details: 'validation refused',
      notificationTime: null,
    } as const;
    await sut.onEvent({ cursor: '2', notification: notice });
    await sut.onEvent({ cursor: '3', task: cancelled });
    expect(onCancel).toHaveBeenCalledWith(expect.objectContaining({ taskId: task.taskId, notice }));
    expect(onDisclosure).not.toHaveBeenCalled();
    expect(exchange.methods()).toEqual(['acknowledgeTask']);
  });

  it('skips a task delivered again after it was finished', async () => {
    const onDisclosure = jest.fn(() => recordsOf(1));
    const { sut, exchange, outcomes } = setup({ onDisclosure });
    await sut.onEvent({ cursor: '1', task: { ...task, status: 'TASK_STATUS_FULFILLED' } });
    expect(onDisclosure).not.toHaveBeenCalled();
    expect(exchange.calls).toEqual([]);
    expect(outcomes[0]!.result).toBe('skipped');
  });
});
