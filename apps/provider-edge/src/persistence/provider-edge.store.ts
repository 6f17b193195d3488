import { auditOutboxSchema, type ServiceStore } from '#evx/persistence';
import { ProviderAuditOutbox1764200000002 } from './migrations/1764200000002-provider-audit-outbox.js';
import { ProviderExchange1764300000002 } from './migrations/1764300000002-provider-exchange.js';
import { ProviderTasks1764100000002 } from './migrations/1764100000002-provider-tasks.js';
import { TaskReportEntity, UploadEntity, UploadRejectionEntity } from './exchange.entities.js';
import { AdapterCursorEntity, TaskEntity } from './task.entity.js';

/** provider-edge's own tables. Migrations are committed and never edited; add a new one for every change. */
export const PROVIDER_EDGE_STORE: ServiceStore = {
  service: 'provider-edge',
  entities: [
    auditOutboxSchema('provider-edge'),
    TaskEntity,
    AdapterCursorEntity,
    TaskReportEntity,
    UploadEntity,
    UploadRejectionEntity,
  ],
  migrations: [ProviderTasks1764100000002, ProviderAuditOutbox1764200000002, ProviderExchange1764300000002],
};
