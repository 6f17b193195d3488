// authority_request rows <-> stored orders, with the compare-and-set on the generation that turns a lost race into
// `stale-generation` (docs/workflow.md, "What the application does with the results").
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { EvxError } from '#evx/errors';
import { PROTO_ENUM_PREFIX as P, toProtoName } from '#evx/workflow';
import { IdempotencyKeyEntity, RequestChangeEntity, RequestEntity } from '../persistence/request.entity.js';
import type { AuditFact } from '#evx/workflow';
import { decodeStoredRequest, encodeStoredRequest, type StoredRequest } from './stored-request.js';

function columnsOf(stored: StoredRequest): Omit<RequestEntity, 'id' | 'createdAt' | 'pendingTaskChange'> {
  const a = stored.authorisation;
  return {
    caseReference: a.details.caseReference,
    agency: a.details.issuingAgencyId,
    requesterUri: a.details.requesterUri,
    urgency: toProtoName(P.Urgency, a.details.urgency),
    status: toProtoName(P.RequestStatus, a.status),
    desiredStatus: toProtoName(P.RequestDesiredStatus, a.desiredStatus),
    generation: a.generation,
    targetProvider: a.details.targetProviderId,
    authorisation: encodeStoredRequest(stored),
    updatedAt: a.lastChanged.getTime(),
  };
}

@Injectable()
export class RequestRepository {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  async find(id: string, manager: EntityManager = this.dataSource.manager): Promise<StoredRequest | undefined> {
    const row = await manager.findOneBy(RequestEntity, { id });
    return row ? decodeStoredRequest(row.authorisation) : undefined;
  }

  /** The agency's emergency orders, for countOpenEmergencies. */
  async emergenciesOf(agency: string, manager: EntityManager = this.dataSource.manager): Promise<StoredRequest[]> {
    const rows = await manager.findBy(RequestEntity, { agency, urgency: toProtoName(P.Urgency, 'EMERGENCY') });
    return rows.map((row) => decodeStoredRequest(row.authorisation));
  }

  /** Orders the scheduler may have to move: not final, or emergency orders whose validation may lapse. */
  async schedulable(): Promise<StoredRequest[]> {
    const finals = ['DRAFT', 'REJECTED', 'CLOSED', 'VALIDATION_REJECTED', 'VALIDATION_OVERDUE'].map((s) =>
      toProtoName(P.RequestStatus, s),
    );
    const rows = await this.dataSource.manager
      .createQueryBuilder(RequestEntity, 'r')
      .where('r.status NOT IN (:...finals)', { finals })
      .getMany();
    return rows.map((row) => decodeStoredRequest(row.authorisation));
  }

  async insert(manager: EntityManager, stored: StoredRequest): Promise<void> {
    const row = manager.create(RequestEntity, {
      id: stored.authorisation.authorisationId,
      createdAt: stored.authorisation.createdAt.getTime(),
      ...columnsOf(stored),
    });
    await manager.insert(RequestEntity, row);
  }

  /** Writes `stored` only if the row still has `expectedGeneration`; otherwise another writer won. */
  async compareAndSet(manager: EntityManager, stored: StoredRequest, expectedGeneration: number): Promise<void> {
    const result = await manager
      .createQueryBuilder()
      .update(RequestEntity)
      .set(columnsOf(stored))
      .where('id = :id AND generation = :generation', {
        id: stored.authorisation.authorisationId,
        generation: expectedGeneration,
      })
      .execute();
    if (result.affected !== 1) {
      throw new EvxError(
        'stale-generation',
        `order ${stored.authorisation.authorisationId} changed meanwhile (it is no longer at generation ${expectedGeneration}); read it again and retry`,
        'STALE_GENERATION',
      );
    }
  }

  /** Appends the change to the watch feed, in the transaction of the change itself. */
  async recordChange(manager: EntityManager, fact: AuditFact, stored: StoredRequest): Promise<void> {
    const a = stored.authorisation;
    await manager.insert(RequestChangeEntity, {
      authorisationId: a.authorisationId,
      agency: a.details.issuingAgencyId,
      urgency: toProtoName(P.Urgency, a.details.urgency),
      generation: a.generation,
      oldStatus: fact.fromStatus ? toProtoName(P.RequestStatus, fact.fromStatus) : '',
      newStatus: toProtoName(P.RequestStatus, fact.toStatus),
      desiredStatus: toProtoName(P.RequestDesiredStatus, fact.toDesiredStatus),
      reason: fact.reason,
      actorUri: fact.actorUri,
      changedAt: fact.at.getTime(),
    });
  }

  async idempotencyKey(requesterUri: string, idempotencyKey: string, manager: EntityManager = this.dataSource.manager) {
    return manager.findOneBy(IdempotencyKeyEntity, { requesterUri, idempotencyKey });
  }

  async rememberKey(manager: EntityManager, requesterUri: string, idempotencyKey: string, requestId: string, at: Date) {
    await manager.insert(IdempotencyKeyEntity, { requesterUri, idempotencyKey, requestId, createdAt: at.getTime() });
  }
}
