// GetUploadState and CompleteTask: what the vault holds for the task's upload (with provider-edge's rejections,
// in the adapter's numbering), and the completion that has the vault seal it with the adapter's origin signature.
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
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
} from '#evx/proto';
import { TRUST_STORE } from '#evx/transport';
import { UploadEntity, UploadRejectionEntity } from '../persistence/exchange.entities.js';
import { refusalFrom } from './task-actions.service.js';
import { TaskChangeRunner, taskFacts } from './task-change.runner.js';
import { requireActive, requireCurrentGeneration, requireKnownSelectors } from './task-rules.js';
import { adapterDurable } from './upload-numbering.js';
import { VaultPackages } from './vault-packages.js';

@Injectable()
export class UploadCompletionService {
  constructor(
    private readonly tasks: TaskChangeRunner,
    private readonly packages: VaultPackages,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TRUST_STORE) private readonly trust: TrustStore,
  ) {}

  async state(adapter: AdapterIdentity, request: GetUploadStateRequest): Promise<GetUploadStateResponse> {
    const { task } = await this.tasks.read(adapter, request.taskId);
    const upload = await this.uploadOf(task, request.uploadId, request.uploadId !== '');
    if (!upload) {
      return {
        uploadId: '',
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
    originSignedAt: string | undefined,
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

    const { task } = await this.tasks.read(adapter, request.taskId);
    const upload = await this.uploadOf(task, request.uploadId, true);
    if (!upload) throw new EvxError('not-found', `task ${task.taskId} has no upload ${request.uploadId}`);
    if (upload.completedAt !== null && isCompleted(task)) {
      // A repeated completion (the first answer was lost): the same task and package again.
      return { task, evidencePackage: await this.packages.get(upload.packageId) };
    }
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
    const held = await this.packages.get(upload.packageId);
    if (
      Number(held.recordCount) !== count ||
      !Buffer.from(held.chainHead).equals(request.chainHead) ||
      !Buffer.from(held.merkleRoot).equals(request.merkleRoot)
    ) {
      throw new RpcException({
        code: status.DATA_LOSS,
        message: `what you signed differs from what EVX holds for upload ${upload.uploadId}: ${held.recordCount} records, chain head ${hex(held.chainHead)}, Merkle root ${hex(held.merkleRoot)}; check GetUploadState and upload what is missing`,
      });
    }
    const provider = this.trust.cas('provider');
    const evidencePackage = await this.packages.complete(
      {
        packageId: upload.packageId,
        recordCount: request.recordCount,
        chainHead: request.chainHead,
        merkleRoot: request.merkleRoot,
        originSignature: signature,
        originCertificates: [certificate, ...(provider ? [provider.intermediate.certificate.raw] : [])],
      },
      originSignedAt,
    );
    const next = await this.tasks.change(adapter, task.taskId, ({ task: current }, now) => {
      requireCurrentGeneration(current, request.expectedGeneration);
      const after: Task = {
        ...current,
        status: partial ? 'TASK_STATUS_PARTIALLY_FULFILLED' : 'TASK_STATUS_FULFILLED',
        refusal: unfulfilledOf ? unfulfilledOf(now) : current.refusal,
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
          await manager.update(UploadEntity, { taskId: upload.taskId }, { completedAt: now.getTime() });
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

function isCompleted(task: Task): boolean {
  return task.status === 'TASK_STATUS_FULFILLED' || task.status === 'TASK_STATUS_PARTIALLY_FULFILLED';
}

function hex(bytes: Buffer | Uint8Array): string {
  return Buffer.from(bytes).toString('hex') || '(none)';
}
