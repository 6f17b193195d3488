// What adapters do with their tasks reaches the orders: authority-api follows provider-edge's report stream
// (TaskDispatchService.StreamTaskReports) and applies each report through the workflow, idempotently, with audit
// events and the watch feed in the same transaction, and the stream's cursor too.
// 1. the applier and the consumer against real orders in the real database, with reports we make up (a fake
//    source), so every mapping, repeat, refusal, reconnect and resume is pinned down;
// 2. the whole path with the adapter's raw gRPC calls to provider-edge, when provider-edge serves them.
import { randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { status as GrpcStatus, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { signApprovalValue, signRequestValue } from '#evx/authorisation';
import { createServiceClient, type StreamTaskReportsResponse, type TaskReport } from '#evx/proto';
import type { ApproverRole } from '#evx/workflow';
import { TaskReportApplier } from '../../apps/authority-api/src/reports/task-report.applier.js';
import {
  TaskReportConsumer,
  type ReportSource,
  type ReportStream,
} from '../../apps/authority-api/src/reports/task-report.consumer.js';
import { TaskDispatcher, taskIdOf } from '../../apps/authority-api/src/requests/task-dispatcher.service.js';
import { sharedTestPki } from '../support/test-pki.js';
import { callUnary, channelAs, keyPairOf, serverCa, startTestStack, type TestStack } from '../support/test-stack.js';

interface Order {
  authorisationId: string;
  generation: number;
  status: string;
  desiredStatus: string;
  statusReason: string;
  packageId: string;
  refusal: { ground: string; explanation: string; selectorIds: string[] } | null;
  clarifications: Array<{ clarificationId: string; question: string }>;
  bundle: { canonicalRequest: Buffer };
}

let stack: TestStack;
let applier: TaskReportApplier;
let dataSource: DataSource;

beforeAll(async () => {
  stack = await startTestStack(await sharedTestPki());
  applier = stack.authorityApi.app!.get(TaskReportApplier);
  dataSource = stack.authorityApi.app!.get<DataSource>(getDataSourceToken());
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const key = (file: string) => {
  const pair = keyPairOf(stack.pki, file);
  return { certificatePem: pair.certPem, privateKeyPem: pair.keyPem };
};

const ts = (d: Date) => ({ seconds: String(Math.floor(d.getTime() / 1000)), nanos: (d.getTime() % 1000) * 1e6 });

async function call(as: string, method: string, request: unknown): Promise<Order> {
  const address = `localhost:${stack.ports.authorityGrpc}`;
  return (await callUnary<{ authorisation: Order }>('authority', address, method, request, channelAs(stack.pki, as)))
    .authorisation;
}

const get = (id: string) => call('police-hn.inv-1', 'getRequest', { authorisationId: id });

async function approve(order: Order, as: string, role: ApproverRole): Promise<Order> {
  const decidedAt = new Date();
  const [agency, id] = as.split('.') as [string, string];
  const value = await signApprovalValue(
    order.bundle.canonicalRequest,
    {
      approverUri: `evx://authority/${agency}/approver/${id}`,
      role,
      kind: 'STANDARD',
      decision: 'APPROVED',
      reason: '',
      decidedAt,
    },
    key(as),
  );
  return call(as, 'approveRequest', {
    authorisationId: order.authorisationId,
    expectedGeneration: order.generation,
    role: `APPROVER_ROLE_${role}`,
    decidedAt: ts(decidedAt),
    signature: { value },
  });
}

/** A subscriber-data order to telco-a (or a preservation order), signed, approved and dispatched. */
async function dispatchedOrder(options: { preservation?: boolean; provider?: string } = {}): Promise<Order> {
  const draft = await call('police-hn.inv-1', 'createRequest', {
    idempotencyKey: randomUUID(),
    details: {
      caseReference: `HN-reports-${randomUUID().slice(0, 8)}`,
      legalBasis: { law: 'Code of Criminal Procedure', article: '126na(1)', orderDocumentSha256: Buffer.alloc(32, 7) },
      typeOfCase: 'TYPE_OF_CASE_CYBERCRIME',
      urgency: 'URGENCY_STANDARD',
      targetProviderId: options.provider ?? 'telco-a',
      requestDetails: {
        requestTypes: ['REQUEST_TYPE_SUBSCRIBER_DATA'],
        selectors: [
          { selectorId: 's1', msisdn: '+31612345678' },
          { selectorId: 's2', msisdn: '+31687654321' },
        ],
      },
      confidential: true,
      preservationOnly: options.preservation ?? false,
    },
  });
  const value = await signRequestValue(draft.bundle.canonicalRequest, key('police-hn.inv-1'));
  const submitted = await call('police-hn.inv-1', 'submitRequest', {
    authorisationId: draft.authorisationId,
    expectedGeneration: draft.generation,
    requesterSignature: { value },
  });
  let order = await approve(submitted, 'police-hn.sup-1', 'SUPERVISOR');
  if (order.status === 'REQUEST_STATUS_AWAITING_APPROVAL') order = await approve(order, 'police-hn.judge-1', 'JUDGE');
  expect(order.status).toBe('REQUEST_STATUS_DISPATCHED');
  return order;
}

/** A report as provider-edge would send it. */
function report(order: Order, body: object, overrides: Partial<TaskReport> = {}): TaskReport {
  return {
    reportId: randomUUID(),
    taskId: taskIdOf(order.authorisationId),
    authorisationId: order.authorisationId,
    generation: order.generation,
    providerId: 'telco-a',
    adapterUri: 'evx://provider/telco-a/adapter/main',
    reportedAt: ts(new Date()),
    ...body,
    ...overrides,
  } as TaskReport;
}

const acknowledged = { acknowledged: { providerReference: 'TICKET-1' } };

function completed(order: Order, outcome: string, packageId = randomUUID(), state = 'PACKAGE_STATE_COMPLETE') {
  return {
    completed: {
      outcome,
      unfulfilled:
        outcome === 'COMPLETION_OUTCOME_PARTIALLY_FULFILLED'
          ? { ground: 'REFUSAL_GROUND_NOT_OUR_CUSTOMER', explanation: '', selectorIds: ['s2'] }
          : null,
      evidencePackage: {
        packageId,
        authorisationId: order.authorisationId,
        taskId: taskIdOf(order.authorisationId),
        state,
        recordCount: '42',
        payloadBytes: '4096',
        logIndex: '17',
      },
    },
  } as unknown as Partial<TaskReport>;
}

interface AuditRow {
  action: string;
  actorUri: string;
  objects: Array<{ type: string; id: string }>;
  oldState: string;
  newState: string;
  reason: string;
}

/** authority-api's audit events about one order, from its outbox (written in the change's transaction). */
async function auditOf(id: string): Promise<AuditRow[]> {
  const rows = await dataSource.query(`SELECT event FROM authority_api_audit_outbox ORDER BY created_at`);
  return (rows as Array<{ event: string }>)
    .map((r) => JSON.parse(r.event) as AuditRow)
    .filter((e) => e.objects.some((o) => o.id === id));
}

async function changesOf(id: string): Promise<Array<{ new_status: string; generation: number }>> {
  const rows = (await dataSource.query(
    `SELECT new_status, generation FROM authority_request_change WHERE authorisation_id = '${id}' ORDER BY seq`,
  )) as Array<{ new_status: string; generation: number | string }>;
  return rows.map((r) => ({ new_status: r.new_status, generation: Number(r.generation) }));
}

async function packageColumns(id: string) {
  const [row] = (await dataSource.query(
    `SELECT package_id, package_state, package_log_index, package_record_count, package_payload_bytes FROM authority_request WHERE id = '${id}'`,
  )) as Array<Record<string, string | number | null>>;
  return row!;
}

describe('applying reports (made-up reports, real orders and database)', () => {
  it('acknowledged → ACKNOWLEDGED with its audit event and watch row; the same report again changes nothing', async () => {
    const order = await dispatchedOrder();
    const ack = report(order, acknowledged);
    const first = await applier.apply(ack, 'c-1', 'test-a');
    expect(first.outcome).toBe('applied');
    const after = await get(order.authorisationId);
    expect(after.status).toBe('REQUEST_STATUS_ACKNOWLEDGED');
    expect(after.generation).toBe(order.generation + 1);
    expect(await applier.cursor('test-a')).toBe('c-1');

    const audit = await auditOf(order.authorisationId);
    const acked = audit.filter((e) => e.action === 'AUDIT_ACTION_TASK_ACKNOWLEDGED');
    expect(acked).toHaveLength(1);
    expect(acked[0]).toMatchObject({
      actorUri: 'evx://provider/telco-a/adapter/main',
      oldState: 'DISPATCHED',
      newState: 'ACKNOWLEDGED',
    });
    expect(acked[0]!.objects).toContainEqual({ type: 'OBJECT_TYPE_TASK', id: taskIdOf(order.authorisationId) });
    expect((await changesOf(order.authorisationId)).at(-1)).toEqual({
      new_status: 'REQUEST_STATUS_ACKNOWLEDGED',
      generation: after.generation,
    });

    // Delivered again (at least once): nothing moves, no second audit event, the cursor still advances.
    const again = await applier.apply(ack, 'c-2', 'test-a');
    expect(again.outcome).toBe('duplicate');
    expect((await get(order.authorisationId)).generation).toBe(after.generation);
    expect(
      (await auditOf(order.authorisationId)).filter((e) => e.action === 'AUDIT_ACTION_TASK_ACKNOWLEDGED'),
    ).toHaveLength(1);
    expect(await applier.cursor('test-a')).toBe('c-2');
  });

  it('completed (fulfilled) → FULFILLED then DELIVERED, with the package reference on the order', async () => {
    const order = await dispatchedOrder();
    await applier.apply(report(order, acknowledged), 'c-3', 'test-a');
    const packageId = randomUUID();
    const done = await applier.apply(
      report(order, completed(order, 'COMPLETION_OUTCOME_FULFILLED', packageId)),
      'c-4',
      'test-a',
    );
    expect(done.outcome).toBe('applied');
    const after = await get(order.authorisationId);
    expect(after.status).toBe('REQUEST_STATUS_DELIVERED');
    expect(after.packageId).toBe(packageId);
    expect((await changesOf(order.authorisationId)).map((c) => c.new_status).slice(-2)).toEqual([
      'REQUEST_STATUS_FULFILLED',
      'REQUEST_STATUS_DELIVERED',
    ]);
    const columns = await packageColumns(order.authorisationId);
    expect(columns.package_id).toBe(packageId);
    expect(columns.package_state).toBe('PACKAGE_STATE_COMPLETE');
    expect(Number(columns.package_log_index)).toBe(17);
    expect(Number(columns.package_record_count)).toBe(42);
    expect(Number(columns.package_payload_bytes)).toBe(4096);
    const actions = (await auditOf(order.authorisationId)).map((e) => e.action);
    expect(actions).toContain('AUDIT_ACTION_TASK_COMPLETED');
    expect(actions).toContain('AUDIT_ACTION_PACKAGE_COMPLETED');
  });

  it('a completion without an acknowledgement before it acknowledges too; partial fulfilment keeps the grounds', async () => {
    const order = await dispatchedOrder();
    await applier.apply(report(order, completed(order, 'COMPLETION_OUTCOME_PARTIALLY_FULFILLED')), 'c-5', 'test-a');
    const after = await get(order.authorisationId);
    expect(after.status).toBe('REQUEST_STATUS_DELIVERED');
    expect(after.refusal).toMatchObject({ ground: 'REFUSAL_GROUND_NOT_OUR_CUSTOMER', selectorIds: ['s2'] });
    expect((await changesOf(order.authorisationId)).map((c) => c.new_status).slice(-3)).toEqual([
      'REQUEST_STATUS_ACKNOWLEDGED',
      'REQUEST_STATUS_PARTIALLY_FULFILLED',
      'REQUEST_STATUS_DELIVERED',
    ]);
  });

  it('refused with structured grounds → REFUSED; a question → CLARIFICATION_REQUESTED', async () => {
    const refusedOrder = await dispatchedOrder();
    await applier.apply(
      report(refusedOrder, {
        refused: { ground: 'REFUSAL_GROUND_OTHER', explanation: 'court order pending', selectorIds: [] },
      }),
      'c-6',
      'test-a',
    );
    const refused = await get(refusedOrder.authorisationId);
    expect(refused.status).toBe('REQUEST_STATUS_REFUSED');
    expect(refused.refusal).toMatchObject({ ground: 'REFUSAL_GROUND_OTHER', explanation: 'court order pending' });
    expect((await auditOf(refusedOrder.authorisationId)).map((e) => e.action)).toContain('AUDIT_ACTION_TASK_REFUSED');

    const asked = await dispatchedOrder();
    await applier.apply(report(asked, acknowledged), 'c-7', 'test-a');
    await applier.apply(
      report(asked, {
        clarificationRequested: { clarificationId: 'q-1', question: 'Which SIM of s1?', selectorIds: ['s1'] },
      }),
      'c-8',
      'test-a',
    );
    const clarify = await get(asked.authorisationId);
    expect(clarify.status).toBe('REQUEST_STATUS_CLARIFICATION_REQUESTED');
    expect(clarify.clarifications.map((c) => c.question)).toEqual(['Which SIM of s1?']);
  });

  it('a preservation order acknowledged is PRESERVED; a withdrawn one acknowledged is WITHDRAWN', async () => {
    const preservation = await dispatchedOrder({ preservation: true });
    await applier.apply(report(preservation, acknowledged), 'c-9', 'test-a');
    expect((await get(preservation.authorisationId)).status).toBe('REQUEST_STATUS_PRESERVED');

    const order = await dispatchedOrder();
    const withdrawing = await call('police-hn.inv-1', 'withdrawRequest', {
      authorisationId: order.authorisationId,
      expectedGeneration: order.generation,
      reason: 'suspect identified otherwise',
    });
    expect(withdrawing.desiredStatus).toBe('REQUEST_DESIRED_STATUS_WITHDRAWN');
    // An acknowledgement of the generation before the withdrawal, still on its way, does not confirm it.
    await applier.apply(report(order, acknowledged), 'c-10a', 'test-a');
    const stillWithdrawing = await get(order.authorisationId);
    expect(stillWithdrawing.status).not.toBe('REQUEST_STATUS_WITHDRAWN');
    expect(stillWithdrawing.desiredStatus).toBe('REQUEST_DESIRED_STATUS_WITHDRAWN');
    await applier.apply(report(withdrawing, acknowledged), 'c-10', 'test-a');
    expect((await get(order.authorisationId)).status).toBe('REQUEST_STATUS_WITHDRAWN');
  });

  it('a report the workflow refuses is recorded and audited, changes nothing, and does not stop the stream', async () => {
    const order = await dispatchedOrder();
    // Another provider's adapter claims the task.
    const foreign = await applier.apply(
      report(order, acknowledged, { providerId: 'bank-b', adapterUri: 'evx://provider/bank-b/adapter/main' }),
      'c-11',
      'test-a',
    );
    expect(foreign.outcome).toBe('ignored');
    expect(foreign.detail).toMatch(/telco-a/);
    // Fulfilled before it was even acknowledged is fine (implied), but refused after delivery is not.
    await applier.apply(report(order, completed(order, 'COMPLETION_OUTCOME_FULFILLED')), 'c-12', 'test-a');
    const delivered = await get(order.authorisationId);
    const late = await applier.apply(
      report(order, {
        refused: { ground: 'REFUSAL_GROUND_DATA_NOT_HELD', explanation: '', selectorIds: [] },
      }),
      'c-13',
      'test-a',
    );
    expect(late.outcome).toBe('ignored');
    expect(late.detail).toMatch(/DELIVERED/);
    expect((await get(order.authorisationId)).generation).toBe(delivered.generation);
    expect(await applier.cursor('test-a')).toBe('c-13');
    const refusedAudit = (await auditOf(order.authorisationId)).filter((e) => e.action === 'AUDIT_ACTION_TASK_REFUSED');
    expect(refusedAudit).toHaveLength(1);
    expect(refusedAudit[0]!.reason).toMatch(/not applied/);
    expect(refusedAudit[0]!.newState).toBe('DELIVERED');

    // An order that does not exist: recorded, cursor advanced.
    const ghost = await applier.apply(
      report({ ...order, authorisationId: randomUUID() }, acknowledged),
      'c-14',
      'test-a',
    );
    expect(ghost.outcome).toBe('ignored');
    expect(await applier.cursor('test-a')).toBe('c-14');
  });

  it('WatchRequests subscribers see what the reports changed', async () => {
    const order = await dispatchedOrder();
    const client = createServiceClient(
      'authority',
      `localhost:${stack.ports.authorityGrpc}`,
      channelAs(stack.pki, 'police-hn.inv-1'),
    );
    const seen: string[] = [];
    const stream = (
      client as unknown as {
        watchRequests(
          r: unknown,
        ): ClientReadableStream<{ change: { newStatus: string } | null; heartbeat: object | null }>;
      }
    ).watchRequests({
      cursor: '',
      authorisationIds: [order.authorisationId],
      statuses: [],
    });
    try {
      let caughtUp!: () => void;
      const ready = new Promise<void>((r) => (caughtUp = r));
      let delivered!: () => void;
      const done = new Promise<void>((r) => (delivered = r));
      stream.on('data', (event) => {
        if (event.heartbeat) caughtUp();
        if (event.change) {
          seen.push(event.change.newStatus);
          if (event.change.newStatus === 'REQUEST_STATUS_DELIVERED') delivered();
        }
      });
      stream.on('error', () => undefined);
      await ready;
      await applier.apply(report(order, acknowledged), 'c-15', 'test-a');
      await applier.apply(report(order, completed(order, 'COMPLETION_OUTCOME_FULFILLED')), 'c-16', 'test-a');
      await done;
      expect(seen).toEqual(['REQUEST_STATUS_ACKNOWLEDGED', 'REQUEST_STATUS_FULFILLED', 'REQUEST_STATUS_DELIVERED']);
    } finally {
      stream.cancel();
      client.close();
    }
  });
});

/** GET without a client certificate (the OpenAPI document needs none). */
function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca: serverCa(stack.pki), agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
}

interface SseEvent {
  event: string;
  id?: string;
  data: Record<string, unknown>;
}

/** GET /v1/requests/watch as Server-Sent Events; `events` fills as they arrive, `close` ends the request. */
function sseWatch(query: string, headers: Record<string, string> = {}) {
  const pair = keyPairOf(stack.pki, 'police-hn.inv-1');
  const events: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  let status = 0;
  let body = '';
  const req = httpsRequest(`https://localhost:${stack.ports.authorityHttps}/v1/requests/watch${query}`, {
    ca: serverCa(stack.pki),
    cert: pair.certPem,
    key: pair.keyPem,
    agent: false,
    headers,
  });
  const opened = new Promise<void>((resolve, reject) => {
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        body += chunk;
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = { event: 'message', data: {} };
          for (const line of block.split('\n')) {
            const [field, ...rest] = line.split(':');
            const value = rest.join(':').replace(/^ /, '');
            if (field === 'event') event.event = value;
            else if (field === 'id') event.id = value;
            else if (field === 'data') event.data = JSON.parse(value) as Record<string, unknown>;
          }
          events.push(event);
          waiters.splice(0).forEach((w) => w());
        }
      });
      res.on('end', () => waiters.splice(0).forEach((w) => w()));
      resolve();
    });
    req.on('error', reject);
  });
  req.end();
  const until = async (done: () => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out; events so far: ${JSON.stringify(events)} ${body}`);
      await Promise.race([new Promise<void>((r) => waiters.push(r)), new Promise((r) => setTimeout(r, 200))]);
    }
  };
  return { events, opened, until, status: () => status, body: () => body, close: () => req.destroy() };
}

describe('REST watch (Server-Sent Events)', () => {
  it('streams the changes reports make, with cursors as event ids, and resumes after Last-Event-ID', async () => {
    const order = await dispatchedOrder();
    const watch = sseWatch(`?id=${order.authorisationId}`);
    try {
      await watch.opened;
      expect(watch.status()).toBe(200);
      await watch.until(() => watch.events.some((e) => e.event === 'heartbeat'));
      await applier.apply(report(order, acknowledged), 'sse-1', 'test-sse');
      await applier.apply(report(order, completed(order, 'COMPLETION_OUTCOME_FULFILLED')), 'sse-2', 'test-sse');
      await watch.until(() => watch.events.some((e) => e.data.newStatus === 'REQUEST_STATUS_DELIVERED'));
    } finally {
      watch.close();
    }
    const changes = watch.events.filter((e) => e.event === 'change');
    expect(changes.map((e) => e.data.newStatus)).toEqual([
      'REQUEST_STATUS_ACKNOWLEDGED',
      'REQUEST_STATUS_FULFILLED',
      'REQUEST_STATUS_DELIVERED',
    ]);
    expect(changes.every((e) => e.id === e.data.cursor && /^\d+$/.test(e.id ?? ''))).toBe(true);

    // Reconnecting with the first change's id as Last-Event-ID replays exactly what followed it.
    const resumed = sseWatch(`?id=${order.authorisationId}&status=FULFILLED,DELIVERED`, {
      'last-event-id': changes[0]!.id!,
    });
    try {
      await resumed.opened;
      await resumed.until(() => resumed.events.some((e) => e.event === 'heartbeat'));
    } finally {
      resumed.close();
    }
    expect(resumed.events.filter((e) => e.event === 'change').map((e) => e.data.newStatus)).toEqual([
      'REQUEST_STATUS_FULFILLED',
      'REQUEST_STATUS_DELIVERED',
    ]);
  });

  it('OpenAPI describes the watch stream and the package download', async () => {
    const res = await fetchText(`https://localhost:${stack.ports.authorityHttps}/docs/openapi.json`);
    const doc = JSON.parse(res) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(doc.paths['/v1/requests/watch']?.get).toBeDefined();
    const download = doc.paths['/v1/requests/{id}/package']?.get;
    expect(Object.keys(download?.responses ?? {})).toEqual(expect.arrayContaining(['200', '206', '404', '409', '416']));
  });

  it('an unknown cursor is refused before the stream starts (400 CURSOR_EXPIRED); another agency is 403', async () => {
    const bad = sseWatch('?cursor=999999999');
    await bad.opened;
    await bad.until(() => bad.body().length > 0);
    bad.close();
    expect(bad.status()).toBe(400);
    expect(bad.body()).toMatch(/CURSOR_EXPIRED/);

    const other = sseWatch('?agency=police-dn');
    await other.opened;
    await other.until(() => other.body().length > 0);
    other.close();
    expect(other.status()).toBe(403);
  });
});

/** A report source we control: a list of events, served after the cursor asked for, then heartbeats. */
class FakeSource implements ReportSource {
  opened: string[] = [];
  failures = 0;
  constructor(readonly events: StreamTaskReportsResponse[]) {}

  open(cursor: string): ReportStream {
    this.opened.push(cursor);
    if (this.failures > 0) {
      this.failures--;
      const error = Object.assign(new Error('14 UNAVAILABLE: connect ECONNREFUSED'), {
        code: GrpcStatus.UNAVAILABLE,
        details: 'connect ECONNREFUSED',
      }) as ServiceError;
      return { cancel: () => undefined, [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) };
    }
    const start = cursor === '' ? 0 : this.events.findIndex((e) => e.cursor === cursor) + 1;
    if (cursor !== '' && start === 0) {
      const error = Object.assign(new Error('11 OUT_OF_RANGE'), {
        code: GrpcStatus.OUT_OF_RANGE,
        details: 'unknown cursor',
      });
      return { cancel: () => undefined, [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) };
    }
    const pending = this.events.slice(start);
    let cancelled = false;
    let heartbeatSent = false;
    let release: (() => void) | undefined;
    return {
      cancel: () => {
        cancelled = true;
        release?.();
      },
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<StreamTaskReportsResponse>> => {
          if (cancelled) return { done: true, value: undefined };
          const event = pending.shift();
          if (event) return { done: false, value: event };
          if (!heartbeatSent) {
            heartbeatSent = true;
            return { done: false, value: { cursor: '', heartbeat: { serverTime: null } } as StreamTaskReportsResponse };
          }
          // Caught up: the stream stays open until the consumer cancels it.
          await new Promise<void>((r) => (release = r));
          return { done: true, value: undefined };
        },
      }),
    };
  }
}

describe('the consumer (made-up stream)', () => {
  it('applies the stream in order, stores the cursor, survives an outage, and resumes after its cursor', async () => {
    const order = await dispatchedOrder();
    const ack = report(order, acknowledged);
    const done = report(order, completed(order, 'COMPLETION_OUTCOME_FULFILLED'));
    const source = new FakeSource([
      { cursor: 'f-1', report: ack },
      { cursor: 'f-2', report: ack }, // the same report repeated (at least once)
      { cursor: 'f-3', report: done },
    ] as StreamTaskReportsResponse[]);
    source.failures = 2; // provider-edge down for the first two attempts
    const consumer = new TaskReportConsumer(applier, stack.authorityApi.app!.get(TaskDispatcher), source, {
      enabled: false,
      minBackoffMs: 20,
      maxBackoffMs: 50,
      source: 'fake',
    });
    try {
      const caughtUp = consumer.whenCaughtUp();
      consumer.start();
      await caughtUp;
      expect(source.opened).toEqual(['', '', '']);
      expect(consumer.processed).toBe(2);
      expect((await get(order.authorisationId)).status).toBe('REQUEST_STATUS_DELIVERED');
      expect(await applier.cursor('fake')).toBe('f-3');

      // Restarted: it asks for what follows its cursor, so nothing is applied twice.
      await consumer.stop();
      const again = consumer.whenCaughtUp();
      consumer.start();
      await again;
      expect(source.opened.at(-1)).toBe('f-3');
      expect(consumer.processed).toBe(2);

      // A cursor the source no longer knows: start over from the first report; every one is a duplicate.
      await consumer.stop();
      source.events.splice(0, source.events.length, ...source.events.map((e) => ({ ...e, cursor: `g${e.cursor}` })));
      const replay = consumer.whenCaughtUp();
      consumer.start();
      await replay;
      expect(source.opened.slice(-2)).toEqual(['f-3', '']);
      expect(consumer.processed).toBe(2);
      expect(await applier.cursor('fake')).toBe('gf-3');
      expect((await get(order.authorisationId)).status).toBe('REQUEST_STATUS_DELIVERED');
    } finally {
      await consumer.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The real path: the adapter's own calls to provider-edge, the report stream, the order moving.

type AdapterCall = (request: unknown, callback: (error: ServiceError | null, response?: unknown) => void) => void;

async function adapterCall<T>(method: string, request: unknown, as = 'telco-a.main'): Promise<T> {
  const client = createServiceClient(
    'providerExchange',
    `localhost:${stack.ports.providerEdge}`,
    channelAs(stack.pki, as),
  );
  try {
    return await new Promise<T>((resolve, reject) =>
      (client as unknown as Record<string, AdapterCall>)[method]!.call(client, request, (e, r) =>
        e ? reject(e) : resolve(r as T),
      ),
    );
  } finally {
    client.close();
  }
}

async function waitForStatus(id: string, status: string, timeoutMs = 20_000): Promise<Order> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const order = await get(id);
    if (order.status === status) return order;
    if (Date.now() > deadline) throw new Error(`order ${id} is ${order.status}, not ${status}, after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface StreamedTask {
  taskId: string;
  authorisationId: string;
  generation: number;
  status: string;
  clarifications: Array<{ clarificationId: string; question: string; answer: string }>;
  preservation: { preservationExpiration: { seconds: string } | null } | null;
}

/** The adapter's view: the task on its stream (read with a fresh cursor until one matches `until`). */
async function taskOnStream(id: string, until: (task: StreamedTask) => boolean = () => true): Promise<StreamedTask> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const task = await readTask(id);
    if (task && until(task)) return task;
    if (Date.now() > deadline) throw new Error(`order ${id}: no matching task on telco-a's stream`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One read of the stream from the start until it catches up: the task's current generation, if there is one. */
async function readTask(id: string): Promise<StreamedTask | undefined> {
  const client = createServiceClient(
    'providerExchange',
    `localhost:${stack.ports.providerEdge}`,
    channelAs(stack.pki, 'telco-a.main'),
  );
  const stream = (
    client as unknown as {
      streamTasks(r: unknown): ClientReadableStream<{ task: StreamedTask | null; heartbeat: object | null }>;
    }
  ).streamTasks({ cursor: '' });
  try {
    return await new Promise((resolve, reject) => {
      let found: StreamedTask | undefined;
      stream.on('data', (event) => {
        if (event.task?.authorisationId === id) found = event.task;
        if (event.heartbeat) resolve(found);
      });
      stream.on('error', reject);
    });
  } finally {
    stream.cancel();
    client.close();
  }
}

describe('through provider-edge (the adapter’s raw gRPC calls)', () => {
  it('AcknowledgeTask moves the order to ACKNOWLEDGED once; acknowledging again changes nothing', async () => {
    const consumer = stack.authorityApi.app!.get(TaskReportConsumer);
    const order = await dispatchedOrder();
    const task = await taskOnStream(order.authorisationId);
    expect(task.taskId).toBe(taskIdOf(order.authorisationId));
    await adapterCall('acknowledgeTask', {
      taskId: task.taskId,
      generation: task.generation,
      providerReference: 'T-9',
    });
    const acked = await waitForStatus(order.authorisationId, 'REQUEST_STATUS_ACKNOWLEDGED');

    await adapterCall('acknowledgeTask', {
      taskId: task.taskId,
      generation: task.generation,
      providerReference: 'T-9',
    });
    await consumer.whenCaughtUp();
    await consumer.whenCaughtUp();
    expect((await get(order.authorisationId)).generation).toBe(acked.generation);
    expect(
      (await auditOf(order.authorisationId)).filter((e) => e.action === 'AUDIT_ACTION_TASK_ACKNOWLEDGED'),
    ).toHaveLength(1);
  });

  it('RequestClarification and RefuseTask reach the order', async () => {
    const asked = await dispatchedOrder();
    const t1 = await taskOnStream(asked.authorisationId);
    await adapterCall('acknowledgeTask', { taskId: t1.taskId, generation: t1.generation });
    await waitForStatus(asked.authorisationId, 'REQUEST_STATUS_ACKNOWLEDGED');
    const current = await taskOnStream(asked.authorisationId);
    await adapterCall('requestClarification', {
      taskId: current.taskId,
      expectedGeneration: current.generation,
      question: 'Which period?',
      selectorIds: ['s1'],
    });
    const clarify = await waitForStatus(asked.authorisationId, 'REQUEST_STATUS_CLARIFICATION_REQUESTED');
    expect(clarify.clarifications.map((c) => c.question)).toEqual(['Which period?']);

    const refused = await dispatchedOrder();
    const t2 = await taskOnStream(refused.authorisationId);
    await adapterCall('refuseTask', {
      taskId: t2.taskId,
      expectedGeneration: t2.generation,
      ground: 'REFUSAL_GROUND_NOT_OUR_CUSTOMER',
      explanation: '',
      selectorIds: ['s1', 's2'],
    });
    const after = await waitForStatus(refused.authorisationId, 'REQUEST_STATUS_REFUSED');
    expect(after.refusal).toMatchObject({ ground: 'REFUSAL_GROUND_NOT_OUR_CUSTOMER', selectorIds: ['s1', 's2'] });
  });

  it('keeps following after provider-edge restarts', async () => {
    const consumer = stack.authorityApi.app!.get(TaskReportConsumer);
    await stack.stopProviderEdge();
    await stack.startProviderEdge();
    // Reconnected (with backoff) and caught up again.
    await consumer.whenCaughtUp();
    const order = await dispatchedOrder();
    const task = await taskOnStream(order.authorisationId);
    await adapterCall('acknowledgeTask', { taskId: task.taskId, generation: task.generation });
    await waitForStatus(order.authorisationId, 'REQUEST_STATUS_ACKNOWLEDGED');
  }, 60_000);

  it('the investigator answers the question: back to ACKNOWLEDGED, and the provider gets the answer in a new task generation', async () => {
    const order = await dispatchedOrder();
    const t1 = await taskOnStream(order.authorisationId);
    await adapterCall('acknowledgeTask', { taskId: t1.taskId, generation: t1.generation });
    await waitForStatus(order.authorisationId, 'REQUEST_STATUS_ACKNOWLEDGED');
    await adapterCall('requestClarification', {
      taskId: t1.taskId,
      expectedGeneration: t1.generation,
      question: 'Which period?',
      selectorIds: ['s1'],
    });
    const asked = await waitForStatus(order.authorisationId, 'REQUEST_STATUS_CLARIFICATION_REQUESTED');
    const [question] = asked.clarifications;
    const answer = (as: string, clarificationId: string, expectedGeneration = asked.generation) =>
      call(as, 'answerClarification', {
        authorisationId: order.authorisationId,
        expectedGeneration,
        clarificationId,
        answer: '1 to 7 November 2026',
      });

    expect(await refusalOf(answer('police-hn.sup-1', question!.clarificationId))).toMatchObject({
      code: GrpcStatus.PERMISSION_DENIED,
    });
    expect(await refusalOf(answer('police-hn.inv-1', 'no-such-question'))).toMatchObject({
      code: GrpcStatus.FAILED_PRECONDITION,
    });
    expect(await refusalOf(answer('police-hn.inv-1', question!.clarificationId, asked.generation - 1))).toMatchObject({
      code: GrpcStatus.ABORTED,
    });

    const answered = await answer('police-hn.inv-1', question!.clarificationId);
    expect(answered.status).toBe('REQUEST_STATUS_ACKNOWLEDGED');
    expect(answered.clarifications).toEqual([
      expect.objectContaining({ clarificationId: question!.clarificationId, answer: '1 to 7 November 2026' }),
    ]);
    const task = await taskOnStream(
      order.authorisationId,
      (t) => t.clarifications[0]?.answer !== undefined && t.clarifications[0]?.answer !== '',
    );
    expect(task.generation).toBeGreaterThan(t1.generation);
    expect(task.status).toBe('TASK_STATUS_ACKNOWLEDGED');
    expect(task.clarifications[0]).toMatchObject({ question: 'Which period?', answer: '1 to 7 November 2026' });
    expect((await auditOf(order.authorisationId)).map((e) => e.action)).toContain(
      'AUDIT_ACTION_CLARIFICATION_ANSWERED',
    );
  });

  it('a refused order is closed by its investigator, once; the approver may not close it', async () => {
    const order = await dispatchedOrder();
    const t = await taskOnStream(order.authorisationId);
    await adapterCall('refuseTask', {
      taskId: t.taskId,
      expectedGeneration: t.generation,
      ground: 'REFUSAL_GROUND_DATA_NOT_HELD',
      explanation: '',
      selectorIds: [],
    });
    const refused = await waitForStatus(order.authorisationId, 'REQUEST_STATUS_REFUSED');
    const close = (as: string, expectedGeneration: number) =>
      call(as, 'closeRequest', { authorisationId: order.authorisationId, expectedGeneration, reason: 'no data held' });
    expect(await refusalOf(close('police-hn.sup-1', refused.generation))).toMatchObject({
      code: GrpcStatus.PERMISSION_DENIED,
    });
    const closed = await close('police-hn.inv-1', refused.generation);
    expect(closed.status).toBe('REQUEST_STATUS_CLOSED');
    expect(await refusalOf(close('police-hn.inv-1', closed.generation))).toMatchObject({
      code: GrpcStatus.FAILED_PRECONDITION,
    });
  });

  it('a preservation order is extended once by the policy’s 30 days, reaching the provider; a second extension is refused', async () => {
    const order = await dispatchedOrder({ preservation: true });
    const t = await taskOnStream(order.authorisationId);
    await adapterCall('acknowledgeTask', { taskId: t.taskId, generation: t.generation });
    const preserved = await waitForStatus(order.authorisationId, 'REQUEST_STATUS_PRESERVED');
    const before = Number(t.preservation!.preservationExpiration!.seconds);
    const extend = (expectedGeneration: number) =>
      call('police-hn.inv-1', 'extendPreservation', {
        authorisationId: order.authorisationId,
        expectedGeneration,
        reason: 'the production order is being drafted',
      });
    const extended = await extend(preserved.generation);
    expect(extended.status).toBe('REQUEST_STATUS_PRESERVED');
    const task = await taskOnStream(order.authorisationId, (x) => x.generation > t.generation);
    expect(Number(task.preservation!.preservationExpiration!.seconds) - before).toBe(30 * 24 * 3600);
    const again = await refusalOf(extend(extended.generation));
    expect(again).toMatchObject({ code: GrpcStatus.FAILED_PRECONDITION });
    expect(again.details).toMatch(/already extended 1 time/);
  });
});

async function refusalOf(work: Promise<unknown>): Promise<ServiceError> {
  try {
    await work;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('the call succeeded but was expected to be refused');
}
