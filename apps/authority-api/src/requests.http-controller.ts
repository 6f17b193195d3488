import { Controller, Get, Query } from '@nestjs/common';
import type { Identity } from '#evx/pki';
import { Actor, Allow } from '#evx/transport';
import { RequestQueryService, type RequestPage } from './request-query.service.js';

@Controller('v1/requests')
export class RequestsHttpController {
  constructor(private readonly queries: RequestQueryService) {}

  @Get()
  @Allow('investigator', 'approver', 'auditor')
  list(
    @Actor() actor: Identity,
    @Query('status') status?: string,
    @Query('agency') agency?: string,
    @Query('urgency') urgency?: string,
    @Query('pageSize') pageSize?: string,
    @Query('pageToken') pageToken?: string,
  ): Promise<RequestPage> {
    return this.queries.list(actor, {
      status,
      agency,
      urgency,
      pageSize: pageSize === undefined ? undefined : Number(pageSize),
      pageToken,
    });
  }
}
