// WatchRequests: the change feed (authority_request_change) after the client's cursor, filtered to what the caller
// may see, then a heartbeat ("caught up"), then new changes as any instance commits them. Polling the table keeps
// every instance's stream identical; the interval and heartbeat are configurable.
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Observable } from 'rxjs';
import type { DataSource } from 'typeorm';
import { EvxError } from '#evx/errors';
import { timestampFromDate, type WatchRequestsResponse } from '#evx/proto';
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
const BATCH = 200;

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
    return new Observable<WatchRequestsResponse>((subscriber) => {
      let position = start;
      let closed = false;
      let lastSent = 0;
      let timer: NodeJS.Timeout | undefined;
      const tick = async (first: boolean) => {
        try {
          for (;;) {
            const qb = this.dataSource.manager
              .createQueryBuilder(RequestChangeEntity, 'c')
              .where('c.seq > :position', { position })
              .orderBy('c.seq', 'ASC')
              .take(BATCH);
            if (agency) qb.andWhere('c.agency = :agency', { agency });
            if (filter.authorisationIds.length)
              qb.andWhere('c.authorisation_id IN (:...ids)', { ids: filter.authorisationIds });
            if (filter.statuses.length) qb.andWhere('c.new_status IN (:...statuses)', { statuses: filter.statuses });
            if (filter.urgency) qb.andWhere('c.urgency = :urgency', { urgency: filter.urgency });
            const rows = await qb.getMany();
            if (closed) return;
            for (const row of rows) {
              subscriber.next({ cursor: String(row.seq), change: changeOf(row) });
              position = row.seq;
              lastSent = Date.now();
            }
            if (rows.length < BATCH) break;
          }
          if (first || Date.now() - lastSent >= this.timing.heartbeatMs) {
            subscriber.next({ cursor: '', heartbeat: { serverTime: timestampFromDate(new Date()) } });
            lastSent = Date.now();
          }
          if (!closed) timer = setTimeout(() => void tick(false), this.timing.pollMs);
        } catch (error) {
          if (!closed) subscriber.error(error);
        }
      };
      void tick(true);
      return () => {
        closed = true;
        if (timer) clearTimeout(timer);
      };
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
