import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { EvxError } from '#evx/errors';
import type { Identity } from '#evx/pki';
import { RequestEntity } from './persistence/request.entity.js';

export interface RequestSummary {
  id: string;
  caseReference: string;
  agency: string;
  urgency: string;
  status: string;
  generation: number;
  targetProvider: string;
  createdAt: string;
  updatedAt: string;
}

export interface ListRequestsQuery {
  status?: string;
  agency?: string;
  urgency?: string;
  pageSize?: number;
  pageToken?: string;
}

export interface RequestPage {
  requests: RequestSummary[];
  nextPageToken: string;
}

const MAX_PAGE = 200;

/**
 * Reads requests within what the caller may see: investigators and approvers their own agency only, auditors
 * every agency's metadata (never evidence).
 */
@Injectable()
export class RequestQueryService {
  constructor(@InjectRepository(RequestEntity) private readonly requests: Repository<RequestEntity>) {}

  async list(actor: Identity, query: ListRequestsQuery): Promise<RequestPage> {
    const agency = this.visibleAgency(actor, query.agency);
    const pageSize = query.pageSize ?? 50;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE) {
      throw new EvxError('invalid-argument', `page_size must be a whole number from 1 to ${MAX_PAGE}`);
    }
    const offset = decodePageToken(query.pageToken);
    const qb = this.requests.createQueryBuilder('r').orderBy('r.created_at', 'DESC').addOrderBy('r.id', 'ASC');
    if (agency) qb.andWhere('r.agency = :agency', { agency });
    if (query.status) qb.andWhere('r.status = :status', { status: query.status });
    if (query.urgency) qb.andWhere('r.urgency = :urgency', { urgency: query.urgency });
    const rows = await qb.offset(offset).limit(pageSize + 1).getMany();
    const page = rows.slice(0, pageSize);
    return {
      requests: page.map(toSummary),
      nextPageToken: rows.length > pageSize ? encodePageToken(offset + pageSize) : '',
    };
  }

  private visibleAgency(actor: Identity, asked: string | undefined): string | undefined {
    if (actor.kind === 'auditor') return asked || undefined;
    if (actor.kind !== 'investigator' && actor.kind !== 'approver') {
      throw new EvxError('permission-denied', `${actor.uri} may not read requests`);
    }
    if (asked && asked !== actor.agency) {
      throw new EvxError('permission-denied', `${actor.uri} may only see requests of agency ${actor.agency}, not ${asked}`);
    }
    return actor.agency;
  }
}

function toSummary(r: RequestEntity): RequestSummary {
  return {
    id: r.id,
    caseReference: r.caseReference,
    agency: r.agency,
    urgency: r.urgency,
    status: r.status,
    generation: r.generation,
    targetProvider: r.targetProvider,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
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
  throw new EvxError('invalid-argument', 'page_token is not one this server issued; omit it to start from the first page');
}
