import { Observable } from 'rxjs';
import type { StreamWakeup } from './stream-wakeup.js';

export interface CursorStreamSpec<Row, Event> {
  /** Position to start after (exclusive). */
  start: number;
  /** Rows after `after`, in position order, at most `limit`. */
  fetch(after: number, limit: number): Promise<Row[]>;
  position(row: Row): number;
  toEvent(row: Row): Event;
  heartbeat(): Event;
  pollMs: number;
  heartbeatMs: number;
  /** Runs before every poll; throwing ends the stream with that error (e.g. a certificate revoked meanwhile). */
  beforePoll?(): void;
  batch?: number;
  /** Reads at once when notified (rows written by this process), instead of at the next poll. */
  wakeup?: StreamWakeup;
}

/**
 * A server stream over a table ordered by position: everything after the cursor, then a heartbeat (caught up),
 * then new rows as they appear, with a heartbeat whenever the stream has been idle. It reads the database, not
 * process memory, so any instance of a service can serve any client.
 */
export function cursorStream<Row, Event>(spec: CursorStreamSpec<Row, Event>): Observable<Event> {
  const batch = spec.batch ?? 100;
  return new Observable<Event>((subscriber) => {
    let position = spec.start;
    let closed = false;
    let lastSent = 0;
    let timer: NodeJS.Timeout | undefined;
    let running = false;
    let again = false;
    const tick = async (first: boolean) => {
      running = true;
      try {
        spec.beforePoll?.();
        for (;;) {
          const rows = await spec.fetch(position, batch);
          if (closed) return;
          for (const row of rows) {
            subscriber.next(spec.toEvent(row));
            position = spec.position(row);
            lastSent = Date.now();
          }
          if (rows.length < batch) break;
        }
        if (first || Date.now() - lastSent >= spec.heartbeatMs) {
          subscriber.next(spec.heartbeat());
          lastSent = Date.now();
        }
      } catch (error) {
        if (!closed) subscriber.error(error);
        closed = true;
        return;
      } finally {
        running = false;
      }
      if (closed) return;
      if (again) {
        // Notified while reading: read once more now, the new rows may have committed after our query.
        again = false;
        void tick(false);
      } else {
        timer = setTimeout(() => void tick(false), spec.pollMs);
      }
    };
    const unsubscribe = spec.wakeup?.subscribe(() => {
      if (closed) return;
      if (running) {
        again = true;
        return;
      }
      if (timer) clearTimeout(timer);
      timer = undefined;
      void tick(false);
    });
    void tick(true);
    return () => {
      closed = true;
      unsubscribe?.();
      if (timer) clearTimeout(timer);
    };
  });
}
