// The vault's own audit events go straight into its log (it is the log), keyed by event id like AppendLogEntries,
// so a retried step finds its first entry instead of adding a second.
import { auditEventLeaf, type AuditEventRecord } from '#evx/audit';
import { LogKeyConflictError, type LogAppender, type TransparencyLog } from '#evx/log';

export const VAULT_URI = 'evx://service/vault';

export type PackageAuditEvent = Omit<AuditEventRecord, 'occurredAt' | 'recordedBy' | 'oldState' | 'reason'> & {
  readonly oldState?: string;
  readonly reason?: string;
  readonly occurredAt: Date;
};

export class PackageAudit {
  constructor(
    private readonly appender: LogAppender,
    private readonly log: TransparencyLog,
  ) {}

  /** Appends the event (idempotent on eventId) and returns its log index. */
  async record(event: PackageAuditEvent): Promise<number> {
    const key = `audit:${event.eventId}`;
    const leaf = auditEventLeaf({
      ...event,
      oldState: event.oldState ?? '',
      reason: (event.reason ?? '').slice(0, 4000),
      occurredAt: event.occurredAt.toISOString(),
      recordedBy: VAULT_URI,
    });
    try {
      return (await this.appender.append([{ kind: 'audit', leaf, key }])).indexes[0];
    } catch (error) {
      if (!(error instanceof LogKeyConflictError)) throw error;
      const index = await this.log.indexOfKey(key);
      if (index === undefined) throw error;
      return index;
    }
  }
}
