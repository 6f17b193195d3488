import { auditOutboxSchema, type ServiceStore } from '#evx/persistence';
import { AuthorityAuditOutbox1764200000001 } from './migrations/1764200000001-authority-audit-outbox.js';
import { AuthorityRequests1764100000001 } from './migrations/1764100000001-authority-requests.js';
import { IdempotencyKeyEntity, RequestEntity } from './request.entity.js';

/** authority-api's own tables. Migrations are committed and never edited; add a new one for every change. */
export const AUTHORITY_STORE: ServiceStore = {
  service: 'authority-api',
  entities: [auditOutboxSchema('authority-api'), RequestEntity, IdempotencyKeyEntity],
  migrations: [AuthorityRequests1764100000001, AuthorityAuditOutbox1764200000001],
};
