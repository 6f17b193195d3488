import { auditOutboxSchema, type ServiceStore } from '#evx/persistence';
import { ProviderAuditOutbox1764200000002 } from './migrations/1764200000002-provider-audit-outbox.js';
import { ProviderTasks1764100000002 } from './migrations/1764100000002-provider-tasks.js';
import { AdapterCursorEntity, TaskEntity } from './task.entity.js';

/** provider-edge's own tables. Migrations are committed and never edited; add a new one for every change. */
export const PROVIDER_EDGE_STORE: ServiceStore = {
  service: 'provider-edge',
  entities: [auditOutboxSchema('provider-edge'), TaskEntity, AdapterCursorEntity],
  migrations: [ProviderTasks1764100000002, ProviderAuditOutbox1764200000002],
};
