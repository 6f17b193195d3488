// CompletePackage: the provider's origin signature is checked against the PROVIDER trust anchor at the time of
// receipt, the vault countersigns (custody), the commitment goes to the log, and the package file is built from the
// stored records and stored signatures. Every value that must not change on a retry (receipt time, both signatures)
// is stored before the step that depends on it, so a retry after a crash rebuilds the same leaf and finds the same
// log entry instead of adding a second.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { defaultHashWorkers, HashPool } from '#evx/bagit';
import {
  buildPackage,
  encodeOrigin,
  encodeSignatureEnvelope,
  FormatError,
  parseRecordMetadata,
  parseSignatureEnvelope,
  pemStatementSigner,
  SIGNATURE_ALGORITHM,
  signerIdentityAt,
  TrustError,
  verifySignatureValue,
  type PackageRecordInput,
  type StatementSigner,
} from '#evx/evidence-package';
import { EvxError } from '#evx/errors';
import { LogAppender, TransparencyLog, TransparencyLogAnchor } from '#evx/log';
import type { TrustStore } from '#evx/pki';
import type { CompletePackageRequest } from '#evx/proto';
import { loadServiceKeyPair, TRUST_STORE } from '#evx/transport';
import { LOG_APPENDER, TRANSPARENCY_LOG } from '../log.providers.js';
import type { EvidencePackageEntity } from '../persistence/evidence-package.entities.js';
import { VaultConfig } from '../vault.config.js';
import { decodeAuthorisation, EvidencePackageService, VAULT_URI } from './evidence-package.service.js';
import { PackageChain } from './package-chain.js';

const PAGE = 500;

/** Payload files from this size on are hashed on worker threads while the package is written (smaller: here). */
const WORKER_HASH_BYTES = 1024 * 1024;

export interface CompleteCommand {
  readonly request: CompletePackageRequest;
  /** The origin statement's signedAt, as the adapter signed it. */
  readonly originSignedAt: Date | undefined;
  readonly requestedBy: string;
}

@Injectable()
export class PackageCompletionService implements OnModuleDestroy {
  private readonly custodySigner: StatementSigner;
  private readonly anchor: TransparencyLogAnchor;
  /** One completion per package at a time in this process (the stored values make a concurrent one harmless). */
  private readonly running = new Map<string, Promise<EvidencePackageEntity>>();
  /** Hashing threads for large payload files, started with the first one. */
  private hashPool?: HashPool;
  private stopping = false;

  constructor(
    private readonly packages: EvidencePackageService,
    @Inject(TRUST_STORE) private readonly trust: TrustStore,
    @Inject(LOG_APPENDER) appender: LogAppender,
    @Inject(TRANSPARENCY_LOG) log: TransparencyLog,
    @Inject(VaultConfig) config: VaultConfig,
  ) {
    const pair = loadServiceKeyPair(config.certsDir, 'vault');
    this.custodySigner = pemStatementSigner(pair.certPem, pair.keyPem);
    this.anchor = new TransparencyLogAnchor(log, appender);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.hashPool?.close();
    this.hashPool = undefined;
  }

  async complete(command: CompleteCommand): Promise<EvidencePackageEntity> {
    const packageId = command.request.packageId;
    // Chained synchronously: a third call queues behind the second, never beside it.
    const previous = this.running.get(packageId) ?? Promise.resolve();
    const work = previous.catch(() => undefined).then(() => this.completeOnce(command));
    this.running.set(packageId, work);
    try {
      return await work;
    } finally {
      if (this.running.get(packageId) === work) this.running.delete(packageId);
    }
  }

  private async completeOnce(command: CompleteCommand): Promise<EvidencePackageEntity> {
    const { request } = command;
    let row = await this.packages.get(request.packageId);
    checkValues(row, request);
    if (row.state !== 'PACKAGE_STATE_OPEN') return row;
    if (!row.originSignature) row = await this.acceptOrigin(row, command);
    return this.finish(row, command.requestedBy);
  }

  /** Checks the origin signature and stores it with the receipt time: from here on the completion is fixed. */
  private async acceptOrigin(row: EvidencePackageEntity, command: CompleteCommand): Promise<EvidencePackageEntity> {
    const { request } = command;
    const signature = request.originSignature;
    if (!signature || signature.value.length === 0)
      throw new EvxError('invalid-argument', 'origin_signature is required');
    if (signature.algorithm !== SIGNATURE_ALGORITHM) {
      throw new EvxError(
        'invalid-argument',
        `origin_signature.algorithm must be ${SIGNATURE_ALGORITHM}`,
        'SIGNATURE_INVALID',
      );
    }
    const certificates = request.originCertificates.map((c) => new Uint8Array(c));
    const [leaf] = certificates;
    if (!leaf || certificates.length > 16) {
      throw new EvxError('invalid-argument', 'origin_certificates must hold 1 to 16 certificates, the signer first');
    }
    this.checkChainExtras(certificates.slice(1));
    if (!command.originSignedAt) {
      throw new EvxError('invalid-argument', 'origin_signed_at (the signedAt of the origin statement) is missing');
    }
    const receivedAt = new Date(Math.max(Date.now(), row.createdAt));
    if (command.originSignedAt.getTime() > receivedAt.getTime()) {
      throw new EvxError('invalid-argument', 'the origin statement is signed in the future (signedAt after receipt)');
    }
    let identity;
    try {
      identity = signerIdentityAt(leaf, this.trust, receivedAt, receivedAt);
    } catch (error) {
      if (error instanceof TrustError || error instanceof FormatError) {
        throw new EvxError('invalid-argument', `origin signer refused: ${error.message}`, 'SIGNATURE_INVALID');
      }
      throw error;
    }
    if (identity.kind !== 'adapter' || identity.domain !== 'provider' || identity.provider !== row.providerId) {
      throw new EvxError(
        'invalid-argument',
        `the origin signer ${identity.uri} is not an adapter of provider ${row.providerId}`,
        'SIGNATURE_INVALID',
      );
    }
    const envelope = {
      algorithm: SIGNATURE_ALGORITHM,
      signerUri: identity.uri,
      certificateSha256: sha256Hex(leaf),
      certificates,
      value: new Uint8Array(signature.value),
    } as const;
    if (
      signature.signerUri !== identity.uri ||
      Buffer.from(signature.certificateSha256).toString('hex') !== envelope.certificateSha256
    ) {
      throw new EvxError(
        'invalid-argument',
        'origin_signature.signer_uri and certificate_sha256 must name origin_certificates[0]',
        'SIGNATURE_INVALID',
      );
    }
    const authorisation = decodeAuthorisation(row.authorisation);
    const statement = encodeOrigin({
      authorisationId: row.authorisationId,
      requestSha256: sha256Hex(authorisation.request.statement),
      taskId: row.taskId,
      uploadId: row.uploadId,
      providerId: row.providerId,
      adapterUri: identity.uri,
      recordCount: row.recordCount,
      chainHead: row.chainHead,
      merkleRoot: rootOf(row),
      signedAt: command.originSignedAt.toISOString(),
    });
    try {
      verifySignatureValue('origin', statement, envelope.value, leaf);
    } catch (error) {
      throw new EvxError('invalid-argument', `origin_signature: ${(error as Error).message}`, 'SIGNATURE_INVALID');
    }
    const values = {
      receivedAt: receivedAt.getTime(),
      originSignature: Buffer.from(encodeSignatureEnvelope(envelope)).toString('utf8'),
      originSignedAt: command.originSignedAt.getTime(),
    };
    if (!(await this.packages.store.fixCompletion(row.packageId, row.recordCount, values))) {
      throw new EvxError(
        'failed-precondition',
        `package ${row.packageId} changed while it was being completed (a record was added): read its state and sign again`,
        'INVALID_STATE',
      );
    }
    return { ...row, ...values };
  }

  /** Custody, log, file, state: repeatable from the stored values until the state says COMPLETE. */
  private async finish(row: EvidencePackageEntity, requestedBy: string): Promise<EvidencePackageEntity> {
    const { files, store } = this.packages;
    const origin = parseSignatureEnvelope(Buffer.from(row.originSignature as string, 'utf8'));
    let custodySignature = row.custodySignature;
    const custodySigner: StatementSigner = {
      certificates: this.custodySigner.certificates,
      sign: async (input) => {
        if (custodySignature) return parseSignatureEnvelope(Buffer.from(custodySignature, 'utf8')).value;
        const value = await this.custodySigner.sign(input);
        custodySignature = Buffer.from(
          encodeSignatureEnvelope({
            algorithm: SIGNATURE_ALGORITHM,
            signerUri: VAULT_URI,
            certificateSha256: sha256Hex(this.custodySigner.certificates[0] as Uint8Array),
            certificates: this.custodySigner.certificates,
            value,
          }),
        ).toString('utf8');
        return value;
      },
    };
    const temp = files.tempPackagePath(row.packageId);
    let built;
    try {
      built = await buildPackage({
        packageId: row.packageId,
        authorisationId: row.authorisationId,
        taskId: row.taskId,
        uploadId: row.uploadId,
        providerId: row.providerId,
        authorisation: decodeAuthorisation(row.authorisation),
        records: this.recordsOf(row.packageId),
        origin: {
          signer: replaySigner(origin.certificates, origin.value),
          signedAt: new Date(row.originSignedAt as number),
        },
        custody: {
          signer: custodySigner,
          receivedAt: new Date(row.receivedAt as number),
          events: [
            {
              event: 'package-opened',
              at: new Date(row.createdAt),
              actorUri: VAULT_URI,
              details: { uploadId: row.uploadId },
            },
          ],
        },
        log: {
          commit: async (leaf) => {
            // The countersignature is kept before its commitment enters the log: a retry signs nothing new.
            if (custodySignature !== row.custodySignature) {
              // Only the first countersignature counts: a completion elsewhere that stored one first wins, and
              // this one is retried from the stored values.
              if (!(await store.fixCustodySignature(row.packageId, custodySignature as string))) {
                throw new EvxError(
                  'unavailable',
                  `package ${row.packageId} is being completed by another call; retry the completion`,
                );
              }
            }
            return this.anchor.commit(leaf);
          },
        },
        out: temp,
        spoolDir: files.folder(row.packageId),
      });
      await files.publishPackage(row.packageId, temp);
    } catch (error) {
      await files.remove(temp);
      if (error instanceof FormatError) {
        throw new EvxError('failed-precondition', `the package cannot be built: ${error.message}`, 'INVALID_STATE');
      }
      throw error;
    }
    const seal = await this.packages.sealOf(row.authorisationId);
    const completedAt = Date.now();
    const state = seal ? 'PACKAGE_STATE_SEALED' : 'PACKAGE_STATE_COMPLETE';
    await this.packages.audit.record({
      eventId: `package-complete-${row.packageId}`,
      actorUri: requestedBy,
      action: 'AUDIT_ACTION_PACKAGE_COMPLETED',
      objects: [
        { type: 'OBJECT_TYPE_EVIDENCE_PACKAGE', id: row.packageId },
        { type: 'OBJECT_TYPE_TASK', id: row.taskId },
        { type: 'OBJECT_TYPE_AUTHORISATION', id: row.authorisationId },
      ],
      oldState: 'PACKAGE_STATE_OPEN',
      newState: state,
      reason:
        `package of ${built.recordCount} records (${built.payloadBytes} bytes) signed by ${origin.signerUri}, ` +
        `countersigned and committed to the log at index ${built.logIndex}; file sha256 ${built.sha256}`,
      occurredAt: new Date(completedAt),
    });
    const values: Partial<EvidencePackageEntity> = {
      state,
      custodySignature,
      logIndex: built.logIndex,
      completedAt,
      fileSize: built.size,
      fileSha256: built.sha256,
      ...(seal ? { sealedAt: seal.sealedAt } : {}),
    };
    await store.update(row.packageId, values);
    return { ...row, ...values };
  }

  /** The accepted records from the database and the disk, in package order, one page in memory at a time. */
  private async *recordsOf(packageId: string): AsyncGenerator<PackageRecordInput> {
    let after = 0;
    for (;;) {
      const page = await this.packages.store.records(packageId, after, PAGE);
      for (const r of page) {
        const m = parseRecordMetadata(Buffer.from(r.metadata, 'utf8'));
        yield {
          requestType: m.requestType,
          selectorId: m.selectorId,
          recordTime: new Date(m.recordTime),
          contentType: m.contentType,
          payloadSize: m.payloadSize,
          payloadSha256: m.payloadSha256,
          payload: r.payload ?? this.packages.files.openPayload(packageId, r.payloadFile),
          ...(r.payload === null && m.payloadSize >= WORKER_HASH_BYTES && !this.stopping
            ? {
                payloadDigest: this.digestOf(
                  join(this.packages.files.recordsFolder(packageId), r.payloadFile),
                  m.payloadSize,
                ),
              }
            : {}),
        };
        after = r.position;
      }
      if (page.length < PAGE) return;
    }
  }

  /**
   * SHA-256 of a payload file, read and hashed on a worker thread while this thread streams the same file into the
   * package (the build then makes one pass over the bytes here instead of two). The build still compares it with the
   * stored metadata's `payloadSha256`. Both threads read the same stored file, seconds apart: a change to the file in
   * between would give a package whose manifest does not match its bytes, which every verifier refuses.
   */
  private digestOf(file: string, size: number): Promise<string> {
    const pool = (this.hashPool ??= new HashPool(defaultHashWorkers()));
    const digest = pool.hash({ file, start: 0, length: size, noFollow: true }, ['sha256']).then((outcome) => {
      if (outcome.error === 'no hashing thread is running' && this.hashPool === pool) {
        // Every thread died: the next build starts new ones instead of failing until the vault restarts.
        this.hashPool = undefined;
        void pool.close();
      }
      if (outcome.error !== undefined || outcome.digests?.sha256 === undefined) {
        throw new Error(`cannot hash ${file}: ${outcome.error ?? 'no digest'}`);
      }
      if (outcome.octets !== size) throw new Error(`${file} holds ${outcome.octets} bytes, the record says ${size}`);
      return outcome.digests.sha256;
    });
    // Awaited by the build when it reaches this record; a failure before then must not count as unhandled.
    digest.catch(() => undefined);
    return digest;
  }

  /** Further certificates go into the package, where a verifier accepts only the provider CA's own. */
  private checkChainExtras(extras: readonly Uint8Array[]): void {
    const cas = this.trust.cas('provider');
    const allowed = cas ? [cas.intermediate.certificate.raw, cas.root.certificate.raw] : [];
    for (const der of extras) {
      if (!allowed.some((a) => Buffer.compare(a, Buffer.from(der)) === 0)) {
        throw new EvxError(
          'invalid-argument',
          'origin_certificates after the first must be the provider intermediate or root CA certificate',
          'SIGNATURE_INVALID',
        );
      }
    }
  }
}

/** The values the provider signed must be what the vault holds. */
function checkValues(row: EvidencePackageEntity, request: CompletePackageRequest): void {
  const mismatches: string[] = [];
  if (String(row.recordCount) !== String(request.recordCount || '0')) {
    mismatches.push(`record_count ${request.recordCount} (the vault holds ${row.recordCount})`);
  }
  // An empty package reports empty chain_head and merkle_root (evidence.proto); its signed values are h_0 and H("").
  const empty = row.recordCount === 0;
  const sent = (bytes: Uint8Array | undefined, none: string) => {
    const hex = Buffer.from(bytes ?? []).toString('hex');
    return empty && hex === '' ? none : hex;
  };
  if (sent(request.chainHead, row.chainHead) !== row.chainHead) {
    mismatches.push(`chain_head (the vault holds ${row.chainHead})`);
  }
  if (sent(request.merkleRoot, rootOf(row)) !== rootOf(row)) {
    mismatches.push(`merkle_root (the vault holds ${rootOf(row)})`);
  }
  if (mismatches.length > 0) {
    throw dataLoss(
      `package ${row.packageId}: the signed values differ from the stored records: ${mismatches.join('; ')}`,
    );
  }
}

/** The stored frontier gives the root without reading any record. */
function rootOf(row: EvidencePackageEntity): string {
  const chain = PackageChain.fromStored(row.recordCount, row.chainHead, row.merkleFrontier);
  return Buffer.from(chain.merkleRoot).toString('hex');
}

/** DATA_LOSS with the code INTEGRITY_MISMATCH: the signed values differ from what the vault holds. */
export function dataLoss(message: string): EvxError {
  return new EvxError('data-loss', message, 'INTEGRITY_MISMATCH');
}

/** A signer that gives back a stored signature value: the builder re-renders, it never re-signs. */
function replaySigner(certificates: readonly Uint8Array[], value: Uint8Array): StatementSigner {
  return { certificates, sign: async () => value };
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
