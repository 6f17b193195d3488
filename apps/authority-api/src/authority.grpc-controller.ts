import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import {
  AUTHORITY_SERVICE_NAME,
  type Authorisation,
  type GetRequestRequest,
  type GetRequestResponse,
  type ListRequestsRequest,
  type ListRequestsResponse,
} from '#evx/proto';
import { Allow, actorOf } from '#evx/transport';
import type { RequestEntity } from './persistence/request.entity.js';
import { RequestQueryService } from './request-query.service.js';

/**
 * gRPC AuthorityService. RPCs without a handler here answer UNIMPLEMENTED (the workflow issue adds them); the
 * generated decorator that registers every method at once is therefore not used.
 */
@Controller()
export class AuthorityGrpcController {
  constructor(private readonly queries: RequestQueryService) {}

  @GrpcMethod(AUTHORITY_SERVICE_NAME, 'ListRequests')
  @Allow('investigator', 'approver', 'auditor')
  async listRequests(request: ListRequestsRequest, _metadata: Metadata, call: object): Promise<ListRequestsResponse> {
    const page = await this.queries.list(actorOf(call), {
      statuses: request.statuses,
      agency: request.issuingAgencyId,
      urgency: request.urgency === 'URGENCY_UNSPECIFIED' ? undefined : request.urgency,
      targetProvider: request.targetProviderId,
      caseReference: request.caseReference,
      pageSize: request.pageSize,
      pageToken: request.pageToken,
    });
    return { authorisations: page.rows.map(toAuthorisation), nextPageToken: page.nextPageToken };
  }

  @GrpcMethod(AUTHORITY_SERVICE_NAME, 'GetRequest')
  @Allow('investigator', 'approver', 'auditor')
  async getRequest(request: GetRequestRequest, _metadata: Metadata, call: object): Promise<GetRequestResponse> {
    return { authorisation: toAuthorisation(await this.queries.get(actorOf(call), request.authorisationId)) };
  }
}

/** The stored column holds the Authorisation exactly as it goes on the wire. */
function toAuthorisation(row: RequestEntity): Authorisation {
  return JSON.parse(row.authorisation) as Authorisation;
}
