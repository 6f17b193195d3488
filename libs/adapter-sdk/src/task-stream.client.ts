import {
  Metadata,
  status,
  type ChannelCredentials,
  type Client,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { createServiceClient, type StreamTasksRequest, type StreamTasksResponse } from '#evx/proto';
import type { CursorStore } from './cursor.store.js';

export interface TaskStreamHandlers {
  /**
   * Every task, notification and heartbeat. Events of the same task are handled one after another, in order; events
   * of different tasks may overlap, up to `concurrency`. An event's cursor is saved only once it and every event
   * before it have been handled (at-least-once: a crash repeats work, never skips it).
   */
  onEvent(event: StreamTasksResponse): void | Promise<void>;
  /** The first heartbeat after (re)connecting, once it and everything before it were handled: caught up. */
  onCaughtUp?(): void;
  /** A connection was lost; the stream reconnects by itself after `retryInMs`, unless the error is final. */
  onDisconnect?(error: ServiceError, retryInMs: number | null): void;
  /** onEvent threw: the event is not confirmed, and the stream reconnects from the last confirmed cursor. */
  onHandlerError?(error: unknown, event: StreamTasksResponse): void;
}

export interface TaskStreamOptions {
  address: string;
  credentials: ChannelCredentials;
  /** Where to resume; the stream keeps it current as events are handled. Ignored when `cursorStore` is given. */
  cursor?: string;
  /** Loaded before connecting and saved as events are confirmed. */
  cursorStore?: CursorStore;
  /**
   * How many events may be in hand at once (default 1: strictly one after another). Above 1, a long upload no
   * longer holds back the next task, e.g. an emergency order; events of the same task still never overlap.
   */
  concurrency?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Errors after which reconnecting cannot help: the adapter's identity or request is wrong. */
const FINAL = new Set<number>([
  status.UNAUTHENTICATED,
  status.PERMISSION_DENIED,
  status.INVALID_ARGUMENT,
  status.UNIMPLEMENTED,
]);

type StreamTasksClient = Client & {
  streamTasks(request: StreamTasksRequest): ClientReadableStream<StreamTasksResponse>;
};

/** An event received on one connection, confirmed (its cursor saved) only after every earlier one. */
interface Received {
  readonly event: StreamTasksResponse;
  handled: boolean;
}

/** What one connection has received and not yet confirmed, in the order it arrived. */
interface Connection {
  readonly id: number;
  readonly call: ClientReadableStream<StreamTasksResponse>;
  readonly received: Received[];
  caughtUp: boolean;
}

/** Events of one task share a key, so they are handled in order; heartbeats have none. */
function keyOf(event: StreamTasksResponse): string {
  return event.task?.taskId || event.notification?.taskId || '';
}

/**
 * Keeps one task stream open to provider-edge: reconnects with exponential backoff, resumes from the last confirmed
 * cursor, and restarts from scratch if the server says the cursor expired. At most `concurrency` events are in hand
 * at once: the call is paused at the limit, which is also the backpressure towards provider-edge.
 */
export class TaskStream {
  private readonly client: StreamTasksClient;
  private readonly limit: number;
  private current?: Connection;
  private timer?: NodeJS.Timeout;
  /** A reconnection is pending (its timer, then waiting for the handlers in hand): at most one at a time. */
  private reconnecting = false;
  private closed = false;
  private backoffMs: number;
  /** Bumped on every connection: events of an abandoned connection are dropped unhandled. */
  private connection = 0;
  /** Handlers running or waiting for their task's previous event, across connections. */
  private readonly inHand = new Set<Promise<void>>();
  /** The last handler of each task, so the next event of that task waits for it (also across reconnects). */
  private readonly lastOfTask = new Map<string, Promise<void>>();
  /** Cursor saves, one after another and in order. */
  private saving: Promise<void> = Promise.resolve();
  cursor: string;

  constructor(
    private readonly options: TaskStreamOptions,
    private readonly handlers: TaskStreamHandlers,
  ) {
    this.client = createServiceClient('providerExchange', options.address, options.credentials) as StreamTasksClient;
    this.cursor = options.cursor ?? '';
    this.backoffMs = options.minBackoffMs ?? 500;
    this.limit = Math.max(1, Math.floor(options.concurrency ?? 1));
  }

  start(): this {
    if (this.options.cursorStore) {
      void this.options.cursorStore.load().then(
        (cursor) => {
          this.cursor = cursor;
          if (!this.closed) this.connect();
        },
        (error: Error) => {
          // Without its cursor the adapter cannot know where it stands: stop, as for a refused certificate.
          const failure = Object.assign(new Error(`cannot read the cursor store: ${error.message}`), {
            code: status.FAILED_PRECONDITION,
            details: `cannot read the cursor store: ${error.message}`,
            metadata: new Metadata(),
          }) as ServiceError;
          this.handlers.onDisconnect?.(failure, null);
        },
      );
    } else {
      this.connect();
    }
    return this;
  }

  close(): void {
    this.closed = true;
    this.connection++;
    if (this.timer) clearTimeout(this.timer);
    this.current?.call.cancel();
    this.client.close();
  }

  /** Settles once every event received so far has been handled and its confirmation saved (or abandoned). */
  async idle(): Promise<void> {
    while (this.inHand.size > 0) await Promise.allSettled([...this.inHand]);
    await this.saving.catch(() => undefined);
  }

  private reconnectLater(): void {
    if (this.closed || this.reconnecting) return;
    this.reconnecting = true;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 10_000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Reconnect only after the events already received are handled, so the cursor sent is the newest.
      void this.idle().then(() => {
        this.reconnecting = false;
        this.connect();
      });
    }, delay);
  }

  /** Calls one of the caller's callbacks: a failure of its own must not stop the stream. */
  private tell(callback: () => void): void {
    try {
      callback();
    } catch {
      // The callback's own problem; the stream's state does not depend on it.
    }
  }

  /** Drops a connection whose event could not be confirmed; the next one starts from the last confirmed cursor. */
  private abandon(conn: Connection): void {
    if (conn.id !== this.connection) return;
    this.connection++;
    conn.call.cancel();
    this.reconnectLater();
  }

  private connect(): void {
    if (this.closed) return;
    const call = this.client.streamTasks({ cursor: this.cursor });
    const conn: Connection = { id: ++this.connection, call, received: [], caughtUp: false };
    this.current = conn;
    call.on('data', (event: StreamTasksResponse) => this.receive(conn, event));
    call.on('status', (s: { code: number }) => {
      // A stream the server ended cleanly (e.g. on shutdown) is reopened like a dropped one.
      if (s.code === status.OK && conn.id === this.connection) this.reconnectLater();
    });
    call.on('error', (error: ServiceError) => {
      if (this.closed || conn.id !== this.connection || error.code === status.CANCELLED) return;
      if (error.code === status.OUT_OF_RANGE) this.cursor = '';
      const final = FINAL.has(error.code);
      this.tell(() => this.handlers.onDisconnect?.(error, final ? null : this.backoffMs));
      // What is still in hand finishes and is confirmed; the next connection starts after it (reconnectLater).
      if (!final) this.reconnectLater();
    });
  }

  private receive(conn: Connection, event: StreamTasksResponse): void {
    const entry: Received = { event, handled: false };
    conn.received.push(entry);
    if (this.inHand.size + 1 >= this.limit) conn.call.pause();
    const key = keyOf(event);
    const before = (key && this.lastOfTask.get(key)) || Promise.resolve();
    // Never rejects: `before` is only waited for, and every failure here is handled in place.
    const handling: Promise<void> = before
      .then(async () => {
        if (conn.id !== this.connection) return; // abandoned: the event comes again on the next connection
        try {
          await this.handlers.onEvent(event);
        } catch (error) {
          this.tell(() => this.handlers.onHandlerError?.(error, event));
          this.abandon(conn);
          return;
        }
        entry.handled = true;
        this.confirm(conn);
      })
      .catch(() => undefined)
      .finally(() => {
        this.inHand.delete(handling);
        if (key && this.lastOfTask.get(key) === handling) this.lastOfTask.delete(key);
        if (conn.id === this.connection && !this.closed && this.inHand.size < this.limit) conn.call.resume();
      });
    this.inHand.add(handling);
    if (key) this.lastOfTask.set(key, handling);
  }

  /** Confirms the handled events at the front of the connection's queue: saves the newest cursor among them. */
  private confirm(conn: Connection): void {
    let cursor = '';
    let last: StreamTasksResponse | undefined;
    let heartbeat = false;
    while (conn.received[0]?.handled) {
      const { event } = conn.received.shift() as Received;
      last = event;
      if (event.cursor) cursor = event.cursor;
      if (event.heartbeat) heartbeat = true;
    }
    if (last) this.backoffMs = this.options.minBackoffMs ?? 500;
    if (cursor && last) {
      const confirmed = last;
      const store = this.options.cursorStore;
      // Saving the cursor is part of confirming the event: if it fails, the events since the last save come again.
      this.saving = this.saving.then(async () => {
        // Work finished while the stream was closing is still confirmed; an abandoned connection's is not.
        if (conn.id !== this.connection && !this.closed) return;
        try {
          await store?.save(cursor);
          this.cursor = cursor;
        } catch (error) {
          this.tell(() => this.handlers.onHandlerError?.(error, confirmed));
          this.abandon(conn);
        }
      });
    }
    if (heartbeat && !conn.caughtUp) {
      conn.caughtUp = true;
      // After the save of what came before, so a caught-up adapter has its position on disk.
      void this.saving.then(() => {
        if (conn.id === this.connection) this.tell(() => this.handlers.onCaughtUp?.());
      });
    }
  }
}
