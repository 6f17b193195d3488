import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Observable } from 'rxjs';
import { MoreThan, type Repository } from 'typeorm';
import { EvxError } from '#evx/errors';
import { IdentityError, identityFromCertificate, type AdapterIdentity, type TrustStore } from '#evx/pki';
import { timestampFromDate, type StreamTasksResponse, type Task } from '#evx/proto';
import { TRUST_STORE } from '#evx/transport';
import { TaskEntity } from './persistence/task.entity.js';

export interface TaskStreamTiming {
  /** How often the stream looks for new tasks. */
  pollMs: number;
  /** How often an idle stream sends a heartbeat. */
  heartbeatMs: number;
}

export const TASK_STREAM_TIMING = Symbol('evx:task-stream-timing');

const BATCH = 100;

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
    return new Observable<StreamTasksResponse>((subscriber) => {
      let position = start;
      let closed = false;
      let lastSent = 0;
      let timer: NodeJS.Timeout | undefined;
      const tick = async (first: boolean) => {
        try {
          this.recheck(certificate);
          for (;;) {
            const rows = await this.tasks.find({
              where: { providerId: adapter.provider, position: MoreThan(position) },
              order: { position: 'ASC' },
              take: BATCH,
            });
            if (closed) return;
            for (const row of rows) {
              subscriber.next({ cursor: String(row.position), task: JSON.parse(row.bundle) as Task });
              position = row.position;
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
