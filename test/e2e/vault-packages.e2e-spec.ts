// The vault's evidence package store, called directly over mutual TLS as provider-edge (Begin, AppendRecords,
// Complete, Get) and authority-api (Get, Open, SealEvidence): uploads with resends, conflicts, gaps and cuts,
// completion with the adapter's origin signature, and a downloaded file that the offline verifier accepts.
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  Metadata,
  status,
  type ChannelCredentials,
  type ClientReadableStream,
  type ClientWritableStream,
} from '@grpc/grpc-js';
import { extractBagArchive } from '#evx/bagit';
import { loadConfig } from '#evx/config';
import {
  encodeOrigin,
  encodeRecordMetadata,
  parseApproval,
  parseSignatureEnvelope,
  pemStatementSigner,
  RecordAccumulator,
  recordPayloadPath,
  signatureInput,
  verifyPackage,
  type SignedAuthorisation,
} from '#evx/evidence-package';
import { createServiceClient, timestampFromDate } from '#evx/proto';
import type { RunningService } from '#evx/transport';
import { IDS, signedAuthorisation } from '../../libs/evidence-package/src/testing/package.fixture.js';
import { startVault } from '../../apps/vault/src/vault.app.js';
import { VaultConfig } from '../../apps/vault/src/vault.config.js';
import { ORIGIN_SIGNED_AT_METADATA } from '../../apps/vault/src/packages/evidence-package.grpc-controller.js';
import { freePort } from '../support/ports.js';
import { sharedTestPki } from '../support/test-pki.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';
import { callUnary, channelAs } from '../support/test-stack.js';

const MiB = 1024 * 1024;

let pki: string;
let db: TestDatabase;
let vault: RunningService;
let address: string;
let edge: ChannelCredentials;
let api: ChannelCredentials;
let authorisation: SignedAuthorisation;

interface WirePackage {
  packageId: string;
  state: string;
  durableSequenceNumber: string;
  recordCount: string;
  payloadBytes: string;
  chainHead: Buffer;
  merkleRoot: Buffer;
  logIndex: string;
  sealedAt: unknown;
  custodySignature: { signerUri: string } | null;
}

interface AppendResponse {
  packageId: string;
  durableSequenceNumber: string;
  recordCount: string;
  chainHead: Buffer;
  merkleRoot: Buffer;
  rejections: { sequenceNumber: string; code: string; reason: string }[];
}

interface GrpcError extends Error {
  code: number;
  metadata: Metadata;
}

interface TestRecord {
  seq: number;
  payload: Buffer;
  requestType?: string;
  time?: Date;
  sha?: Buffer;
}

beforeAll(async () => {
  pki = await sharedTestPki();
  db = testDatabase();
  const port = await freePort();
  address = `localhost:${port}`;
  vault = await startVault(
    loadConfig(VaultConfig, {}, { certsDir: pki, logLevel: 'warn', grpcPort: port, ...db.settings }),
  );
  edge = channelAs(pki, 'services/provider-edge');
  api = channelAs(pki, 'services/authority-api');
  authorisation = await signedAuthorisation(pki);
}, 120_000);

afterAll(async () => {
  await vault?.close();
  await db?.drop();
});

// ---- helpers: what provider-edge and the adapter SDK do ----

function wireBundle(a: SignedAuthorisation) {
  const signatureOf = (file: Uint8Array) => {
    const e = parseSignatureEnvelope(file);
    return {
      signature: {
        signerUri: e.signerUri,
        algorithm: e.algorithm,
        value: Buffer.from(e.value),
        certificateSha256: Buffer.from(e.certificateSha256, 'hex'),
      },
      certificate: Buffer.from(e.certificates[0] as Uint8Array),
    };
  };
  const request = signatureOf(a.request.signature);
  const approvals = a.approvals.map((approval) => {
    const s = parseApproval(approval.statement);
    const signed = signatureOf(approval.signature);
    return {
      wire: {
        approvalId: randomUUID(),
        approverUri: s.approverUri,
        role: s.role,
        kind: s.kind,
        decision: s.decision,
        reason: s.reason,
        decidedAt: timestampFromDate(new Date(s.decidedAt)),
        requestSha256: Buffer.from(s.requestSha256, 'hex'),
        signature: signed.signature,
      },
      certificate: signed.certificate,
    };
  });
  return {
    canonicalRequest: Buffer.from(a.request.statement),
    requesterSignature: request.signature,
    approvals: approvals.map((x) => x.wire),
    certificates: [request.certificate, ...approvals.map((x) => x.certificate)],
  };
}

async function begin(taskId: string = randomUUID(), uploadId: string = randomUUID(), as = edge): Promise<WirePackage> {
  const response = await callUnary<{ evidencePackage: WirePackage }>(
    'vault',
    address,
    'beginPackage',
    {
      authorisationId: IDS.authorisationId,
      taskId,
      uploadId,
      providerId: 'telco-a',
      bundle: wireBundle(authorisation),
    },
    as,
  );
  return response.evidencePackage;
}

const getPackage = async (packageId: string, as = api) =>
  (await callUnary<{ evidencePackage: WirePackage }>('vault', address, 'getPackage', { packageId }, as))
    .evidencePackage;

function sample(seq: number, size = 40 + seq): TestRecord {
  const payload = Buffer.alloc(size);
  for (let i = 0; i < size; i++) payload[i] = 0x61 + ((seq * 7 + i) % 26);
  return { seq, payload };
}

/** The messages of one record: chunks of at most `chunk` bytes at increasing offsets. */
function messagesOf(r: TestRecord, chunk = MiB) {
  const fields = {
    sequenceNumber: String(r.seq),
    requestType: r.requestType ?? 'REQUEST_TYPE_TRAFFIC_DATA',
    selectorId: 's1',
    recordTime: timestampFromDate(r.time ?? new Date(Date.UTC(2026, 10, 20, 8, 0, r.seq))),
    contentType: 'text/csv',
    payloadSize: String(r.payload.length),
    payloadSha256: r.sha ?? createHash('sha256').update(r.payload).digest(),
  };
  const out = [];
  for (let offset = 0; offset === 0 || offset < r.payload.length; offset += chunk) {
    out.push({
      record: { ...fields, chunkOffset: String(offset), payload: r.payload.subarray(offset, offset + chunk) },
    });
  }
  return out;
}

interface OpenStream {
  call: ClientWritableStream<unknown>;
  response: Promise<AppendResponse>;
  send(message: unknown): Promise<void>;
}

function appendStream(packageId: string, as = edge): OpenStream {
  const client = createServiceClient('vault', address, as) as unknown as {
    appendRecords(cb: (e: Error | null, r?: AppendResponse) => void): ClientWritableStream<unknown>;
    close(): void;
  };
  let call!: ClientWritableStream<unknown>;
  const response = new Promise<AppendResponse>((resolve, reject) => {
    call = client.appendRecords((error, r) => {
      client.close();
      if (error) reject(error);
      else resolve(r as AppendResponse);
    });
  });
  const send = async (message: unknown) => {
    if (!call.write(message)) await once(call, 'drain');
  };
  void send({ header: { packageId } });
  return { call, response, send };
}

async function append(packageId: string, records: TestRecord[], as = edge): Promise<AppendResponse> {
  const stream = appendStream(packageId, as);
  for (const r of records) for (const m of messagesOf(r)) await stream.send(m);
  stream.call.end();
  return stream.response;
}

/** What the adapter computes on its side: chain head and Merkle root over its accepted records. */
function expected(records: TestRecord[]) {
  const acc = new RecordAccumulator();
  records.forEach((r, i) =>
    acc.add(
      encodeRecordMetadata({
        sequenceNumber: i + 1,
        requestType: r.requestType ?? 'REQUEST_TYPE_TRAFFIC_DATA',
        selectorId: 's1',
        recordTime: (r.time ?? new Date(Date.UTC(2026, 10, 20, 8, 0, r.seq))).toISOString(),
        contentType: 'text/csv',
        payloadSize: r.payload.length,
        payloadSha256: createHash('sha256').update(r.payload).digest('hex'),
      }),
    ),
  );
  return { count: acc.count, chainHead: Buffer.from(acc.chainHead), merkleRoot: Buffer.from(acc.merkleRoot) };
}

function adapterSigner(file = 'telco-a.main') {
  const certPem = readFileSync(join(pki, 'actors', `${file}.crt`), 'utf8');
  return { signer: pemStatementSigner(certPem, readFileSync(join(pki, 'actors', `${file}.key`), 'utf8')), certPem };
}

/** The adapter signs its origin statement; the call carries the signature, its chain and the signing time. */
async function complete(
  pkg: WirePackage,
  options: {
    file?: string;
    merkleRoot?: Buffer;
    provider?: string;
    withoutSignedAt?: boolean;
    /** The signedAt as the pre-field metadata fallback only (else the request's origin_signed_at). */
    signedAtAsMetadata?: boolean;
    /** A wrong origin_signed_at field next to the right metadata: the field must win. */
    wrongField?: boolean;
  } = {},
): Promise<WirePackage> {
  const now = await getPackage(pkg.packageId, edge);
  const { signer } = adapterSigner(options.file);
  const leaf = signer.certificates[0] as Uint8Array;
  const signedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
  const adapterUri = adapterUriOf(leaf);
  const merkleRoot = options.merkleRoot ?? now.merkleRoot;
  const statement = encodeOrigin({
    authorisationId: IDS.authorisationId,
    requestSha256: createHash('sha256').update(authorisation.request.statement).digest('hex'),
    taskId: (await taskOf(pkg)).taskId,
    uploadId: (await taskOf(pkg)).uploadId,
    providerId: options.provider ?? 'telco-a',
    adapterUri,
    recordCount: Number(now.recordCount),
    chainHead: hexOr(now.chainHead, '0'.repeat(64)),
    merkleRoot: hexOr(merkleRoot, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    signedAt: signedAt.toISOString(),
  });
  const value = await signer.sign(signatureInput('origin', statement));
  const metadata = new Metadata();
  if (!options.withoutSignedAt && (options.signedAtAsMetadata || options.wrongField)) {
    metadata.set(ORIGIN_SIGNED_AT_METADATA, signedAt.toISOString());
  }
  const fieldAt = options.wrongField ? new Date(signedAt.getTime() - 1000) : signedAt;
  const originSignedAt = options.withoutSignedAt || options.signedAtAsMetadata ? null : timestampFromDate(fieldAt);
  const client = createServiceClient('vault', address, edge) as unknown as Record<
    string,
    (r: unknown, m: Metadata, cb: (e: Error | null, r?: { evidencePackage: WirePackage }) => void) => void
  > & { close(): void };
  try {
    return await new Promise<WirePackage>((resolve, reject) =>
      client.completePackage.call(
        client,
        {
          packageId: pkg.packageId,
          recordCount: now.recordCount,
          chainHead: now.chainHead,
          merkleRoot,
          originSignature: {
            signerUri: adapterUri,
            algorithm: 'SIGNATURE_ALGORITHM_RSA_PSS_SHA256',
            value: Buffer.from(value),
            certificateSha256: createHash('sha256').update(leaf).digest(),
          },
          originCertificates: signer.certificates.map((c) => Buffer.from(c)),
          originSignedAt,
        },
        metadata,
        (e, r) => (e ? reject(e) : resolve((r as { evidencePackage: WirePackage }).evidencePackage)),
      ),
    );
  } finally {
    client.close();
  }
}

const uploads = new Map<string, { taskId: string; uploadId: string }>();
async function taskOf(pkg: WirePackage) {
  return uploads.get(pkg.packageId) as { taskId: string; uploadId: string };
}
async function newPackage(): Promise<WirePackage> {
  const taskId = randomUUID();
  const uploadId = randomUUID();
  const pkg = await begin(taskId, uploadId);
  uploads.set(pkg.packageId, { taskId, uploadId });
  return pkg;
}

/** The adapter's identity URI, from its certificate's subjectAltName. */
function adapterUriOf(leaf: Uint8Array): string {
  const san = new X509Certificate(Buffer.from(leaf)).subjectAltName ?? '';
  return (san.match(/URI:(evx:\/\/[^,\s]+)/) as RegExpMatchArray)[1] as string;
}

const hexOr = (b: Buffer, fallback: string) => (b.length === 0 ? fallback : b.toString('hex'));

/** Downloads the package file from `offset` as authority-api; returns the first message's file and the bytes. */
async function download(packageId: string, offset = 0, as = api) {
  const client = createServiceClient('vault', address, as) as unknown as {
    openPackage(r: unknown): ClientReadableStream<{
      file: { fileName: string; format: string; size: string; sha256: Buffer } | null;
      offset: string;
      data: Buffer;
      totalSize: string;
    }>;
    close(): void;
  };
  try {
    const stream = client.openPackage({
      packageId,
      offset: String(offset),
      onBehalfOfUri: 'evx://authority/police-hn/investigator/inv-1',
    });
    const chunks: Buffer[] = [];
    let file: { fileName: string; format: string; size: string; sha256: Buffer } | null = null;
    let first = true;
    for await (const m of stream) {
      if (first) file = m.file;
      else expect(m.file).toBeNull();
      expect(Number(m.offset)).toBe(offset + chunks.reduce((n, c) => n + c.length, 0));
      expect(m.data.length).toBeLessThanOrEqual(MiB);
      first = false;
      chunks.push(m.data);
    }
    return { file, bytes: Buffer.concat(chunks) };
  } finally {
    client.close();
  }
}

async function rejected(work: Promise<unknown>): Promise<GrpcError> {
  try {
    await work;
  } catch (error) {
    return error as GrpcError;
  }
  throw new Error('the call succeeded but was expected to fail');
}

const codeOf = (e: GrpcError) => e.metadata?.get('evx-error-code')[0];

async function dataFiles(tar: Buffer): Promise<Map<string, Buffer>> {
  const path = join(mkdtempSync(join(tmpdir(), 'evx-vault-pkg-')), 'p.tar');
  writeFileSync(path, tar);
  const bag = await extractBagArchive(path);
  try {
    const dir = join(bag.bagDir, 'data', 'records');
    const files = new Map<string, Buffer>();
    for (const name of readdirSync(dir).sort()) files.set(name, await readFile(join(dir, name)));
    return files;
  } finally {
    await bag.cleanup();
  }
}

interface LoggedEvent {
  action: string;
  actorUri: string;
  newState: string;
  reason: string;
  objects: { objectType: string; objectId: string }[];
}

/** The audit events in the vault's log that name `objectId`. */
async function auditOf(objectId: string): Promise<LoggedEvent[]> {
  const { treeSize } = await callUnary<{ treeSize: string }>('vault', address, 'getCheckpoint', {}, api);
  const { entries } = await callUnary<{ entries: { auditEvent: LoggedEvent | null }[] }>(
    'vault',
    address,
    'getLogEntries',
    { startIndex: '0', endIndex: treeSize },
    api,
  );
  return entries.flatMap((e) =>
    e.auditEvent && e.auditEvent.objects.some((o) => o.objectId === objectId) ? [e.auditEvent] : [],
  );
}

// ---- the tests ----

describe(`the vault's evidence packages (${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'})`, () => {
  let completed: { pkg: WirePackage; tar: Buffer };

  it('takes records, completes with the origin signature, and serves a file the offline verifier accepts', async () => {
    const pkg = await newPackage();
    expect(pkg.state).toBe('PACKAGE_STATE_OPEN');
    expect(await begin(uploads.get(pkg.packageId)?.taskId, uploads.get(pkg.packageId)?.uploadId)).toMatchObject({
      packageId: pkg.packageId,
    });
    const records = [sample(1), { ...sample(2, Math.floor(2.5 * MiB)) }, sample(3), { ...sample(4, 0) }];
    const response = await append(pkg.packageId, records);
    const want = expected(records);
    expect(response).toMatchObject({ durableSequenceNumber: '4', recordCount: '4', rejections: [] });
    // Only the 2.5 MiB payload has a file of its own; the others are in their record rows.
    expect(readdirSync(join(db.settings.dataDir, 'vault', 'packages', pkg.packageId, 'records'))).toHaveLength(1);
    expect(response.chainHead.equals(want.chainHead)).toBe(true);
    expect(response.merkleRoot.equals(want.merkleRoot)).toBe(true);

    const done = await complete(pkg);
    expect(done.state).toBe('PACKAGE_STATE_COMPLETE');
    expect(done.custodySignature?.signerUri).toBe('evx://service/vault');
    expect(Number(done.logIndex)).toBeGreaterThan(0);
    const again = await complete(pkg);
    expect(again.logIndex).toBe(done.logIndex);
    const closed = await rejected(append(pkg.packageId, [sample(5)]));
    expect([closed.code, codeOf(closed)]).toEqual([status.FAILED_PRECONDITION, 'INVALID_STATE']);

    const { file, bytes } = await download(pkg.packageId);
    expect(file).toMatchObject({ fileName: `evx-${pkg.packageId}.tar`, format: 'PACKAGE_FORMAT_TAR' });
    expect(Number(file?.size)).toBe(bytes.length);
    expect(file?.sha256.equals(createHash('sha256').update(bytes).digest())).toBe(true);
    const path = join(mkdtempSync(join(tmpdir(), 'evx-vault-pkg-')), 'package.tar');
    writeFileSync(path, bytes);
    const result = await verifyPackage(path, { trustDir: pki });
    expect(result.failure).toBeUndefined();
    expect(result.valid).toBe(true);
    // The same file on every download (the vault re-serves its stored file; it never re-signs).
    expect((await download(pkg.packageId)).bytes.equals(bytes)).toBe(true);
    completed = { pkg, tar: bytes };
    const events = await auditOf(pkg.packageId);
    expect(events.map((e) => [e.newState, e.action])).toEqual([
      ['PACKAGE_STATE_OPEN', 'AUDIT_ACTION_PACKAGE_STARTED'],
      ['PACKAGE_STATE_COMPLETE', 'AUDIT_ACTION_PACKAGE_COMPLETED'],
      ['PACKAGE_STATE_COMPLETE', 'AUDIT_ACTION_PACKAGE_DOWNLOADED'],
      ['PACKAGE_STATE_COMPLETE', 'AUDIT_ACTION_PACKAGE_DOWNLOADED'],
    ]);
    expect(events[1]?.reason).toContain(`at index ${done.logIndex}`);
    expect(events[2]?.actorUri).toBe('evx://authority/police-hn/investigator/inv-1');
  }, 120_000);

  it('opening from an offset returns the tail of the same file', async () => {
    const offset = completed.tar.length - 1000;
    const { file, bytes } = await download(completed.pkg.packageId, offset);
    expect(file?.size).toBe(String(completed.tar.length));
    expect(bytes.equals(completed.tar.subarray(offset))).toBe(true);
    expect(await rejected(download(completed.pkg.packageId, completed.tar.length + 1))).toMatchObject({
      code: status.OUT_OF_RANGE,
    });
  });

  it('ignores an identical resend and rejects a conflicting one', async () => {
    const pkg = await newPackage();
    await append(pkg.packageId, [sample(1), sample(2)]);
    const resend = await append(pkg.packageId, [sample(1), sample(2), sample(3)]);
    expect(resend).toMatchObject({ durableSequenceNumber: '3', recordCount: '3', rejections: [] });
    const changed = { ...sample(2), payload: Buffer.from('other content') };
    const conflict = await append(pkg.packageId, [changed]);
    expect(conflict.rejections).toEqual([
      expect.objectContaining({ sequenceNumber: '2', code: 'ERROR_CODE_SEQUENCE_CONFLICT' }),
    ]);
    expect(conflict).toMatchObject({ durableSequenceNumber: '3', recordCount: '3' });
    expect(conflict.chainHead.equals(expected([sample(1), sample(2), sample(3)]).chainHead)).toBe(true);
  });

  it('refuses a gap and ends the call with FAILED_PRECONDITION SEQUENCE_CONFLICT', async () => {
    const pkg = await newPackage();
    await append(pkg.packageId, [sample(1)]);
    const error = await rejected(append(pkg.packageId, [sample(3)]));
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(codeOf(error)).toBe('SEQUENCE_CONFLICT');
    expect((await getPackage(pkg.packageId)).durableSequenceNumber).toBe('1');
  });

  it('rejects a record whose payload_sha256 does not match and goes on with the next', async () => {
    const pkg = await newPackage();
    const bad = { ...sample(2), sha: createHash('sha256').update('something else').digest() };
    const response = await append(pkg.packageId, [sample(1), bad, sample(3)]);
    expect(response.rejections).toEqual([
      expect.objectContaining({ sequenceNumber: '2', code: 'ERROR_CODE_INTEGRITY_MISMATCH' }),
    ]);
    expect(response).toMatchObject({ durableSequenceNumber: '3', recordCount: '2' });
    expect(response.merkleRoot.equals(expected([sample(1), sample(3)]).merkleRoot)).toBe(true);
  });

  it('enforces the chunk rules', async () => {
    const pkg = await newPackage();
    const [first, second] = messagesOf(sample(1, 2 * MiB));
    const skipped = { record: { ...second?.record, chunkOffset: String(MiB + 1) } };
    const stream = appendStream(pkg.packageId);
    await stream.send(first);
    await stream.send(skipped);
    stream.call.end();
    const error = await rejected(stream.response);
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.message).toMatch(/chunk_offset/);
    expect((await getPackage(pkg.packageId)).durableSequenceNumber).toBe('0');
  });

  it('refuses CompletePackage values that differ from the stored records with DATA_LOSS', async () => {
    const pkg = await newPackage();
    await append(pkg.packageId, [sample(1), sample(2)]);
    const error = await rejected(complete(pkg, { merkleRoot: Buffer.alloc(32, 7) }));
    expect(error.code).toBe(status.DATA_LOSS);
    expect(error.metadata.get('evx-error-code')).toEqual(['INTEGRITY_MISMATCH']);
    expect(error.message).toMatch(/merkle_root/);
    expect((await getPackage(pkg.packageId)).state).toBe('PACKAGE_STATE_OPEN');
  });

  it("refuses an origin signature by another provider's adapter", async () => {
    const pkg = await newPackage();
    await append(pkg.packageId, [sample(1)]);
    // A bad origin signer is the caller's argument (INVALID_ARGUMENT SIGNATURE_INVALID), not an authorisation
    // failure: provider-edge would turn PERMISSION_DENIED into UNAVAILABLE and the adapter would retry forever.
    const error = await rejected(complete(pkg, { file: 'bank-b.main', provider: 'bank-b' }));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.metadata.get('evx-error-code')).toEqual(['SIGNATURE_INVALID']);
    expect(error.message).toMatch(/not an adapter of provider telco-a/);
    const unsigned = await rejected(complete(pkg, { withoutSignedAt: true }));
    expect([unsigned.code, unsigned.message]).toEqual([
      status.INVALID_ARGUMENT,
      expect.stringMatching(/origin_signed_at/),
    ]);
    // origin_signed_at wins over the metadata: a wrong field fails even next to the right metadata.
    const wrongField = await rejected(complete(pkg, { wrongField: true }));
    expect(wrongField.code).toBe(status.INVALID_ARGUMENT);
    expect(wrongField.metadata.get('evx-error-code')).toEqual(['SIGNATURE_INVALID']);
    const revoked = await rejected(complete(pkg, { file: 'telco-a.revoked' }));
    expect(revoked.code).toBe(status.INVALID_ARGUMENT);
    expect(revoked.metadata.get('evx-error-code')).toEqual(['SIGNATURE_INVALID']);
    expect((await getPackage(pkg.packageId)).state).toBe('PACKAGE_STATE_OPEN');
  });

  it('answers PERMISSION_DENIED to the wrong caller', async () => {
    expect((await rejected(begin(randomUUID(), randomUUID(), api))).code).toBe(status.PERMISSION_DENIED);
    expect((await rejected(append(completed.pkg.packageId, [sample(1)], api))).code).toBe(status.PERMISSION_DENIED);
    expect((await rejected(download(completed.pkg.packageId, 0, edge))).code).toBe(status.PERMISSION_DENIED);
    expect((await getPackage(completed.pkg.packageId, edge)).state).toBe('PACKAGE_STATE_COMPLETE');
  });

  it('after a stream cut mid-record, the resumed upload gives the same data/ as an uninterrupted one', async () => {
    const records = [sample(1), sample(2, 3 * MiB), sample(3)];
    const straight = await newPackage();
    await append(straight.packageId, records);
    await complete(straight);

    const resumed = await newPackage();
    const stream = appendStream(resumed.packageId);
    for (const m of messagesOf(records[0] as TestRecord)) await stream.send(m);
    const [firstChunk] = messagesOf(records[1] as TestRecord);
    await stream.send(firstChunk);
    for (;;) {
      if ((await getPackage(resumed.packageId, edge)).durableSequenceNumber === '1') break;
    }
    stream.call.cancel();
    expect((await rejected(stream.response)).code).toBe(status.CANCELLED);
    const state = await getPackage(resumed.packageId, edge);
    expect(state.durableSequenceNumber).toBe('1');
    await append(resumed.packageId, records.slice(Number(state.durableSequenceNumber)));
    await complete(resumed);

    const a = await dataFiles((await download(straight.packageId)).bytes);
    const b = await dataFiles((await download(resumed.packageId)).bytes);
    expect([...b.keys()]).toEqual([...a.keys()]);
    expect(a.size).toBe(6);
    for (const [name, bytes] of a) expect(b.get(name)?.equals(bytes)).toBe(true);
    // The 3 MiB record has its file and the cut-off attempt left none; the small records live in their rows.
    expect(readdirSync(join(db.settings.dataDir, 'vault', 'packages', resumed.packageId, 'records'))).toHaveLength(1);
  }, 120_000);

  it('keeps payloads up to 64 KiB in their rows and larger ones in files; the package holds both unchanged', async () => {
    const records = [sample(1, 64 * 1024), sample(2, 64 * 1024 + 1), sample(3, 0), sample(4, 700)];
    const pkg = await newPackage();
    expect(await append(pkg.packageId, records)).toMatchObject({ durableSequenceNumber: '4', rejections: [] });
    const folder = join(db.settings.dataDir, 'vault', 'packages', pkg.packageId, 'records');
    expect(readdirSync(folder)).toEqual([expect.stringMatching(/^00000002-[0-9a-f]{12}\.bin$/)]);
    await complete(pkg);
    const files = await dataFiles((await download(pkg.packageId)).bytes);
    expect(files.size).toBe(8);
    for (const r of records) expect(files.get(basename(recordPayloadPath(r.seq)))?.equals(r.payload)).toBe(true);
  }, 120_000);

  it('rejects ZIP with UNIMPLEMENTED and an open package with FAILED_PRECONDITION', async () => {
    const client = createServiceClient('vault', address, api) as unknown as {
      openPackage(r: unknown): ClientReadableStream<unknown>;
      close(): void;
    };
    const zip = client.openPackage({
      packageId: completed.pkg.packageId,
      format: 'PACKAGE_FORMAT_ZIP',
      onBehalfOfUri: 'evx://authority/police-hn/investigator/inv-1',
    });
    const error = await rejected(
      (async () => {
        for await (const _ of zip) void _;
      })(),
    );
    client.close();
    expect(error.code).toBe(status.UNIMPLEMENTED);
    const open = await newPackage();
    expect(codeOf(await rejected(download(open.packageId)))).toBe('INVALID_STATE');
  });

  it('sealing the order seals its complete packages, and one completed afterwards ends SEALED', async () => {
    const pending = await newPackage();
    await append(pending.packageId, [sample(1)]);
    const sealed = await callUnary<{ evidencePackages: WirePackage[]; logIndex: string }>(
      'vault',
      address,
      'sealEvidence',
      {
        authorisationId: IDS.authorisationId,
        reason: 'SEAL_REASON_EMERGENCY_VALIDATION_REJECTED',
        details: 'validation refused',
        onBehalfOfUri: 'evx://authority/police-hn/judge/judge-1',
      },
      api,
    );
    expect(sealed.evidencePackages.map((p) => p.packageId)).toContain(completed.pkg.packageId);
    expect(sealed.evidencePackages.every((p) => p.state === 'PACKAGE_STATE_SEALED' && p.sealedAt)).toBe(true);
    const error = await rejected(download(completed.pkg.packageId));
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(codeOf(error)).toBe('EVIDENCE_SEALED');
    const late = await complete(pending);
    expect(late.state).toBe('PACKAGE_STATE_SEALED');
    expect(codeOf(await rejected(download(pending.packageId)))).toBe('EVIDENCE_SEALED');
  }, 60_000);
});
