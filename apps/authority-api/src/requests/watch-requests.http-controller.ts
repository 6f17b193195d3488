// GET /v1/requests/watch: WatchRequests for HTTP clients, as Server-Sent Events. The same feed, filters and cursor
// as gRPC: each change is an event `change` whose `id` is its cursor (a reconnecting EventSource sends it back as
// Last-Event-ID, so it resumes exactly), and `heartbeat` events mean "caught up" (the first) and "still here".
import { Controller, Headers, Query, Sse, type MessageEvent } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { map, type Observable } from 'rxjs';
import { dateFromTimestamp, type WatchRequestsResponse } from '#evx/proto';
import type { Identity } from '#evx/pki';
import { Actor as CallerIdentity, Allow } from '#evx/transport';
import { actorOfIdentity } from './request-workflow.service.js';
import { WatchRequestsUseCase } from './watch-requests.use-case.js';

function list(value: string | string[] | undefined): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

const prefixed = (value: string, prefix: string) => {
  const upper = value.toUpperCase();
  return upper.startsWith(prefix) ? upper : `${prefix}${upper}`;
};

/** One SSE event for one watch event: `change` (id = cursor) or `heartbeat`. */
export function sseEventOf(event: WatchRequestsResponse): MessageEvent {
  if (event.change) {
    const c = event.change;
    return {
      id: event.cursor,
      type: 'change',
      data: {
        cursor: event.cursor,
        authorisationId: c.authorisationId,
        generation: c.generation,
        oldStatus: c.oldStatus,
        newStatus: c.newStatus,
        desiredStatus: c.desiredStatus,
        reason: c.reason,
        actorUri: c.actorUri,
        changedAt: c.changedAt ? dateFromTimestamp(c.changedAt).toISOString() : '',
      },
    };
  }
  const at = event.heartbeat?.serverTime;
  return { type: 'heartbeat', data: { serverTime: at ? dateFromTimestamp(at).toISOString() : '' } };
}

@ApiTags('requests')
@Controller('v1/requests')
export class WatchRequestsHttpController {
  constructor(private readonly watching: WatchRequestsUseCase) {}

  @Sse('watch')
  @Allow('investigator', 'approver', 'auditor')
  @ApiOperation({
    summary: 'Status changes as Server-Sent Events (the REST form of gRPC WatchRequests)',
    description:
      'Events `change` (data: the RequestStatusChange as JSON; id: its cursor) and `heartbeat` (the first means ' +
      'caught up). Resume after a cursor with ?cursor= or the Last-Event-ID header; without either, only changes ' +
      'from now on. An unknown cursor is 400 CURSOR_EXPIRED.',
  })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'id', required: false, description: 'Only these orders (repeat, or comma-separated)' })
  @ApiQuery({
    name: 'status',
    required: false,
    description: 'Only changes into these statuses, e.g. DELIVERED,REFUSED',
  })
  @ApiQuery({ name: 'agency', required: false })
  @ApiQuery({ name: 'urgency', required: false, enum: ['STANDARD', 'EMERGENCY'] })
  @ApiResponse({ status: 200, description: 'text/event-stream' })
  async watch(
    @CallerIdentity() identity: Identity,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query('cursor') cursor?: string,
    @Query('id') ids?: string | string[],
    @Query('status') status?: string | string[],
    @Query('agency') agency?: string,
    @Query('urgency') urgency?: string,
  ): Promise<Observable<MessageEvent>> {
    const events = await this.watching.execute(actorOfIdentity(identity), {
      cursor: cursor ?? lastEventId ?? '',
      authorisationIds: list(ids),
      statuses: list(status).map((s) => prefixed(s, 'REQUEST_STATUS_')),
      agency: agency ?? '',
      urgency: urgency ? prefixed(urgency, 'URGENCY_') : '',
    });
    return events.pipe(map(sseEventOf));
  }
}
