import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { auditEventLeaf } from '#evx/audit';
import { EvxError } from '#evx/errors';
import { LogKeyConflictError, type LogAppender, type TransparencyLog } from '#evx/log';
import { LOG_APPENDER, TRANSPARENCY_LOG } from './log.providers.js';
import { EvidenceSealEntity } from './persistence/evidence-seal.entity.js';

export interface SealCommand {
  authorisationId: string;
  /** SealReason value name. */
  reason: string;
  details: string;
  onBehalfOfUri: string;
  /** The EVX service asking, from its certificate. */
  requestedBy: string;
}

const REASONS = ['SEAL_REASON_EMERGENCY_VALIDATION_REJECTED', 'SEAL_REASON_EMERGENCY_VALIDATION_OVERDUE'];

/**
 * Seals an order's evidence for good: recorded in the log first (idempotently, keyed by the order), then in the
 * seal table. A retry after a crash between the two finds the same log entry; sealing twice changes nothing.
 */
@Injectable()
export class EvidenceSealService {
  constructor(
    @InjectRepository(EvidenceSealEntity) private readonly seals: Repository<EvidenceSealEntity>,
    @Inject(LOG_APPENDER) private readonly appender: LogAppender,
    @Inject(TRANSPARENCY_LOG) private readonly log: TransparencyLog,
  ) {}

  async seal(command: SealCommand): Promise<EvidenceSealEntity> {
    validate(command);
    const existing = await this.seals.findOneBy({ authorisationId: command.authorisationId });
    if (existing) return existing;
    const at = Date.now();
    const leaf = auditEventLeaf({
      eventId: `seal-${command.authorisationId}`,
      actorUri: command.onBehalfOfUri,
      action: 'AUDIT_ACTION_EVIDENCE_SEALED',
      objects: [{ type: 'OBJECT_TYPE_AUTHORISATION', id: command.authorisationId }],
      oldState: '',
      newState: 'SEALED',
      reason: `${command.reason}: ${command.details}`.slice(0, 4000),
      occurredAt: new Date(at).toISOString(),
      recordedBy: command.requestedBy,
    });
    const logIndex = await this.recordInLog(`seal:${command.authorisationId}`, leaf);
    await this.seals
      .createQueryBuilder()
      .insert()
      .values({
        authorisationId: command.authorisationId,
        reason: command.reason,
        details: command.details,
        onBehalfOf: command.onBehalfOfUri,
        sealedBy: command.requestedBy,
        sealedAt: at,
        logIndex,
      })
      .orIgnore()
      .execute();
    return this.seals.findOneByOrFail({ authorisationId: command.authorisationId });
  }

  /**
   * A retry after a crash between the log and the table finds the seal already logged, under the same key but with
   * an earlier time: that entry is the record of this seal.
   */
  private async recordInLog(key: string, leaf: Uint8Array): Promise<number> {
    try {
      return (await this.appender.append([{ kind: 'audit', leaf, key }])).indexes[0];
    } catch (error) {
      if (!(error instanceof LogKeyConflictError)) throw error;
      const index = await this.log.indexOfKey(key);
      if (index === undefined) throw error;
      return index;
    }
  }

  /** Whether nobody may open this order's evidence any more (checked by every package read). */
  async isSealed(authorisationId: string): Promise<boolean> {
    return (await this.seals.countBy({ authorisationId })) > 0;
  }

  /** The seal of an order, or null if its evidence is not sealed. */
  sealOf(authorisationId: string): Promise<EvidenceSealEntity | null> {
    return this.seals.findOneBy({ authorisationId });
  }
}

function validate(c: SealCommand): void {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(c.authorisationId)) {
    throw new EvxError('invalid-argument', 'authorisation_id must be 1 to 64 letters, digits or dashes');
  }
  if (!REASONS.includes(c.reason))
    throw new EvxError('invalid-argument', `reason must be one of ${REASONS.join(', ')}`);
  if (!c.onBehalfOfUri.startsWith('evx://'))
    throw new EvxError('invalid-argument', 'on_behalf_of_uri must be an evx:// identity URI');
  if (c.details.length > 4000) throw new EvxError('invalid-argument', 'details is longer than 4000 characters');
}
