// An upload cut by the adapter and resumed gives exactly the package an uninterrupted upload gives. Through the real
// stack over mutual TLS: an order approved by the authority reaches telco-a; the test acts as its adapter with raw
// gRPC, cancels its UploadEvidence call in the middle of a chunked record (after an out-of-scope record), resumes
// from GetUploadState and completes; then uploads the same content without a cut on a second order, and compares the
// two packages downloaded from the vault file by file.
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { status, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { encodeOrigin, parseSignatureEnvelope, pemStatementSigner, signStatement } from '#evx/evidence-package';
import {
  createServiceClient,
  type EvidencePackage,
  type EvidenceRecord,
  type GetUploadStateResponse,
  type Task,
  type UploadEvidenceRequest,
  type UploadEvidenceResponse,
} from '#evx/proto';
import { END, exchangeHelpers, refusal, START, TELCO, ts } from '../support/exchange-helpers.js';
import { sharedTestPki } from '../support/test-pki.js';
import { channelAs, keyPairOf, startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack(await sharedTestPki());
  dir = mkdtempSync(join(tmpdir(), 'evx-upload-resume-'));
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---- an approved, acknowledged order to telco-a, and the adapter's calls (test/support/exchange-helpers.ts) -------

const helpers = exchangeHelpers(() => stack);

function exchange<T>(method: string, request: unknown): Promise<T> {
  return helpers.exchange<T>(TELCO, method, request);
}

async function acknowledgedTask(caseReference: string): Promise<Task> {
  const task = await helpers.approvedTask(caseReference, {
    requestTypes: ['REQUEST_TYPE_SUBSCRIBER_DATA'],
    selectors: [{ selectorId: 's1', msisdn: '+31612345678' }],
    timeRange: { startTime: ts(START), endTime: ts(END) },
  });
  const { task: acknowledged } = await exchange<{ task: Task }>('acknowledgeTask', {
    taskId: task.taskId,
    generation: task.generation,
    providerReference: '',
  });
  return acknowledged;
}

const edge = () => helpers.edge();

interface Upload {
  write(message: UploadEvidenceRequest): void;
  /** Writes and resolves once grpc-js has handed the message to the connection. */
  sent(message: UploadEvidenceRequest): Promise<void>;
  end(): void;
  cancel(): void;
  result: Promise<UploadEvidenceResponse>;
}

function openUpload(taskId: string, uploadId: string): Upload {
  const client: Client = createServiceClient('providerExchange', edge(), channelAs(stack.pki, TELCO));
  let call!: { write(m: unknown, cb?: (e?: Error | null) => void): boolean; end(): void; cancel(): void };
  const result = new Promise<UploadEvidenceResponse>((resolve, reject) => {
    call = (
      client as unknown as { uploadEvidence(cb: (e: ServiceError | null, r?: unknown) => void): typeof call }
    ).uploadEvidence((error, response) => {
      client.close();
      if (error) reject(error);
      else resolve(response as UploadEvidenceResponse);
    });
  });
  result.catch(() => undefined);
  call.write({ header: { taskId, uploadId } });
  return {
    write: (m) => void call.write(m),
    sent: (m) => new Promise<void>((resolve, reject) => call.write(m, (e) => (e ? reject(e) : resolve()))),
    end: () => call.end(),
    cancel: () => call.cancel(),
    result,
  };
}

async function upload(taskId: string, uploadId: string, messages: EvidenceRecord[]): Promise<UploadEvidenceResponse> {
  const u = openUpload(taskId, uploadId);
  for (const record of messages) u.write({ record });
  u.end();
  return u.result;
}

const state = (taskId: string) => exchange<GetUploadStateResponse>('getUploadState', { taskId, uploadId: '' });

/** Polls GetUploadState until `done` holds (the edge and the vault work after the call has returned). */
async function stateWhen(
  taskId: string,
  done: (s: GetUploadStateResponse) => boolean,
  timeoutMs = 20_000,
): Promise<GetUploadStateResponse> {
  for (const end = Date.now() + timeoutMs; ;) {
    const now = await state(taskId);
    if (done(now)) return now;
    if (Date.now() > end) throw new Error(`upload state never matched: ${JSON.stringify(now)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- the order's content: 10 records, #4 outside the order's scope, #7 in three chunks -------------------------

const COUNT = 10;
const OUT_OF_SCOPE = 4;
const CHUNKED = 7;

function payloadOf(sequence: number): Buffer {
  if (sequence === CHUNKED) return Buffer.from(`${'cell-tower-dump;'.repeat(200)}#${sequence}`);
  return Buffer.from(JSON.stringify({ sequence, msisdn: '+31612345678', name: `subscriber ${sequence}` }));
}

/** The messages of record `sequence`: one, or three chunks for the chunked record. */
function messagesOf(sequence: number): EvidenceRecord[] {
  const payload = payloadOf(sequence);
  const base: EvidenceRecord = {
    sequenceNumber: String(sequence),
    requestType: 'REQUEST_TYPE_SUBSCRIBER_DATA',
    selectorId: sequence === OUT_OF_SCOPE ? 's9' : 's1',
    recordTime: ts(START + sequence * 60_000),
    contentType: 'application/json',
    payloadSize: String(payload.length),
    payloadSha256: createHash('sha256').update(payload).digest(),
    chunkOffset: '0',
    payload,
  };
  if (sequence !== CHUNKED) return [base];
  const size = Math.ceil(payload.length / 3);
  return [0, 1, 2].map((i) => ({
    ...base,
    chunkOffset: String(i * size),
    payload: payload.subarray(i * size, (i + 1) * size),
  }));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const recordsFrom = (from: number, to = COUNT) => range(from, to).flatMap(messagesOf);

async function complete(task: Task, uploadId: string): Promise<EvidencePackage> {
  const held = await state(task.taskId);
  const signedAt = new Date();
  const statement = encodeOrigin({
    authorisationId: task.authorisationId,
    requestSha256: createHash('sha256').update(Buffer.from(task.bundle!.canonicalRequest)).digest('hex'),
    taskId: task.taskId,
    uploadId,
    providerId: 'telco-a',
    adapterUri: 'evx://provider/telco-a/adapter/main',
    recordCount: Number(held.recordCount),
    chainHead: Buffer.from(held.chainHead).toString('hex'),
    merkleRoot: Buffer.from(held.merkleRoot).toString('hex'),
    signedAt: signedAt.toISOString(),
  });
  const own = keyPairOf(stack.pki, TELCO);
  const chain = own.certPem + readFileSync(join(stack.pki, 'provider', 'ca.crt'), 'utf8');
  const envelope = parseSignatureEnvelope(
    await signStatement('origin', statement, pemStatementSigner(chain, own.keyPem)),
  );
  const done = await exchange<{ task: Task; evidencePackage: EvidencePackage }>('completeTask', {
    taskId: task.taskId,
    uploadId,
    expectedGeneration: task.generation,
    outcome: 'COMPLETION_OUTCOME_FULFILLED',
    recordCount: held.recordCount,
    chainHead: held.chainHead,
    merkleRoot: held.merkleRoot,
    originSignature: {
      signerUri: envelope.signerUri,
      algorithm: 'SIGNATURE_ALGORITHM_RSA_PSS_SHA256',
      value: Buffer.from(envelope.value),
      certificateSha256: Buffer.from(envelope.certificateSha256, 'hex'),
    },
    originSignedAt: ts(signedAt.getTime()),
  });
  expect(done.task.status).toBe('TASK_STATUS_FULFILLED');
  expect(done.evidencePackage.state).toBe('PACKAGE_STATE_COMPLETE');
  return done.evidencePackage;
}

/** The package file from the vault (as authority-api does), unpacked into its own folder: path → bytes. */
async function downloaded(packageId: string): Promise<Map<string, Buffer>> {
  const client = createServiceClient(
    'vault',
    `localhost:${stack.ports.vault}`,
    channelAs(stack.pki, 'services/authority-api'),
  ) as unknown as { openPackage(r: unknown): ClientReadableStream<{ data: Buffer }>; close(): void };
  const chunks: Buffer[] = [];
  try {
    const stream = client.openPackage({
      packageId,
      offset: '0',
      onBehalfOfUri: 'evx://authority/police-hn/investigator/inv-1',
    });
    for await (const m of stream) chunks.push(m.data);
  } finally {
    client.close();
  }
  const tar = join(dir, `${packageId}.tar`);
  const out = join(dir, packageId);
  writeFileSync(tar, Buffer.concat(chunks));
  rmSync(out, { recursive: true, force: true });
  execFileSync('mkdir', ['-p', out]);
  execFileSync('tar', ['-xf', tar, '-C', out]);
  const [bag] = readdirSync(out);
  const root = join(out, bag!);
  const files = new Map<string, Buffer>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(root, path).split('\\').join('/'), readFileSync(path));
    }
  };
  walk(root);
  return files;
}

// ---- the tests -----------------------------------------------------------------------------------------------

describe('an upload cut by the adapter and resumed', () => {
  let resumedPackage: EvidencePackage;
  let resumedRejections: GetUploadStateResponse['rejections'];

  it('keeps what arrived before the cut, resumes from GetUploadState and completes', async () => {
    const task = await acknowledgedTask('UR-cut');
    const uploadId = randomUUID();
    const cut = openUpload(task.taskId, uploadId);
    // Records 1-6 are settled (4 rejected as out of scope, the rest durable at the vault) ...
    await Promise.all(recordsFrom(1, CHUNKED - 1).map((m) => cut.sent({ record: m })));
    await stateWhen(task.taskId, (s) => s.durableSequenceNumber === String(CHUNKED - 1));
    // ... then the first chunk of record 7 goes out, and the adapter drops the call in the middle of that record.
    // (Where exactly the cut falls is up to the transport: grpc-js drops what a cancelled call has not delivered,
    // on both sides. The unit tests of EvidenceUploadService cut the call while the header is still being handled.)
    await cut.sent({ record: messagesOf(CHUNKED)[0]! });
    cut.cancel();
    expect((await refusal(cut.result)).code).toBe(status.CANCELLED);

    // What arrived before the cut is still handled and the vault's stream half-closed: the half record is gone,
    // everything before it is settled.
    const after = await stateWhen(task.taskId, (s) => s.durableSequenceNumber === String(CHUNKED - 1));
    expect(after).toMatchObject({
      uploadId,
      durableSequenceNumber: String(CHUNKED - 1),
      recordCount: String(CHUNKED - 2),
      completed: false,
    });
    expect(after.rejections.map((r) => [r.sequenceNumber, r.code])).toEqual([
      [String(OUT_OF_SCOPE), 'ERROR_CODE_OUT_OF_SCOPE'],
    ]);
    // Nothing of record 7 was kept: another upload_id for the task is still refused (a task has one upload) ...
    const other = await refusal(upload(task.taskId, randomUUID(), messagesOf(1)));
    expect(other.code).toBe(status.FAILED_PRECONDITION);
    expect(other.metadata.get('evx-error-code')).toEqual(['INVALID_STATE']);

    // ... and the resume starts at durable + 1, with record 7 from chunk_offset 0.
    const resumed = await upload(task.taskId, uploadId, recordsFrom(Number(after.durableSequenceNumber) + 1));
    expect(resumed).toMatchObject({ durableSequenceNumber: String(COUNT), recordCount: String(COUNT - 1) });
    resumedRejections = (await state(task.taskId)).rejections;
    expect(resumedRejections.map((r) => r.sequenceNumber)).toEqual([String(OUT_OF_SCOPE)]);
    resumedPackage = await complete(task, uploadId);
    expect(resumedPackage.recordCount).toBe(String(COUNT - 1));
  }, 120_000);

  it('gives the same package content as the same order uploaded without a cut', async () => {
    const task = await acknowledgedTask('UR-whole');
    const uploadId = randomUUID();
    const whole = await upload(task.taskId, uploadId, recordsFrom(1));
    expect(whole).toMatchObject({ durableSequenceNumber: String(COUNT), recordCount: String(COUNT - 1) });
    expect(whole.rejections.map((r) => [r.sequenceNumber, r.code])).toEqual(
      resumedRejections.map((r) => [r.sequenceNumber, r.code]),
    );
    const wholePackage = await complete(task, uploadId);
    expect(Buffer.from(wholePackage.chainHead).equals(Buffer.from(resumedPackage.chainHead))).toBe(true);
    expect(Buffer.from(wholePackage.merkleRoot).equals(Buffer.from(resumedPackage.merkleRoot))).toBe(true);

    const a = await downloaded(resumedPackage.packageId);
    const b = await downloaded(wholePackage.packageId);
    const dataFiles = [...a.keys()].filter((p) => p.startsWith('data/')).sort();
    expect(dataFiles).toHaveLength(2 * (COUNT - 1));
    expect([...b.keys()].filter((p) => p.startsWith('data/')).sort()).toEqual(dataFiles);
    for (const path of dataFiles)
      expect({ path, same: a.get(path)!.equals(b.get(path)!) }).toEqual({ path, same: true });
    // The chunked record arrived whole: adapter record 7 is the vault's record 6 (4 was rejected).
    expect(a.get('data/records/00000006.bin')!.equals(payloadOf(CHUNKED))).toBe(true);

    // Outside data/ only what belongs to the order, the task, the signatures, the receipt and the log differs.
    expect(new Set(a.keys())).toEqual(new Set(b.keys()));
    const differing = [...a.keys()].filter((p) => !a.get(p)!.equals(b.get(p)!)).sort();
    expect(differing.filter((p) => p.startsWith('data/'))).toEqual([]);
    expect(differing).not.toContain('manifest-sha256.txt');
    const mayDiffer = [
      'bag-info.txt',
      'tagmanifest-sha256.txt',
      'evx/package.json',
      'evx/authorisation/request.json',
      'evx/authorisation/request.sig.json',
      'evx/authorisation/approvals/01.json',
      'evx/authorisation/approvals/01.sig.json',
      'evx/authorisation/approvals/02.json',
      'evx/authorisation/approvals/02.sig.json',
      'evx/origin.json',
      'evx/origin.sig.json',
      'evx/custody.json',
      'evx/custody.sig.json',
      'evx/custody-events.jsonl',
      'evx/log/checkpoint',
      'evx/log/package.tlog-proof',
    ];
    expect(differing.filter((p) => !mayDiffer.includes(p))).toEqual([]);
    // The signed statements name different tasks and uploads: they must differ.
    expect(differing).toEqual(expect.arrayContaining(['evx/origin.json', 'evx/custody.json', 'evx/package.json']));
  }, 120_000);

  it("lets only one of two concurrent uploads with different upload_ids open the task's package", async () => {
    const task = await acknowledgedTask('UR-race');
    const results = await Promise.allSettled([
      upload(task.taskId, randomUUID(), messagesOf(1)),
      upload(task.taskId, randomUUID(), messagesOf(1)),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as ServiceError] : []));
    expect(won).toHaveLength(1);
    expect(lost.map((e) => [e.code, e.metadata.get('evx-error-code')[0]])).toEqual([
      [status.FAILED_PRECONDITION, 'INVALID_STATE'],
    ]);
    const held = await state(task.taskId);
    expect(held.uploadId).toBe((won[0] as PromiseFulfilledResult<UploadEvidenceResponse>).value.uploadId);
    expect(held.recordCount).toBe('1');
  }, 60_000);

  it('resumes after a scope rejection at the end of a stream: the rejected record is settled, not resent', async () => {
    const task = await acknowledgedTask('UR-scope');
    const uploadId = randomUUID();
    // Records 1-4 with 4 out of scope: the stream ends on the rejection.
    const first = await upload(task.taskId, uploadId, recordsFrom(1, OUT_OF_SCOPE));
    expect(first).toMatchObject({ durableSequenceNumber: String(OUT_OF_SCOPE), recordCount: String(OUT_OF_SCOPE - 1) });
    const held = await state(task.taskId);
    expect(held.durableSequenceNumber).toBe(String(OUT_OF_SCOPE));
    expect(held.rejections.map((r) => r.sequenceNumber)).toEqual([String(OUT_OF_SCOPE)]);
    // Resent anyway together with the rest: the repeat of the rejected record is ignored, the numbering holds.
    const second = await upload(task.taskId, uploadId, recordsFrom(OUT_OF_SCOPE));
    expect(second).toMatchObject({ durableSequenceNumber: String(COUNT), recordCount: String(COUNT - 1) });
    // sequence_number 0 is refused clearly, not taken for a chunk of the record before it.
    const zero = await refusal(upload(task.taskId, uploadId, [{ ...messagesOf(1)[0]!, sequenceNumber: '0' }]));
    expect([zero.code, zero.details]).toEqual([status.INVALID_ARGUMENT, expect.stringMatching(/from 1/)]);
    const pkg = await complete(task, uploadId);
    expect(Buffer.from(pkg.chainHead).equals(Buffer.from(resumedPackage.chainHead))).toBe(true);
  }, 120_000);
});
