import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { EvxError } from '#evx/errors';
import type { Identity } from '#evx/pki';
import { RequestEntity } from './persistence/request.entity.js';

export interface RequestFilter {
  /** RequestStatus names (`REQUEST_STATUS_…`), any of them. */
  statuses?: string[];
  agency?: string;
  /** `URGENCY_STANDARD` or `URGENCY_EMERGENCY`. */
  urgency?: string;
  targetProvider?: string;
  caseReference?: string;
  pageSize?: number;
  pageToken?: string;
}

export interface RequestRows {
  rows: RequestEntity[];
  nextPageToken: string;
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

/**
 * Reads requests within what the caller may see: investigators and approvers their own agency only, auditors
 * every agency's metadata (never evidence). Used by both transports.
 */
@Injectable()
export class RequestQueryService {
  constructor(@InjectRepository(RequestEntity) private readonly requests: Repository<RequestEntity>) {}

  async list(actor: Identity, filter: RequestFilter): Promise<RequestRows> {
    const agency = this.visibleAgency(actor, filter.agency);
    const pageSize = filter.pageSize || DEFAULT_PAGE;
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new EvxError('invalid-argument', `page size must be a whole number from 1 to ${MAX_PAGE}`);
    }
    const limit = Math.min(pageSize, MAX_PAGE);
    const offset = decodePageToken(filter.pageToken);
    const qb = this.requests.createQueryBuilder('r').orderBy('r.created_at', 'DESC').addOrderBy('r.id', 'ASC');
    if (agency) qb.andWhere('r.agency = :agency', { agency });
    if (filter.statuses?.length) qb.andWhere('r.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.urgency) qb.andWhere('r.urgency = :urgency', { urgency: filter.urgency });
    if (filter.targetProvider) qb.andWhere('r.target_provider = :p', { p: filter.targetProvider });
    if (filter.caseReference) qb.andWhere('r.case_reference = :c', { c: filter.caseReference });
    const rows = await qb
      .offset(offset)
      .limit(limit + 1)
      .getMany();
    return {
      rows: rows.slice(0, limit),
      nextPageToken: rows.length > limit ? encodePageToken(offset + limit) : '',
    };
  }

  /** One request; NOT_FOUND also when it exists but is not the caller's to see, so existence does not leak. */
  async get(actor: Identity, id: string): Promise<RequestEntity> {
    const row = await this.requests.findOneBy({ id });
    if (!row || !this.maySee(actor, row)) throw new EvxError('not-found', `no request ${id} that you may see`);
    return row;
  }

  private maySee(actor: Identity, row: RequestEntity): boolean {
    if (actor.kind === 'auditor') return true;
    return (actor.kind === 'investigator' || actor.kind === 'approver') && actor.agency === row.agency;
  }

  private visibleAgency(actor: Identity, asked: string | undefined): string | undefined {
    if (actor.kind === 'auditor') return asked || undefined;
    if (actor.kind !== 'investigator' && actor.kind !== 'approver') {
      throw new EvxError('permission-denied', `${actor.uri} may not read requests`);
    }
    if (asked && asked !== actor.agency) {
      throw new EvxError(
        'permission-denied',
        `${actor.uri} may only see requests of agency ${actor.agency}, not ${asked}`,
      );
    }
    return actor.agency;
  }
}

function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function decodePageToken(token: string | undefined): number {
  if (!token) return 0;
  try {
    const { o } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o: unknown };
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch {
    // fall through to the error below
  }
  throw new EvxError(
    'invalid-argument',
    'page token is not one this server issued; omit it to start from the first page',
  );
}
