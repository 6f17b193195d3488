// StreamTaskReports: what adapters did, in the order provider-edge recorded it, for authority-api to apply. The
// same cursor stream as the adapters' task stream; the caller's certificate is re-checked on every poll.
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Observable } from 'rxjs';
import { MoreThan, type Repository } from 'typeorm';
import { EvxError } from '#evx/errors';
import { IdentityError, identityFromCertificate, type TrustStore } from '#evx/pki';
import { timestampFromDate, type StreamTaskReportsResponse, type TaskReport } from '#evx/proto';
import { TRUST_STORE, cursorStream } from '#evx/transport';
import { TaskReportEntity } from '../persistence/exchange.entities.js';
import { TASK_STREAM_TIMING, type TaskStreamTiming } from '../task-stream.service.js';
import { STREAM_WAKEUPS, type StreamWakeups } from '../stream-wakeups.js';

@Injectable()
export class TaskReportStreamService {
  constructor(
    @InjectRepository(TaskReportEntity) private readonly reports: Repository<TaskReportEntity>,
    @Inject(TRUST_STORE) private readonly trust: TrustStore,
    @Inject(TASK_STREAM_TIMING) private readonly timing: TaskStreamTiming,
    @Inject(STREAM_WAKEUPS) private readonly wakeups: StreamWakeups,
  ) {}

  stream(certificate: Buffer, cursor: string): Observable<StreamTaskReportsResponse> {
    return cursorStream<TaskReportEntity, StreamTaskReportsResponse>({
      start: parseReportCursor(cursor),
      beforePoll: () => {
        try {
          identityFromCertificate(certificate, this.trust, new Date());
        } catch (error) {
          if (error instanceof IdentityError)
            throw new EvxError('unauthenticated', error.message, `CERT_${error.code}`);
          throw error;
        }
      },
      fetch: (after, limit) =>
        this.reports.find({ where: { position: MoreThan(after) }, order: { position: 'ASC' }, take: limit }),
      position: (row) => row.position,
      toEvent: (row) => ({ cursor: String(row.position), report: JSON.parse(row.body) as TaskReport }),
      heartbeat: () => ({ cursor: '', heartbeat: { serverTime: timestampFromDate(new Date()) } }),
      pollMs: this.timing.pollMs,
      heartbeatMs: this.timing.heartbeatMs,
      wakeup: this.wakeups.reports,
    });
  }
}

function parseReportCursor(cursor: string): number {
  if (cursor === '') return 0;
  if (!/^(0|[1-9]\d{0,15})$/.test(cursor)) {
    throw new EvxError(
      'out-of-range',
      `cursor "${cursor}" is not one this server issued; start again with an empty cursor`,
      'CURSOR_EXPIRED',
    );
  }
  return Number(cursor);
}
