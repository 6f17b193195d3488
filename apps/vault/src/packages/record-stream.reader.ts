// One AppendRecords call: a header, then records, handled strictly one message at a time. The raw call is paused
// whenever a message is waiting for the one before it (a disk write and fsync), so gRPC flow control, not memory,
// absorbs a fast sender.
import type { Observable, Subscription } from 'rxjs';
import { EvxError } from '#evx/errors';
import type { AppendRecordsRequest, AppendRecordsResponse } from '#evx/proto';
import type { RecordIntake } from './record-intake.js';

export interface PausableCall {
  pause(): unknown;
  resume(): unknown;
}

export function readRecordStream(
  messages: Observable<AppendRecordsRequest>,
  call: PausableCall,
  intakeFor: (packageId: string) => Promise<RecordIntake>,
): Promise<AppendRecordsResponse> {
  return new Promise<AppendRecordsResponse>((resolve, reject) => {
    const queue: AppendRecordsRequest[] = [];
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
        while (queue.length > 0 && !settled) await handle(queue.shift() as AppendRecordsRequest);
        if (ended) await finish(failure);
      } catch (error) {
        await finish(error);
      } finally {
        busy = false;
      }
      if (!settled && queue.length === 0) call.resume();
    };

    subscription = messages.subscribe({
      next: (message) => {
        queue.push(message);
        call.pause();
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
