// WatchRequests: the change feed (authority_request_change) after the client's cursor, filtered to what the caller
// may see, then a heartbeat ("caught up"), then new changes as any instance commits them. Polling the table keeps
// every instance's stream identical; the interval and heartbeat are configurable.
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Observable } from 'rxjs';
import type { DataSource } from 'typeorm';
import { EvxError } from '#evx/errors';
import { timestampFromDate, type WatchRequestsResponse } from '#evx/proto';
import { cursorStream } from '#evx/transport';
import type { Actor } from '#evx/workflow';
import { RequestChangeEntity } from '../persistence/request.entity.js';

export interface WatchFilter {
  readonly cursor: string;
  readonly authorisationIds: readonly string[];
  readonly statuses: readonly string[];
  readonly agency: string;
  readonly urgency: string;
}

export interface WatchTiming {
  readonly pollMs: number;
  readonly heartbeatMs: number;
}

export const WATCH_TIMING = Symbol('WATCH_TIMING');

@Injectable()
export class WatchRequestsUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(WATCH_TIMING) private readonly timing: WatchTiming,
  ) {}

  /** @throws EvxError permission-denied (another agency asked), out-of-range CURSOR_EXPIRED (unknown cursor) */
  async execute(actor: Actor, filter: WatchFilter): Promise<Observable<WatchRequestsResponse>> {
    const agency = this.visibleAgency(actor, filter.agency);
    const last = await this.lastSeq();
    const start = this.start(filter.cursor, last);
    return cursorStream<RequestChangeEntity, WatchRequestsResponse>({
      start,
      fetch: (after, limit) => {
        const qb = this.dataSource.manager
          .createQueryBuilder(RequestChangeEntity, 'c')
          .where('c.seq > :after', { after })
          .orderBy('c.seq', 'ASC')
          .take(limit);
        if (agency) qb.andWhere('c.agency = :agency', { agency });
        if (filter.authorisationIds.length)
          qb.andWhere('c.authorisation_id IN (:...ids)', { ids: filter.authorisationIds });
        if (filter.statuses.length) qb.andWhere('c.new_status IN (:...statuses)', { statuses: filter.statuses });
        if (filter.urgency) qb.andWhere('c.urgency = :urgency', { urgency: filter.urgency });
        return qb.getMany();
      },
      position: (row) => row.seq,
      toEvent: (row) => ({ cursor: String(row.seq), change: changeOf(row) }),
      heartbeat: () => ({ cursor: '', heartbeat: { serverTime: timestampFromDate(new Date()) } }),
      pollMs: this.timing.pollMs,
      heartbeatMs: this.timing.heartbeatMs,
      batch: 200,
    });
  }

  private async lastSeq(): Promise<number> {
    const raw = await this.dataSource.manager
      .createQueryBuilder(RequestChangeEntity, 'c')
      .select('MAX(c.seq)', 'max')
      .getRawOne<{ max: number | string | null }>();
    return Number(raw?.max ?? 0);
  }

  private start(cursor: string, last: number): number {
    if (cursor === '') return last;
    if (!/^(0|[1-9]\d{0,15})$/.test(cursor) || Number(cursor) > last) {
      throw new EvxError(
        'out-of-range',
        `cursor "${cursor}" is not one this server issued; reconnect with an empty cursor`,
        'CURSOR_EXPIRED',
      );
    }
    return Number(cursor);
  }

  private visibleAgency(actor: Actor, asked: string): string | undefined {
    if (actor.kind === 'auditor') return asked || undefined;
    if (actor.kind !== 'investigator' && actor.kind !== 'approver') {
      throw new EvxError('permission-denied', `${actor.uri} may not watch requests`);
    }
    if (asked && asked !== actor.agency) {
      throw new EvxError(
        'permission-denied',
        `${actor.uri} may only watch requests of agency ${actor.agency}, not ${asked}`,
      );
    }
    return actor.agency;
  }
}

function changeOf(row: RequestChangeEntity): WatchRequestsResponse['change'] {
  return {
    authorisationId: row.authorisationId,
    generation: row.generation,
    oldStatus: (row.oldStatus || 'REQUEST_STATUS_UNSPECIFIED') as NonNullable<
      WatchRequestsResponse['change']
    >['oldStatus'],
    newStatus: row.newStatus as NonNullable<WatchRequestsResponse['change']>['newStatus'],
    desiredStatus: row.desiredStatus as NonNullable<WatchRequestsResponse['change']>['desiredStatus'],
    reason: row.reason,
    actorUri: row.actorUri,
    changedAt: timestampFromDate(new Date(row.changedAt)),
  };
}
