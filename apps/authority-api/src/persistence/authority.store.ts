import { auditOutboxSchema, type ServiceStore } from '#evx/persistence';
import { AuthorityAuditOutbox1764200000001 } from './migrations/1764200000001-authority-audit-outbox.js';
import { AuthorityRequests1764100000001 } from './migrations/1764100000001-authority-requests.js';
import { AuthorityRequestUrgency1764300000001 } from './migrations/1764300000001-authority-request-urgency.js';
import { IdempotencyKeyEntity, RequestChangeEntity, RequestEntity } from './request.entity.js';
import { AuthorityRequestChanges1764300000002 } from './migrations/1764300000002-authority-request-changes.js';
import { AuthorityTaskReports1764400000001 } from './migrations/1764400000001-authority-task-reports.js';
import { AuthorityRequestAgencyUrgency1764500000001 } from './migrations/1764500000001-authority-request-agency-urgency.js';
import { AuthorityRequestPendingTaskChange1764600000001 } from './migrations/1764600000001-authority-request-pending-task-change.js';
import { ReportCursorEntity, TaskReportEntity } from './task-report.entity.js';

/** authority-api's own tables. Migrations are committed and never edited; add a new one for every change. */
export const AUTHORITY_STORE: ServiceStore = {
  service: 'authority-api',
  entities: [
    auditOutboxSchema('authority-api'),
    RequestEntity,
    IdempotencyKeyEntity,
    RequestChangeEntity,
    ReportCursorEntity,
    TaskReportEntity,
  ],
  migrations: [
    AuthorityRequests1764100000001,
    AuthorityAuditOutbox1764200000001,
    AuthorityRequestUrgency1764300000001,
    AuthorityRequestChanges1764300000002,
    AuthorityTaskReports1764400000001,
    AuthorityRequestAgencyUrgency1764500000001,
    AuthorityRequestPendingTaskChange1764600000001,
  ],
};
