// GetUploadState and CompleteTask: what the vault holds for the task's upload (with provider-edge's rejections,
// in the adapter's numbering), and the completion that has the vault seal it with the adapter's origin signature.
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { EvxError } from '#evx/errors';
import type { AdapterIdentity, TrustStore } from '#evx/pki';
import type {
  CompleteTaskRequest,
  CompleteTaskResponse,
  EvidencePackage,
  GetUploadStateRequest,
  GetUploadStateResponse,
  Task,
  Timestamp,
} from '#evx/proto';
import { TRUST_STORE } from '#evx/transport';
import { UploadEntity, UploadRejectionEntity } from '../persistence/exchange.entities.js';
import { refusalFrom } from './task-actions.service.js';
import { TaskChangeRunner, taskFacts } from './task-change.runner.js';
import { FINISHED, requireActive, requireCurrentGeneration, requireKnownSelectors } from './task-rules.js';
import { adapterDurable } from './upload-numbering.js';
import { VaultPackages } from './vault-packages.js';

@Injectable()
export class UploadCompletionService {
  /** The completion running for a task in this process. */
  private readonly running = new Map<string, Promise<CompleteTaskResponse>>();

  constructor(
    private readonly tasks: TaskChangeRunner,
    private readonly packages: VaultPackages,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TRUST_STORE) private readonly trust: TrustStore,
  ) {}

  async state(adapter: AdapterIdentity, request: GetUploadStateRequest): Promise<GetUploadStateResponse> {
    const { task } = await this.tasks.read(adapter, request.taskId);
    const upload = await this.uploadOf(task, request.uploadId, request.uploadId !== '');
    if (!upload || upload.packageId === '') {
      return {
        uploadId: upload?.uploadId ?? '',
        durableSequenceNumber: '0',
        recordCount: '0',
        payloadBytes: '0',
        chainHead: Buffer.alloc(0),
        merkleRoot: Buffer.alloc(0),
        rejections: [],
        completed: false,
      };
    }
    const pkg = await this.packages.get(upload.packageId);
    const rejections = await this.dataSource
      .getRepository(UploadRejectionEntity)
      .find({ where: { uploadId: upload.uploadId }, order: { sequenceNumber: 'ASC' } });
    const edge = rejections.filter((r) => r.origin === 'edge').map((r) => r.sequenceNumber);
    return {
      uploadId: upload.uploadId,
      durableSequenceNumber: String(adapterDurable(Number(pkg.durableSequenceNumber), edge)),
      recordCount: pkg.recordCount,
      payloadBytes: pkg.payloadBytes,
      chainHead: pkg.chainHead,
      merkleRoot: pkg.merkleRoot,
      rejections: rejections.map((r) => ({
        sequenceNumber: String(r.sequenceNumber),
        code: r.code as GetUploadStateResponse['rejections'][number]['code'],
        reason: r.reason,
      })),
      completed: upload.completedAt !== null || pkg.state !== 'PACKAGE_STATE_OPEN',
    };
  }

  async complete(
    adapter: AdapterIdentity,
    certificate: Buffer,
    request: CompleteTaskRequest,
    originSignedAt: Timestamp | undefined,
  ): Promise<CompleteTaskResponse> {
    const partial = request.outcome === 'COMPLETION_OUTCOME_PARTIALLY_FULFILLED';
    if (request.outcome !== 'COMPLETION_OUTCOME_FULFILLED' && !partial) {
      throw new EvxError('invalid-argument', 'outcome must be COMPLETION_OUTCOME_FULFILLED or _PARTIALLY_FULFILLED');
    }
    if (partial && !request.unfulfilled) {
      throw new EvxError(
        'invalid-argument',
        'unfulfilled (the grounds for what is missing) is required for PARTIALLY_FULFILLED',
      );
    }
    if (!partial && request.unfulfilled) {
      throw new EvxError(
        'invalid-argument',
        'unfulfilled is only for PARTIALLY_FULFILLED; a fulfilled task leaves nothing out',
      );
    }
    const unfulfilledOf = request.unfulfilled
      ? refusalFrom(adapter, request.unfulfilled, 'unfulfilled.ground')
      : undefined;
    const count = Number(request.recordCount);
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new EvxError(
        'invalid-argument',
        'record_count must be at least 1; when nothing can be given, use RefuseTask',
      );
    }
    if (request.chainHead.length !== 32 || request.merkleRoot.length !== 32) {
      throw new EvxError('invalid-argument', 'chain_head and merkle_root must be 32-byte SHA-256 values');
    }
    const signature = request.originSignature;
    if (!signature || signature.value.length === 0 || signature.signerUri !== adapter.uri) {
      throw new EvxError(
        'invalid-argument',
        `origin_signature is required, signed by the calling adapter (${adapter.uri}) over its origin statement`,
        'SIGNATURE_INVALID',
      );
    }

    // One completion of a task at a time here; the transactional checks below hold across processes.
    const previous = this.running.get(request.taskId) ?? Promise.resolve();
    const work = previous
      .catch(() => undefined)
      .then(() => this.completeOnce(adapter, certificate, request, originSignedAt, unfulfilledOf));
    this.running.set(request.taskId, work);
    try {
      return await work;
    } finally {
      if (this.running.get(request.taskId) === work) this.running.delete(request.taskId);
    }
  }

  private async completeOnce(
    adapter: AdapterIdentity,
    certificate: Buffer,
    request: CompleteTaskRequest,
    originSignedAt: Timestamp | undefined,
    unfulfilledOf: ((now: Date) => Task['refusal']) | undefined,
  ): Promise<CompleteTaskResponse> {
    const partial = request.outcome === 'COMPLETION_OUTCOME_PARTIALLY_FULFILLED';
    const count = Number(request.recordCount);
    const { task } = await this.tasks.read(adapter, request.taskId);
    const upload = await this.uploadOf(task, request.uploadId, true);
    if (!upload || upload.packageId === '') {
      throw new EvxError('not-found', `task ${task.taskId} has no upload ${request.uploadId} with records`);
    }
    if (upload.completedAt !== null && isCompleted(task)) {
      // A repeated completion (the first answer was lost): the same task and package again.
      return { task, evidencePackage: await this.packages.get(upload.packageId) };
    }
    requireCompletable(task, request);
    const held = await this.packages.get(upload.packageId);
    if (
      Number(held.recordCount) !== count ||
      !Buffer.from(held.chainHead).equals(request.chainHead) ||
      !Buffer.from(held.merkleRoot).equals(request.merkleRoot)
    ) {
      throw new EvxError(
        'data-loss',
        `what you signed differs from what EVX holds for upload ${upload.uploadId}: ${held.recordCount} records, chain head ${hex(held.chainHead)}, Merkle root ${hex(held.merkleRoot)}; check GetUploadState and upload what is missing`,
        'INTEGRITY_MISMATCH',
      );
    }
    if (!originSignedAt) {
      throw new EvxError(
        'invalid-argument',
        'origin_signed_at (the signedAt of the origin statement you signed) is required',
        'SIGNATURE_INVALID',
      );
    }
    // Checked again just before the vault seals: a refusal, cancellation or new generation meanwhile stops here.
    const { task: now } = await this.tasks.read(adapter, request.taskId);
    requireCompletable(now, request);
    const provider = this.trust.cas('provider');
    const evidencePackage = await this.packages.complete({
      packageId: upload.packageId,
      recordCount: request.recordCount,
      chainHead: request.chainHead,
      merkleRoot: request.merkleRoot,
      originSignature: request.originSignature,
      originCertificates: [certificate, ...(provider ? [provider.intermediate.certificate.raw] : [])],
      originSignedAt,
    });
    const next = await this.tasks.change(adapter, task.taskId, ({ task: current }, at) => {
      if (isCompleted(current) && current.generation === request.expectedGeneration) {
        // Completed by a concurrent call with this same upload (a task has one): nothing to report twice.
        return { unchanged: true };
      }
      // The package is sealed now; a cancellation that came in meanwhile does not hide it: it is reported as the
      // task's result. A refusal or a new generation meanwhile wins, and the adapter is told.
      requireCurrentGeneration(current, request.expectedGeneration);
      if (FINISHED.has(current.status) || current.status !== 'TASK_STATUS_ACKNOWLEDGED') {
        throw new EvxError(
          'failed-precondition',
          `task ${current.taskId} became ${current.status} while package ${evidencePackage.packageId} was being completed`,
          'INVALID_STATE',
        );
      }
      const after: Task = {
        ...current,
        status: partial ? 'TASK_STATUS_PARTIALLY_FULFILLED' : 'TASK_STATUS_FULFILLED',
        refusal: unfulfilledOf ? unfulfilledOf(at) : current.refusal,
      };
      return {
        next: after,
        audit: [
          taskFacts(
            adapter,
            'AUDIT_ACTION_TASK_COMPLETED',
            current,
            after,
            `${count} records, package ${evidencePackage.packageId}, log index ${evidencePackage.logIndex}`,
            [
              { type: 'OBJECT_TYPE_UPLOAD', id: upload.uploadId },
              { type: 'OBJECT_TYPE_EVIDENCE_PACKAGE', id: evidencePackage.packageId },
            ],
          ),
        ],
        report: {
          completed: {
            outcome: request.outcome,
            unfulfilled: after.refusal && partial ? after.refusal : null,
            evidencePackage,
          },
        },
        alsoWrite: async (manager) => {
          await manager.update(UploadEntity, { taskId: upload.taskId }, { completedAt: at.getTime() });
        },
      };
    });
    return { task: next, evidencePackage };
  }

  /** The task's upload; a named one that is not the task's is NOT_FOUND. */
  private async uploadOf(task: Task, uploadId: string, named: boolean): Promise<UploadEntity | undefined> {
    const upload = await this.dataSource.getRepository(UploadEntity).findOneBy({ taskId: task.taskId });
    if (named && (!upload || upload.uploadId !== uploadId)) {
      throw new EvxError('not-found', `task ${task.taskId} has no upload ${uploadId}`);
    }
    return upload ?? undefined;
  }
}

/** Generation, not finished, not cancelled, acknowledged, and the selectors named as unfulfilled are the order's. */
function requireCompletable(task: Task, request: CompleteTaskRequest): void {
  requireCurrentGeneration(task, request.expectedGeneration);
  requireActive(task, 'completed');
  requireKnownSelectors(task, request.unfulfilled?.selectorIds ?? [], 'unfulfilled.selector_ids');
  if (task.status !== 'TASK_STATUS_ACKNOWLEDGED') {
    throw new EvxError(
      'failed-precondition',
      `task ${task.taskId} is ${task.status}; only an acknowledged task can be completed`,
      'INVALID_STATE',
    );
  }
}

function isCompleted(task: Task): boolean {
  return task.status === 'TASK_STATUS_FULFILLED' || task.status === 'TASK_STATUS_PARTIALLY_FULFILLED';
}

function hex(bytes: Buffer | Uint8Array): string {
  return Buffer.from(bytes).toString('hex') || '(none)';
}
