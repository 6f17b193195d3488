// Records rejected from an upload: stored (the vault's numbering skips provider-edge's rejections, so a resumed
// upload must know every one) with one audit event per batch that names each record, "over-collection" when any
// was outside the order's scope.
import type { DataSource } from 'typeorm';
import type { AdapterIdentity } from '#evx/pki';
import type { RecordRejection, Task } from '#evx/proto';
import type { AuditTrail } from '#evx/transport';
import { UploadRejectionEntity } from '../persistence/exchange.entities.js';

export interface Rejection {
  readonly sequenceNumber: number;
  readonly code: RecordRejection['code'];
  readonly reason: string;
}

export async function storeUploadRejections(
  dataSource: DataSource,
  audit: AuditTrail,
  adapter: AdapterIdentity,
  task: Task,
  uploadId: string,
  batch: readonly Rejection[],
  origin: 'edge' | 'vault',
): Promise<void> {
  if (batch.length === 0) return;
  const now = Date.now();
  await dataSource.transaction(async (manager) => {
    for (const r of batch) {
      const exists = await manager.findOneBy(UploadRejectionEntity, {
        uploadId,
        sequenceNumber: r.sequenceNumber,
      });
      if (exists) continue;
      await manager.insert(UploadRejectionEntity, {
        uploadId,
        sequenceNumber: r.sequenceNumber,
        origin,
        code: r.code,
        reason: r.reason,
        createdAt: now,
      });
    }
    const outOfScope = batch.filter((r) => r.code === 'ERROR_CODE_OUT_OF_SCOPE');
    const summary = batch.map((r) => `#${r.sequenceNumber} ${r.code.replace('ERROR_CODE_', '')}: ${r.reason}`);
    await audit.record(manager, [
      {
        actorUri: adapter.uri,
        action: 'AUDIT_ACTION_RECORD_REJECTED',
        objects: [
          { type: 'OBJECT_TYPE_UPLOAD', id: uploadId },
          { type: 'OBJECT_TYPE_TASK', id: task.taskId },
          { type: 'OBJECT_TYPE_AUTHORISATION', id: task.authorisationId },
          ...batch.slice(0, 50).map((r) => ({
            type: 'OBJECT_TYPE_EVIDENCE_RECORD',
            id: `${uploadId}/${r.sequenceNumber}`,
          })),
        ],
        reason: truncate(
          `${outOfScope.length > 0 ? `over-collection: ${outOfScope.length} record(s) outside the order's scope; ` : ''}` +
            `records ${batch.map((r) => r.sequenceNumber).join(', ')} rejected (${origin === 'edge' ? 'provider-edge' : 'vault'}): ${summary.join('; ')}`,
        ),
      },
    ]);
  });
  void audit.delivered();
}

function truncate(text: string): string {
  return text.length <= 4000 ? text : `${text.slice(0, 3990)} [more]`;
}
