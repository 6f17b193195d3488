// The evidence package from upload to the investigator's disk: an order dispatched to telco-a, the adapter (raw
// gRPC) acknowledges, uploads records and completes with its origin signature, provider-edge reports it, authority-api
// marks the order DELIVERED, and the package file is downloaded over gRPC (from an offset too), over REST (with
// Range), and with `evx package download` (progress, resume, SHA-256 check). Who may not download, may not: auditors,
// other agencies, sealed evidence, orders without a package.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, status as GrpcStatus, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { signApprovalValue, signRequestValue } from '#evx/authorisation';
import { encodeOrigin, parseSignatureEnvelope, pemStatementSigner, signStatement } from '#evx/evidence-package';
import {
  createServiceClient,
  type DownloadPackageResponse,
  type EvidenceRecord,
  type GetUploadStateResponse,
  type StreamTasksResponse,
  type Task,
  type UploadEvidenceResponse,
} from '#evx/proto';
import { ManualClock, type ApproverRole } from '#evx/workflow';
import { loadSync } from '@grpc/proto-loader';
import { loadPackageDefinition, Server, type ServerWritableStream, type ServiceClientConstructor } from '@grpc/grpc-js';
import { TrustStore } from '#evx/pki';
import { PROTO_FILES, PROTO_LOADER_OPTIONS, type OpenPackageRequest, type OpenPackageResponse } from '#evx/proto';
import { grpcServerCredentials, loadServiceKeyPair } from '#evx/transport';
import { TaskReportApplier } from '../../apps/authority-api/src/reports/task-report.applier.js';
import { taskIdOf } from '../../apps/authority-api/src/requests/task-dispatcher.service.js';
import { ApiError } from '../../apps/cli/src/authority-api.http-client.js';
import {
  downloadPackageFile,
  IntegrityError,
  type DownloadProgress,
} from '../../apps/cli/src/commands/package/package.download.js';
import { sharedTestPki } from '../support/test-pki.js';
import { callUnary, channelAs, keyPairOf, serverCa, startTestStack, type TestStack } from '../support/test-stack.js';

interface Order {
  authorisationId: string;
  generation: number;
  status: string;
  packageId: string;
  bundle: { canonicalRequest: Buffer };
}

const TELCO = 'telco-a.main';
const START = Date.parse('2026-10-01T00:00:00Z');
const END = Date.parse('2026-11-01T00:00:00Z');
const ts = (ms: number) => ({ seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 });

const clock = new ManualClock(new Date());
let stack: TestStack;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack(await sharedTestPki(), { clock });
  dir = mkdtempSync(join(tmpdir(), 'evx-package-download-'));
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---- the authority side ----------------------------------------------------------------------------------------

const key = (file: string) => {
  const pair = keyPairOf(stack.pki, file);
  return { certificatePem: pair.certPem, privateKeyPem: pair.keyPem };
};

async function authority(as: string, method: string, request: unknown): Promise<Order> {
  const address = `localhost:${stack.ports.authorityGrpc}`;
  return (await callUnary<{ authorisation: Order }>('authority', address, method, request, channelAs(stack.pki, as)))
    .authorisation;
}

const get = (id: string) => authority('police-hn.inv-1', 'getRequest', { authorisationId: id });

async function decide(
  order: Order,
  as: string,
  role: ApproverRole,
  kind: 'STANDARD' | 'EMERGENCY' | 'JUDICIAL_VALIDATION',
  method = 'approveRequest',
  decision: 'APPROVED' | 'REJECTED' = 'APPROVED',
  reason = '',
): Promise<Order> {
  const decidedAt = clock.now();
  const [agency, id] = as.split('.') as [string, string];
  const value = await signApprovalValue(
    order.bundle.canonicalRequest,
    { approverUri: `evx://authority/${agency}/approver/${id}`, role, kind, decision, reason, decidedAt },
    key(as),
  );
  return authority(as, method, {
    authorisationId: order.authorisationId,
    expectedGeneration: order.generation,
    role: `APPROVER_ROLE_${role}`,
    reason,
    decision: `APPROVAL_DECISION_${decision}`,
    decidedAt: ts(decidedAt.getTime()),
    signature: { value },
  });
}

async function submitted(details: Record<string, unknown>): Promise<Order> {
  const draft = await authority('police-hn.inv-1', 'createRequest', { idempotencyKey: randomUUID(), details });
  const value = await signRequestValue(draft.bundle.canonicalRequest, key('police-hn.inv-1'));
  return authority('police-hn.inv-1', 'submitRequest', {
    authorisationId: draft.authorisationId,
    expectedGeneration: draft.generation,
    requesterSignature: { value },
  });
}

const orderDetails = () => ({
  caseReference: `HN-pkg-${randomUUID().slice(0, 8)}`,
  legalBasis: { law: 'Code of Criminal Procedure', article: '126na(1)', orderDocumentSha256: Buffer.alloc(32, 5) },
  typeOfCase: 'TYPE_OF_CASE_CYBERCRIME',
  urgency: 'URGENCY_STANDARD',
  targetProviderId: 'telco-a',
  requestDetails: {
    requestTypes: ['REQUEST_TYPE_SUBSCRIBER_DATA'],
    selectors: [{ selectorId: 's1', msisdn: '+31612345678' }],
    timeRange: { startTime: ts(START), endTime: ts(END) },
  },
  confidential: true,
});

async function dispatched(): Promise<Order> {
  const order = await decide(
    await decide(await submitted(orderDetails()), 'police-hn.sup-1', 'SUPERVISOR', 'STANDARD'),
    'police-hn.judge-1',
    'JUDGE',
    'STANDARD',
  );
  expect(order.status).toBe('REQUEST_STATUS_DISPATCHED');
  return order;
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

// ---- the adapter side (raw gRPC) ----------------------------------------------------------------------------------

const edge = () => `localhost:${stack.ports.providerEdge}`;

function exchange<T>(method: string, request: unknown, metadata?: Metadata): Promise<T> {
  const client = createServiceClient('providerExchange', edge(), channelAs(stack.pki, TELCO));
  type Unary = (r: unknown, m: Metadata, cb: (e: ServiceError | null, r?: unknown) => void) => void;
  return new Promise<T>((resolve, reject) =>
    (client as unknown as Record<string, Unary>)[method]!.call(client, request, metadata ?? new Metadata(), (e, r) =>
      e ? reject(e) : resolve(r as T),
    ),
  ).finally(() => client.close());
}

async function taskOf(id: string): Promise<Task> {
  const client = createServiceClient('providerExchange', edge(), channelAs(stack.pki, TELCO));
  const stream = (
    client as unknown as { streamTasks(r: unknown): ClientReadableStream<StreamTasksResponse> }
  ).streamTasks({ cursor: '' });
  try {
    return await new Promise<Task>((resolve, reject) => {
      stream.on('data', (event: StreamTasksResponse) => {
        if (event.task?.authorisationId === id) resolve(event.task);
      });
      stream.on('error', (e: ServiceError) => (e.code === GrpcStatus.CANCELLED ? undefined : reject(e)));
      setTimeout(() => reject(new Error(`order ${id} never reached telco-a's stream`)), 15_000).unref();
    });
  } finally {
    stream.cancel();
    client.close();
  }
}

const PAYLOAD = 64 * 1024;

function record(sequence: number): EvidenceRecord {
  const payload = Buffer.alloc(PAYLOAD, `${sequence}:{"msisdn":"+31612345678"};`);
  return {
    sequenceNumber: String(sequence),
    requestType: 'REQUEST_TYPE_SUBSCRIBER_DATA',
    selectorId: 's1',
    recordTime: ts(START + sequence * 60_000),
    contentType: 'application/octet-stream',
    payloadSize: String(payload.length),
    payloadSha256: createHash('sha256').update(payload).digest(),
    chunkOffset: '0',
    payload,
  } as EvidenceRecord;
}

/** The adapter's whole job for one order: acknowledge, upload `count` records, sign and complete. */
async function fulfil(order: Order, count: number): Promise<void> {
  const task = await taskOf(order.authorisationId);
  const { task: acked } = await exchange<{ task: Task }>('acknowledgeTask', {
    taskId: task.taskId,
    generation: task.generation,
    providerReference: 'TICKET-7',
  });
  const uploadId = randomUUID();
  const client = createServiceClient('providerExchange', edge(), channelAs(stack.pki, TELCO));
  await new Promise<UploadEvidenceResponse>((resolve, reject) => {
    const call = (
      client as unknown as {
        uploadEvidence(cb: (e: ServiceError | null, r?: unknown) => void): {
          write(m: unknown): boolean;
          end(): void;
          cancel(): void;
        };
      }
    ).uploadEvidence((e, r) => (e ? reject(e) : resolve(r as UploadEvidenceResponse)));
    setTimeout(() => {
      call.cancel();
      reject(new Error('provider-edge did not answer the upload within 30 s'));
    }, 30_000).unref();
    call.write({ header: { taskId: task.taskId, uploadId } });
    for (let i = 1; i <= count; i++) call.write({ record: record(i) });
    call.end();
  }).finally(() => client.close());
  const state = await exchange<GetUploadStateResponse>('getUploadState', { taskId: task.taskId, uploadId });
  expect(state.recordCount).toBe(String(count));
  const signedAt = new Date().toISOString();
  const statement = encodeOrigin({
    authorisationId: task.authorisationId,
    requestSha256: createHash('sha256').update(Buffer.from(task.bundle!.canonicalRequest)).digest('hex'),
    taskId: task.taskId,
    uploadId,
    providerId: 'telco-a',
    adapterUri: 'evx://provider/telco-a/adapter/main',
    recordCount: count,
    chainHead: Buffer.from(state.chainHead).toString('hex'),
    merkleRoot: Buffer.from(state.merkleRoot).toString('hex'),
    signedAt,
  });
  const own = keyPairOf(stack.pki, TELCO);
  const chain = own.certPem + readFileSync(join(stack.pki, 'provider', 'ca.crt'), 'utf8');
  const envelope = parseSignatureEnvelope(
    await signStatement('origin', statement, pemStatementSigner(chain, own.keyPem)),
  );
  const signedAtMs = Date.parse(signedAt);
  await exchange(
    'completeTask',
    {
      taskId: task.taskId,
      uploadId,
      expectedGeneration: acked.generation,
      outcome: 'COMPLETION_OUTCOME_FULFILLED',
      recordCount: String(count),
      chainHead: state.chainHead,
      merkleRoot: state.merkleRoot,
      originSignature: {
        signerUri: envelope.signerUri,
        algorithm: 'SIGNATURE_ALGORITHM_RSA_PSS_SHA256',
        value: Buffer.from(envelope.value),
        certificateSha256: Buffer.from(envelope.certificateSha256, 'hex'),
      },
      originSignedAt: { seconds: String(Math.floor(signedAtMs / 1000)), nanos: (signedAtMs % 1000) * 1e6 },
    },
  );
}

// ---- downloading ---------------------------------------------------------------------------------------------------

interface GrpcDownload {
  messages: DownloadPackageResponse[];
  data: Buffer;
}

function grpcDownload(as: string, id: string, offset = '0'): Promise<GrpcDownload> {
  const client = createServiceClient('authority', `localhost:${stack.ports.authorityGrpc}`, channelAs(stack.pki, as));
  const stream = (
    client as unknown as { downloadPackage(r: unknown): ClientReadableStream<DownloadPackageResponse> }
  ).downloadPackage({ authorisationId: id, offset, format: 'PACKAGE_FORMAT_UNSPECIFIED' });
  const messages: DownloadPackageResponse[] = [];
  return new Promise<GrpcDownload>((resolve, reject) => {
    stream.on('data', (m: DownloadPackageResponse) => messages.push(m));
    stream.on('error', reject);
    stream.on('end', () => resolve({ messages, data: Buffer.concat(messages.map((m) => m.data)) }));
  }).finally(() => client.close());
}

interface RestResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function restGet(as: string, path: string, headers: Record<string, string> = {}): Promise<RestResult> {
  const pair = keyPairOf(stack.pki, as);
  return new Promise<RestResult>((resolve, reject) => {
    const req = httpsRequest(
      `https://localhost:${stack.ports.authorityHttps}${path}`,
      { ca: serverCa(stack.pki), cert: pair.certPem, key: pair.keyPem, agent: false, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function grpcRefusal(work: Promise<unknown>): Promise<ServiceError> {
  try {
    await work;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the download to be refused');
}

async function downloadEvents(id: string): Promise<Array<{ actorUri: string; reason: string }>> {
  const ds = stack.authorityApi.app!.get<DataSource>(getDataSourceToken());
  const rows = (await ds.query('SELECT event FROM authority_api_audit_outbox')) as Array<{ event: string }>;
  return rows
    .map((r) => JSON.parse(r.event) as { action: string; actorUri: string; reason: string; objects: { id: string }[] })
    .filter((e) => e.action === 'AUDIT_ACTION_PACKAGE_DOWNLOADED' && e.objects.some((o) => o.id === id));
}

const cli = (as: string) => ({ certs: stack.pki, as, url: `https://localhost:${stack.ports.authorityHttps}` });

describe('who may not download', () => {
  it('an order without a package: NOT_FOUND / 404; auditors: PERMISSION_DENIED / 403; another agency: NOT_FOUND', async () => {
    const order = await dispatched();
    const none = await grpcRefusal(grpcDownload('police-hn.inv-1', order.authorisationId));
    expect(none.code).toBe(GrpcStatus.NOT_FOUND);
    expect(none.details).toMatch(/no evidence package yet/);
    expect((await restGet('police-hn.inv-1', `/v1/requests/${order.authorisationId}/package`)).status).toBe(404);

    expect((await grpcRefusal(grpcDownload('dpa.aud-1', order.authorisationId))).code).toBe(
      GrpcStatus.PERMISSION_DENIED,
    );
    expect((await restGet('dpa.aud-1', `/v1/requests/${order.authorisationId}/package`)).status).toBe(403);

    expect((await grpcRefusal(grpcDownload('police-dn.inv-1', order.authorisationId))).code).toBe(GrpcStatus.NOT_FOUND);
    expect((await restGet('police-dn.sup-1', `/v1/requests/${order.authorisationId}/package`)).status).toBe(404);

    const cliError = await downloadPackageFile({
      ...cli('police-hn.inv-1'),
      id: order.authorisationId,
      out: join(dir, 'none.tar'),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(cliError).toBeInstanceOf(ApiError);
    expect((cliError as ApiError).status).toBe(404);
    expect(existsSync(join(dir, 'none.tar'))).toBe(false);
  });

  it('sealed evidence (emergency validation refused): FAILED_PRECONDITION EVIDENCE_SEALED / 409', async () => {
    const now = clock.now().getTime();
    const emergency = await submitted({
      ...orderDetails(),
      urgency: 'URGENCY_EMERGENCY',
      emergency: {
        threat: 'EMERGENCY_THREAT_LIFE',
        justification: 'Kidnapped child; the kidnapper phoned from this number an hour ago.',
      },
      requestDetails: {
        requestTypes: ['REQUEST_TYPE_SUBSCRIBER_DATA'],
        selectors: [{ selectorId: 's1', msisdn: '+31612345678' }],
        timeRange: { startTime: ts(now - 2 * 86_400_000), endTime: ts(now) },
      },
    });
    const provisional = await decide(emergency, 'police-hn.duty-1', 'DUTY_OFFICER', 'EMERGENCY');
    const refused = await decide(
      provisional,
      'police-hn.judge-1',
      'JUDGE',
      'JUDICIAL_VALIDATION',
      'validateRequest',
      'REJECTED',
      'no imminent threat was shown',
    );
    expect(refused.status).toBe('REQUEST_STATUS_VALIDATION_REJECTED');
    const sealed = await grpcRefusal(grpcDownload('police-hn.inv-1', emergency.authorisationId));
    expect(sealed.code).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(sealed.metadata.get('evx-error-code')).toEqual(['EVIDENCE_SEALED']);
    const rest = await restGet('police-hn.inv-1', `/v1/requests/${emergency.authorisationId}/package`);
    expect(rest.status).toBe(409);
    expect(JSON.parse(rest.body.toString('utf8'))).toMatchObject({ error: 'EVIDENCE_SEALED' });
  });
});

describe('upload → complete → download', () => {
  let order: Order;
  let whole: Buffer;
  let sha256: string;

  beforeAll(async () => {
    const dispatchedOrder = await dispatched();
    await fulfil(dispatchedOrder, 24); // 24 × 64 KiB: a file of more than one 1 MiB chunk
    order = await waitForStatus(dispatchedOrder.authorisationId, 'REQUEST_STATUS_DELIVERED');
    expect(order.packageId).not.toBe('');
  }, 90_000);

  it('gRPC: the whole file in ordered chunks of at most 1 MiB, its SHA-256 in the first message; then from an offset', async () => {
    const download = await grpcDownload('police-hn.inv-1', order.authorisationId);
    whole = download.data;
    const first = download.messages[0]!;
    expect(first.file?.packageId).toBe(order.packageId);
    sha256 = Buffer.from(first.file!.sha256).toString('hex');
    expect(createHash('sha256').update(whole).digest('hex')).toBe(sha256);
    expect(String(whole.length)).toBe(String(first.totalSize));
    expect(whole.length).toBeGreaterThan(1024 * 1024);
    expect(download.messages.length).toBeGreaterThan(1);
    let expected = 0;
    for (const m of download.messages) {
      expect(Number(m.offset)).toBe(expected);
      expect(m.data.length).toBeLessThanOrEqual(1024 * 1024);
      expected += m.data.length;
    }

    const offset = 1_000_001;
    const rest = await grpcDownload('police-hn.sup-1', order.authorisationId, String(offset)); // approvers may too
    expect(rest.data.equals(whole.subarray(offset))).toBe(true);

    const past = await grpcRefusal(grpcDownload('police-hn.inv-1', order.authorisationId, String(whole.length + 1)));
    expect(past.code).toBe(GrpcStatus.OUT_OF_RANGE);
    expect((await grpcRefusal(grpcDownload('dpa.aud-1', order.authorisationId))).code).toBe(
      GrpcStatus.PERMISSION_DENIED,
    );
  }, 60_000);

  it('REST: the file with Content-Length and X-Evx-Package-Sha256; Range bytes=N- resumes (206); past the end is 416', async () => {
    const full = await restGet('police-hn.inv-1', `/v1/requests/${order.authorisationId}/package`);
    expect(full.status).toBe(200);
    expect(full.headers['content-type']).toBe('application/x-tar');
    expect(full.headers['content-length']).toBe(String(whole.length));
    expect(full.headers['x-evx-package-sha256']).toBe(sha256);
    expect(full.headers['accept-ranges']).toBe('bytes');
    expect(full.body.equals(whole)).toBe(true);

    const from = 777_777;
    const part = await restGet('police-hn.inv-1', `/v1/requests/${order.authorisationId}/package`, {
      range: `bytes=${from}-`,
    });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes ${from}-${whole.length - 1}/${whole.length}`);
    expect(part.headers['content-length']).toBe(String(whole.length - from));
    expect(part.body.equals(whole.subarray(from))).toBe(true);

    const slice = await restGet('police-hn.inv-1', `/v1/requests/${order.authorisationId}/package`, {
      range: 'bytes=10-19',
    });
    expect(slice.status).toBe(206);
    expect(slice.body.equals(whole.subarray(10, 20))).toBe(true);

    const past = await restGet('police-hn.inv-1', `/v1/requests/${order.authorisationId}/package`, {
      range: `bytes=${whole.length}-`,
    });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${whole.length}`);
    const suffix = await restGet('police-hn.inv-1', `/v1/requests/${order.authorisationId}/package`, {
      range: 'bytes=-100',
    });
    expect(suffix.status).toBe(416);
    expect(suffix.body.toString('utf8')).toMatch(/bytes=N-/);

    // Every download the vault served is an audit event of authority-api, naming who downloaded.
    const events = await downloadEvents(order.authorisationId);
    expect(events.length).toBeGreaterThanOrEqual(5);
    expect(events.map((e) => e.actorUri)).toContain('evx://authority/police-hn/approver/sup-1');
  }, 60_000);

  it('CLI: downloads with progress and checks the SHA-256; --resume continues a partial file; a corrupt one is caught', async () => {
    const seen: number[] = [];
    let total = -1;
    const progress: DownloadProgress = {
      start: (all) => (total = all),
      update: (done) => seen.push(done),
      stop: () => undefined,
    };
    const out = join(dir, 'evidence.tar');
    const summary = await downloadPackageFile({ ...cli('police-hn.inv-1'), id: order.authorisationId, out }, progress);
    expect(summary).toMatchObject({
      file: out,
      size: whole.length,
      sha256,
      resumedFrom: 0,
      packageId: order.packageId,
    });
    expect(readFileSync(out).equals(whole)).toBe(true);
    expect(total).toBe(whole.length);
    expect(seen.at(-1)).toBe(whole.length);
    expect(existsSync(`${out}.part`)).toBe(false);

    // A download broken after 600 000 bytes left its .part: --resume asks only for the rest.
    const resumedOut = join(dir, 'resumed.tar');
    writeFileSync(`${resumedOut}.part`, whole.subarray(0, 600_000));
    const resumed = await downloadPackageFile({
      ...cli('police-hn.inv-1'),
      id: order.authorisationId,
      out: resumedOut,
      resume: true,
    });
    expect(resumed).toMatchObject({ resumedFrom: 600_000, received: whole.length - 600_000, sha256 });
    expect(readFileSync(resumedOut).equals(whole)).toBe(true);

    // A .part that is already whole (stopped before its check) is checked and kept.
    const completeOut = join(dir, 'complete.tar');
    writeFileSync(`${completeOut}.part`, whole);
    const complete = await downloadPackageFile({
      ...cli('police-hn.inv-1'),
      id: order.authorisationId,
      out: completeOut,
      resume: true,
    });
    expect(complete).toMatchObject({ resumedFrom: whole.length, received: 0, sha256 });

    // A .part whose bytes are not the package's: the hash check fails and the file is removed.
    const corruptOut = join(dir, 'corrupt.tar');
    const corrupt = Buffer.from(whole.subarray(0, 500_000));
    corrupt[1234] = corrupt[1234]! ^ 0xff;
    writeFileSync(`${corruptOut}.part`, corrupt);
    const failed = await downloadPackageFile({
      ...cli('police-hn.inv-1'),
      id: order.authorisationId,
      out: corruptOut,
      resume: true,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(IntegrityError);
    expect((failed as Error).message).toMatch(/does not match the package's SHA-256/);
    expect(existsSync(corruptOut)).toBe(false);
    expect(existsSync(`${corruptOut}.part`)).toBe(false);

    // Not over an existing file.
    const again = await downloadPackageFile({ ...cli('police-hn.inv-1'), id: order.authorisationId, out }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((again as Error).message).toMatch(/exists already/);
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------------------------
// The same downloads against a stand-in vault that serves one known file (OpenPackage) and takes audit events: the
// forwarding, Range, resume and checks of authority-api and the CLI do not depend on the upload path. Runs last: it
// replaces the real vault for the rest of the file.

describe('download forwarding (stand-in vault serving a known file)', () => {
  const packageId = randomUUID();
  const file = Buffer.alloc(2_500_000);
  for (let i = 0; i < file.length; i++) file[i] = (i * 7 + (i >> 10)) & 0xff;
  const sha256 = createHash('sha256').update(file).digest('hex');
  const asked: OpenPackageRequest[] = [];
  let server: Server;
  let order: Order;

  beforeAll(async () => {
    await stack.vault.close();
    const definition = loadSync(PROTO_FILES.vault, PROTO_LOADER_OPTIONS);
    const evx = (loadPackageDefinition(definition) as { evx: { v1: Record<string, ServiceClientConstructor> } }).evx.v1;
    server = new Server();
    server.addService(evx.VaultService!.service, {
      appendLogEntries: (
        call: { request: { auditEvents: unknown[] } },
        cb: (e: null, r: { indexes: string[]; treeSize: string }) => void,
      ) => cb(null, { indexes: call.request.auditEvents.map((_, i) => String(i)), treeSize: '1' }),
      openPackage: (call: ServerWritableStream<OpenPackageRequest, OpenPackageResponse>) => {
        asked.push(call.request);
        const offset = Number(call.request.offset);
        if (call.request.packageId !== packageId) {
          call.emit('error', { code: GrpcStatus.NOT_FOUND, details: `no package ${call.request.packageId}` });
          return;
        }
        if (offset > file.length) {
          call.emit('error', { code: GrpcStatus.OUT_OF_RANGE, details: `offset past ${file.length}` });
          return;
        }
        let position = offset;
        let first = true;
        const next = () => {
          while (first || position < file.length) {
            const data = file.subarray(position, Math.min(position + 1024 * 1024, file.length));
            const more = call.write({
              file: first
                ? {
                    packageId,
                    fileName: `evx-${packageId}.tar`,
                    format: 'PACKAGE_FORMAT_TAR',
                    size: String(file.length),
                    sha256: Buffer.from(sha256, 'hex'),
                  }
                : null,
              offset: String(position),
              data,
              totalSize: String(file.length),
            });
            first = false;
            position += data.length;
            if (!more) return void call.once('drain', next);
          }
          call.end();
        };
        next();
      },
    });
    const own = loadServiceKeyPair(stack.pki, 'vault');
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(
        `127.0.0.1:${stack.ports.vault}`,
        grpcServerCredentials(TrustStore.fromDirectory(stack.pki), ['service'], own),
        (e) => (e ? reject(e) : resolve()),
      ),
    );
    stack.vault = { ...stack.vault, close: async () => void server.forceShutdown() };

    // An order the provider completed with that package (its report applied as provider-edge would send it).
    const dispatchedOrder = await dispatched();
    const applier = stack.authorityApi.app!.get(TaskReportApplier);
    const outcome = await applier.apply(
      {
        reportId: randomUUID(),
        taskId: taskIdOf(dispatchedOrder.authorisationId),
        authorisationId: dispatchedOrder.authorisationId,
        generation: dispatchedOrder.generation,
        providerId: 'telco-a',
        adapterUri: 'evx://provider/telco-a/adapter/main',
        reportedAt: null,
        completed: {
          outcome: 'COMPLETION_OUTCOME_FULFILLED',
          unfulfilled: null,
          evidencePackage: {
            packageId,
            authorisationId: dispatchedOrder.authorisationId,
            state: 'PACKAGE_STATE_COMPLETE',
          },
        },
      } as never,
      'stand-in-1',
      'stand-in',
    );
    expect(outcome.outcome).toBe('applied');
    order = await get(dispatchedOrder.authorisationId);
    expect(order.status).toBe('REQUEST_STATUS_DELIVERED');
  }, 60_000);

  it('gRPC forwards the vault’s chunks as they are, on behalf of the caller, from an offset too', async () => {
    const whole = await grpcDownload('police-hn.inv-1', order.authorisationId);
    expect(whole.data.equals(file)).toBe(true);
    expect(whole.messages.map((m) => Number(m.offset))).toEqual([0, 1024 * 1024, 2 * 1024 * 1024]);
    expect(Buffer.from(whole.messages[0]!.file!.sha256).toString('hex')).toBe(sha256);
    expect(asked.at(-1)).toMatchObject({
      packageId,
      offset: '0',
      onBehalfOfUri: 'evx://authority/police-hn/investigator/inv-1',
    });

    const tail = await grpcDownload('police-hn.sup-1', order.authorisationId, '2000000');
    expect(tail.data.equals(file.subarray(2_000_000))).toBe(true);
    expect(asked.at(-1)).toMatchObject({
      offset: '2000000',
      onBehalfOfUri: 'evx://authority/police-hn/approver/sup-1',
    });
    expect((await grpcRefusal(grpcDownload('police-hn.inv-1', order.authorisationId, '2500001'))).code).toBe(
      GrpcStatus.OUT_OF_RANGE,
    );
    expect((await grpcRefusal(grpcDownload('police-hn.inv-1', order.authorisationId, '-5'))).code).toBe(
      GrpcStatus.INVALID_ARGUMENT,
    );
    expect((await downloadEvents(order.authorisationId)).length).toBeGreaterThanOrEqual(2);
  });

  it('REST: whole file, Range resume, 416 past the end with the size and hash', async () => {
    const path = `/v1/requests/${order.authorisationId}/package`;
    const full = await restGet('police-hn.inv-1', path);
    expect(full.status).toBe(200);
    expect(full.headers['content-length']).toBe(String(file.length));
    expect(full.headers['x-evx-package-sha256']).toBe(sha256);
    expect(full.headers['content-disposition']).toBe(`attachment; filename="evx-${packageId}.tar"`);
    expect(full.body.equals(file)).toBe(true);

    const part = await restGet('police-hn.inv-1', path, { range: 'bytes=1048570-' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1048570-${file.length - 1}/${file.length}`);
    expect(part.body.equals(file.subarray(1_048_570))).toBe(true);

    const slice = await restGet('police-hn.inv-1', path, { range: 'bytes=1048570-1048579' });
    expect(slice.status).toBe(206);
    expect(slice.headers['content-length']).toBe('10');
    expect(slice.body.equals(file.subarray(1_048_570, 1_048_580))).toBe(true);

    const past = await restGet('police-hn.inv-1', path, { range: `bytes=${file.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${file.length}`);
    expect(past.headers['x-evx-package-sha256']).toBe(sha256);
    expect((await restGet('dpa.aud-1', path)).status).toBe(403);
  });

  it('CLI: saves and checks, resumes a broken download, accepts a whole .part, removes a corrupt one', async () => {
    const updates: number[] = [];
    const out = join(dir, 'stand-in.tar');
    const summary = await downloadPackageFile(
      { ...cli('police-hn.inv-1'), id: order.authorisationId, out },
      { start: () => undefined, update: (d) => updates.push(d), stop: () => undefined },
    );
    expect(summary).toMatchObject({ size: file.length, sha256, resumedFrom: 0, packageId });
    expect(readFileSync(out).equals(file)).toBe(true);
    expect(updates.at(-1)).toBe(file.length);

    const resumedOut = join(dir, 'stand-in-resumed.tar');
    writeFileSync(`${resumedOut}.part`, file.subarray(0, 1_500_000));
    const resumed = await downloadPackageFile({
      ...cli('police-hn.inv-1'),
      id: order.authorisationId,
      out: resumedOut,
      resume: true,
    });
    expect(resumed).toMatchObject({ resumedFrom: 1_500_000, received: file.length - 1_500_000 });
    expect(readFileSync(resumedOut).equals(file)).toBe(true);
    expect(asked.at(-1)?.offset).toBe('1500000');

    const wholeOut = join(dir, 'stand-in-whole.tar');
    writeFileSync(`${wholeOut}.part`, file);
    expect(
      await downloadPackageFile({ ...cli('police-hn.inv-1'), id: order.authorisationId, out: wholeOut, resume: true }),
    ).toMatchObject({ resumedFrom: file.length, received: 0, sha256 });

    const corruptOut = join(dir, 'stand-in-corrupt.tar');
    const corrupt = Buffer.from(file.subarray(0, 100_000));
    corrupt[99] = corrupt[99]! ^ 1;
    writeFileSync(`${corruptOut}.part`, corrupt);
    const failed = await downloadPackageFile({
      ...cli('police-hn.inv-1'),
      id: order.authorisationId,
      out: corruptOut,
      resume: true,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(IntegrityError);
    expect(existsSync(`${corruptOut}.part`)).toBe(false);
    expect(existsSync(corruptOut)).toBe(false);
  });
});
