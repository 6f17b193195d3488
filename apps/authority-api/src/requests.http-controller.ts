import { Controller, Get, Query } from '@nestjs/common';
import type { Identity } from '#evx/pki';
import { Actor, Allow } from '#evx/transport';
import type { RequestEntity } from './persistence/request.entity.js';
import { RequestQueryService } from './request-query.service.js';

/** What REST lists show: the request's metadata, never evidence. */
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

@Controller('v1/requests')
export class RequestsHttpController {
  constructor(private readonly queries: RequestQueryService) {}

  @Get()
  @Allow('investigator', 'approver', 'auditor')
  async list(
    @Actor() actor: Identity,
    @Query('status') status?: string,
    @Query('agency') agency?: string,
    @Query('urgency') urgency?: string,
    @Query('pageSize') pageSize?: string,
    @Query('pageToken') pageToken?: string,
  ): Promise<{ requests: RequestSummary[]; nextPageToken: string }> {
    const page = await this.queries.list(actor, {
      statuses: status ? status.split(',') : undefined,
      agency,
      urgency,
      pageSize: pageSize === undefined ? undefined : Number(pageSize),
      pageToken,
    });
    return { requests: page.rows.map(toSummary), nextPageToken: page.nextPageToken };
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
