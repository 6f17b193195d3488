// One AppendRecords call: a header, then records, handled strictly one message at a time. Up to READ_AHEAD_BYTES of
// payload may wait while the message before them is written (so the HTTP/2 window keeps moving); beyond that the raw
// call is paused (a slow disk, or a full group waiting for the group before it to be fsynced and committed), so gRPC
// flow control, not memory, absorbs a fast sender. At the end every complete record is made durable before the
// response reports it.
import type { Observable, Subscription } from 'rxjs';
import { EvxError } from '#evx/errors';
import type { AppendRecordsRequest, AppendRecordsResponse } from '#evx/proto';
import type { RecordIntake } from './record-intake.js';

export interface PausableCall {
  pause(): unknown;
  resume(): unknown;
}

/** Payload bytes read ahead of the message being handled before the call is paused (2 chunks of at most 1 MiB). */
const READ_AHEAD_BYTES = 2 * 1024 * 1024;

/** Messages read ahead before the call is paused, whatever their size. */
const READ_AHEAD_MESSAGES = 64;

const sizeOf = (message: AppendRecordsRequest): number => message.record?.payload?.length ?? 0;

export function readRecordStream(
  messages: Observable<AppendRecordsRequest>,
  call: PausableCall,
  intakeFor: (packageId: string) => Promise<RecordIntake>,
): Promise<AppendRecordsResponse> {
  return new Promise<AppendRecordsResponse>((resolve, reject) => {
    const queue: AppendRecordsRequest[] = [];
    let queuedBytes = 0;
    let paused = false;
    let packageId: string | undefined;
    let intake: RecordIntake | undefined;
    let ended = false;
    let failure: unknown;
    let busy = false;
    let settled = false;
    let subscription: Subscription | undefined;

    const handle = async (message: AppendRecordsRequest): Promise<void> => {
      if (message.header) {
        if (packageId !== undefined) throw new EvxError('invalid-argument', 'the header comes once, first');
        packageId = message.header.packageId;
        intake = await intakeFor(packageId);
        return;
      }
      if (!message.record) throw new EvxError('invalid-argument', 'a message carries a header or a record');
      if (!intake) throw new EvxError('invalid-argument', 'the first message must be the header naming the package');
      await intake.accept(message.record);
    };

    const finish = async (error?: unknown): Promise<void> => {
      if (settled) return;
      settled = true;
      subscription?.unsubscribe();
      // Every complete record becomes durable (also on a cut stream); the response only reports durable ones.
      if (intake) {
        try {
          await intake.flush();
        } catch (flushError) {
          error ??= flushError;
        }
      }
      // A record cut off mid-way is not durable: it is resent from chunk_offset 0.
      await intake?.abandon().catch(() => undefined);
      call.resume();
      if (error !== undefined) return reject(error);
      if (!intake || packageId === undefined) {
        return reject(new EvxError('invalid-argument', 'the stream ended before its header'));
      }
      const { state, rejections } = intake;
      const some = state.chain.count > 0;
      resolve({
        packageId,
        durableSequenceNumber: String(state.durableSequenceNumber),
        recordCount: String(state.chain.count),
        chainHead: some ? Buffer.from(state.chain.chainHead) : Buffer.alloc(0),
        merkleRoot: some ? Buffer.from(state.chain.merkleRoot) : Buffer.alloc(0),
        rejections,
      });
    };

    const pump = async (): Promise<void> => {
      if (busy || settled) return;
      busy = true;
      try {
        while (queue.length > 0 && !settled) {
          const message = queue.shift() as AppendRecordsRequest;
          queuedBytes -= sizeOf(message);
          if (paused && queuedBytes <= READ_AHEAD_BYTES / 2 && queue.length <= READ_AHEAD_MESSAGES / 2) {
            paused = false;
            call.resume();
          }
          await handle(message);
        }
        if (ended) await finish(failure);
      } catch (error) {
        await finish(error);
      } finally {
        busy = false;
      }
      if (!settled && queue.length === 0 && paused) {
        paused = false;
        call.resume();
      }
    };

    subscription = messages.subscribe({
      next: (message) => {
        queue.push(message);
        queuedBytes += sizeOf(message);
        if (!paused && (queuedBytes > READ_AHEAD_BYTES || queue.length > READ_AHEAD_MESSAGES)) {
          paused = true;
          call.pause();
        }
        void pump();
      },
      // After the message being handled, never during it (its payload file may be mid-write).
      error: (error: unknown) => {
        failure = error ?? new Error('the request stream failed');
        ended = true;
        void pump();
      },
      complete: () => {
        ended = true;
        void pump();
      },
    });
    if (settled) subscription.unsubscribe();
  });
}
