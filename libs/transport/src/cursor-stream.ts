import { Observable } from 'rxjs';

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
    const tick = async (first: boolean) => {
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
        if (!closed) timer = setTimeout(() => void tick(false), spec.pollMs);
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
