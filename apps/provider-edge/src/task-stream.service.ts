import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Observable } from 'rxjs';
import { MoreThan, type Repository } from 'typeorm';
import { EvxError } from '#evx/errors';
import { IdentityError, identityFromCertificate, type AdapterIdentity, type TrustStore } from '#evx/pki';
import { timestampFromDate, type StreamTasksResponse, type Task } from '#evx/proto';
import { TRUST_STORE, cursorStream } from '#evx/transport';
import { TaskEntity } from './persistence/task.entity.js';
import { STREAM_WAKEUPS, type StreamWakeups } from './stream-wakeups.js';

export interface TaskStreamTiming {
  /** How often the stream looks for new tasks. */
  pollMs: number;
  /** How often an idle stream sends a heartbeat. */
  heartbeatMs: number;
}

export const TASK_STREAM_TIMING = Symbol('evx:task-stream-timing');

/**
 * An adapter's task stream: every task of its own provider after the cursor, then a heartbeat ("caught up"),
 * then new tasks as they are dispatched. The stream reads the database, so any provider-edge instance can serve
 * any adapter. The adapter's certificate is re-checked in full on every poll (revocation of it or its CA, expiry,
 * missing or stale CRLs fail closed): a revoked or expired adapter is cut off mid-stream.
 */
@Injectable()
export class TaskStreamService {
  constructor(
    @InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>,
    @Inject(TRUST_STORE) private readonly trust: TrustStore,
    @Inject(TASK_STREAM_TIMING) private readonly timing: TaskStreamTiming,
    @Inject(STREAM_WAKEUPS) private readonly wakeups: StreamWakeups,
  ) {}

  /** The same check as the guard's at connect time, so a stream never outlives its certificate. */
  private recheck(certificate: Buffer): void {
    try {
      identityFromCertificate(certificate, this.trust, new Date());
    } catch (error) {
      if (error instanceof IdentityError) throw new EvxError('unauthenticated', error.message, `CERT_${error.code}`);
      throw error;
    }
  }

  stream(adapter: AdapterIdentity, certificate: Buffer, cursor: string): Observable<StreamTasksResponse> {
    const start = parseCursor(cursor);
    return cursorStream<TaskEntity, StreamTasksResponse>({
      start,
      beforePoll: () => this.recheck(certificate),
      fetch: (after, limit) =>
        this.tasks.find({
          where: { providerId: adapter.provider, position: MoreThan(after) },
          order: { position: 'ASC' },
          take: limit,
        }),
      position: (row) => row.position,
      toEvent: (row) => ({ cursor: String(row.position), task: JSON.parse(row.bundle) as Task }),
      heartbeat: () => ({ cursor: '', heartbeat: { serverTime: timestampFromDate(new Date()) } }),
      pollMs: this.timing.pollMs,
      heartbeatMs: this.timing.heartbeatMs,
      wakeup: this.wakeups.tasks,
    });
  }
}

function parseCursor(cursor: string): number {
  if (cursor === '') return 0;
  if (!/^(0|[1-9]\d{0,15})$/.test(cursor)) {
    throw new EvxError(
      'out-of-range',
      `cursor "${cursor}" is not one this server issued; reconnect with an empty cursor`,
      'CURSOR_EXPIRED',
    );
  }
  return Number(cursor);
}
