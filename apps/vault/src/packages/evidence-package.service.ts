// The vault's package store: opens a package per upload, takes records into it (RecordIntake), completes it with
// the provider's origin signature and the vault's custody countersignature, commits it to the log, builds the
// package file, and serves that file to authority-api unless the order's evidence is sealed.
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { bundleFromWire } from '#evx/authorisation';
import { parseAuthorisationRequest, type SignedAuthorisation } from '#evx/evidence-package';
import { EvxError } from '#evx/errors';
import { LogAppender, TransparencyLog } from '#evx/log';
import type { AuthorisationBundle } from '#evx/proto';
import { LOG_APPENDER, TRANSPARENCY_LOG } from '../log.providers.js';
import { EvidenceSealService } from '../evidence-seal.service.js';
import { EvidencePackageEntity } from '../persistence/evidence-package.entities.js';
import { VaultConfig } from '../vault.config.js';
import { EvidencePackageStore } from './evidence-package.store.js';
import { PackageAudit, VAULT_URI } from './package-audit.js';
import { PackageChain } from './package-chain.js';
import { InlinePayload, PackageFiles } from './package-files.store.js';
import { RecordIntake, type GroupPolicy } from './record-intake.js';

/**
 * Group commit of AppendRecords: up to 16 MiB or 64 records are fsynced in one round and committed in one
 * transaction; a record waits at most 20 ms for others (issue #6, figure 1).
 */
const INTAKE_GROUPS: GroupPolicy = { maxBytes: 16 * 1024 * 1024, maxRecords: 64, maxDelayMs: 20 };

/** Payloads up to this size are stored in their record's row, larger ones in a file of their own. */
export const INLINE_PAYLOAD_BYTES = 64 * 1024;

export interface BeginPackageCommand {
  readonly authorisationId: string;
  readonly taskId: string;
  readonly uploadId: string;
  readonly providerId: string;
  readonly bundle: AuthorisationBundle | null | undefined;
  /** The EVX service asking (its certificate URI). */
  readonly requestedBy: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PROVIDER = /^[a-z0-9][a-z0-9-]{0,62}$/;

@Injectable()
export class EvidencePackageService {
  readonly store: EvidencePackageStore;
  readonly files: PackageFiles;
  readonly audit: PackageAudit;
  private readonly maxRecordBytes: number;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(LOG_APPENDER) appender: LogAppender,
    @Inject(TRANSPARENCY_LOG) log: TransparencyLog,
    @Inject(VaultConfig) config: VaultConfig,
    private readonly seals: EvidenceSealService,
  ) {
    this.store = new EvidencePackageStore(dataSource);
    this.files = new PackageFiles(config.dataDir);
    this.audit = new PackageAudit(appender, log);
    this.maxRecordBytes = config.maxRecordBytes;
  }

  /** Opens the package of an upload, or returns the one that exists (idempotent on task and upload). */
  async begin(command: BeginPackageCommand): Promise<EvidencePackageEntity> {
    checkIds(command);
    const packageId = packageIdOf(command.taskId, command.uploadId);
    const existing = await this.store.findByUpload(command.taskId, command.uploadId);
    if (existing) return sameUpload(existing, command);
    const authorisation = signedAuthorisationOf(command);
    const now = Date.now();
    await this.audit.record({
      eventId: `package-begin-${packageId}`,
      actorUri: command.requestedBy,
      action: 'AUDIT_ACTION_PACKAGE_STARTED',
      objects: [
        { type: 'OBJECT_TYPE_EVIDENCE_PACKAGE', id: packageId },
        { type: 'OBJECT_TYPE_UPLOAD', id: command.uploadId },
        { type: 'OBJECT_TYPE_TASK', id: command.taskId },
        { type: 'OBJECT_TYPE_AUTHORISATION', id: command.authorisationId },
      ],
      newState: 'PACKAGE_STATE_OPEN',
      reason: `evidence package opened for upload ${command.uploadId} of provider ${command.providerId}`,
      occurredAt: new Date(now),
    });
    await this.files.ensureFolders(packageId);
    const empty = PackageChain.empty().stored;
    const row = await this.store.insert({
      packageId,
      authorisationId: command.authorisationId,
      taskId: command.taskId,
      uploadId: command.uploadId,
      providerId: command.providerId,
      state: 'PACKAGE_STATE_OPEN',
      authorisation: encodeAuthorisation(authorisation),
      durableSeq: 0,
      recordCount: 0,
      payloadBytes: 0,
      ...empty,
      createdAt: now,
      receivedAt: null,
      originSignature: null,
      originSignedAt: null,
      custodySignature: null,
      logIndex: null,
      completedAt: null,
      sealedAt: null,
      fileSize: null,
      fileSha256: null,
    });
    return sameUpload(row, command);
  }

  get(packageId: string): Promise<EvidencePackageEntity> {
    return this.store.get(packageId);
  }

  /** The intake for one AppendRecords stream, starting from what is durable. */
  async intake(packageId: string): Promise<RecordIntake> {
    const row = await this.store.get(packageId);
    if (row.state !== 'PACKAGE_STATE_OPEN' || row.originSignature !== null) {
      throw new EvxError(
        'failed-precondition',
        `package ${packageId} is ${row.originSignature ? 'being completed' : row.state}: it takes no more records`,
        'INVALID_STATE',
      );
    }
    return new RecordIntake(
      {
        createPayload: async (seq, size) =>
          size <= INLINE_PAYLOAD_BYTES ? new InlinePayload() : this.files.createPayload(packageId, seq),
        storedRecord: async (seq) => (await this.store.storedRecord(packageId, seq)) ?? undefined,
        commitRecord: (record) => this.store.commitRecord(packageId, record, Date.now()),
        commitRejection: (seq) => this.store.commitRejection(packageId, seq),
        commitGroup: (group) => this.store.commitGroup(packageId, group, Date.now()),
        syncFolder: () => this.files.syncRecordsFolder(packageId),
      },
      {
        durableSequenceNumber: row.durableSeq,
        payloadBytes: row.payloadBytes,
        chain: PackageChain.fromStored(row.recordCount, row.chainHead, row.merkleFrontier),
      },
      this.maxRecordBytes,
      INTAKE_GROUPS,
    );
  }

  /** Seals the order's evidence: the seal itself (EvidenceSealService), then its complete packages. */
  async seal(...args: Parameters<EvidenceSealService['seal']>) {
    const seal = await this.seals.seal(...args);
    const packages = await this.store.seal(seal.authorisationId, seal.sealedAt);
    return { seal, packages: packages.filter((p) => p.state === 'PACKAGE_STATE_SEALED') };
  }

  isSealed(authorisationId: string): Promise<boolean> {
    return this.seals.isSealed(authorisationId);
  }

  sealOf(authorisationId: string) {
    return this.seals.sealOf(authorisationId);
  }
}

/**
 * Deterministic, so a BeginPackage retried after a lost answer names the same package: a UUID (version 8, RFC 9562
 * custom) from SHA-256 of the task and upload ids.
 */
export function packageIdOf(taskId: string, uploadId: string): string {
  const h = createHash('sha256').update(`evx-package\n${taskId}\n${uploadId}`).digest();
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

function checkIds(c: BeginPackageCommand): void {
  for (const [field, value] of [
    ['authorisation_id', c.authorisationId],
    ['task_id', c.taskId],
    ['upload_id', c.uploadId],
  ] as const) {
    if (!UUID.test(value)) throw new EvxError('invalid-argument', `${field} must be a lowercase UUID, got "${value}"`);
  }
  if (!PROVIDER.test(c.providerId)) {
    throw new EvxError('invalid-argument', 'provider_id must be 1 to 63 lowercase letters, digits or dashes');
  }
}

function sameUpload(row: EvidencePackageEntity, c: BeginPackageCommand): EvidencePackageEntity {
  if (row.authorisationId !== c.authorisationId || row.providerId !== c.providerId) {
    throw new EvxError(
      'already-exists',
      `upload ${c.uploadId} of task ${c.taskId} already has package ${row.packageId} for another order or provider`,
      'IDEMPOTENCY_CONFLICT',
    );
  }
  return row;
}

/** The order's signed files as they go into the package, checked to be about this order and provider. */
function signedAuthorisationOf(c: BeginPackageCommand): SignedAuthorisation {
  if (!c.bundle) throw new EvxError('invalid-argument', 'bundle is required: the signed order goes into the package');
  const bundle = bundleFromWire(c.bundle);
  if (!bundle.requestSignature) {
    throw new EvxError('invalid-argument', 'bundle.requester_signature is missing: a draft order has no evidence');
  }
  if (bundle.approvals.length === 0) throw new EvxError('invalid-argument', 'bundle has no approvals');
  let request;
  try {
    request = parseAuthorisationRequest(bundle.request);
  } catch (error) {
    throw new EvxError('invalid-argument', `bundle.canonical_request: ${(error as Error).message}`);
  }
  if (request.authorisationId !== c.authorisationId || request.targetProviderId !== c.providerId) {
    throw new EvxError(
      'invalid-argument',
      `the bundle is order ${request.authorisationId} to ${request.targetProviderId}, not ${c.authorisationId} to ${c.providerId}`,
    );
  }
  return {
    request: { statement: bundle.request, signature: bundle.requestSignature },
    approvals: bundle.approvals.map((a) => ({ statement: a.statement, signature: a.signature })),
  };
}

export function encodeAuthorisation(a: SignedAuthorisation): string {
  const b64 = (s: { statement: Uint8Array; signature: Uint8Array }) => ({
    statement: Buffer.from(s.statement).toString('base64'),
    signature: Buffer.from(s.signature).toString('base64'),
  });
  return JSON.stringify({ request: b64(a.request), approvals: a.approvals.map(b64) });
}

export function decodeAuthorisation(text: string): SignedAuthorisation {
  type B64 = { statement: string; signature: string };
  const doc = JSON.parse(text) as { request: B64; approvals: B64[] };
  const bytes = (s: B64) => ({
    statement: Buffer.from(s.statement, 'base64'),
    signature: Buffer.from(s.signature, 'base64'),
  });
  return { request: bytes(doc.request), approvals: doc.approvals.map(bytes) };
}

export { VAULT_URI };
