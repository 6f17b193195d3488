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
   * Every task, notification and heartbeat, in order, one at a time: the next event waits until the promise this
   * returns has settled, and only then is the event's cursor saved (at-least-once: a crash repeats it).
   */
  onEvent(event: StreamTasksResponse): void | Promise<void>;
  /** The first heartbeat after (re)connecting: everything pending has been delivered. */
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
  /** Loaded before connecting and saved after each handled event. */
  cursorStore?: CursorStore;
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

/**
 * Keeps one task stream open to provider-edge: reconnects with exponential backoff, resumes from the last cursor
 * handled, and restarts from scratch if the server says the cursor expired. Events are handled strictly one after
 * another (the call is paused while a handler runs, which is also the backpressure towards provider-edge).
 */
export class TaskStream {
  private readonly client: StreamTasksClient;
  private call?: ClientReadableStream<StreamTasksResponse>;
  private timer?: NodeJS.Timeout;
  private closed = false;
  private backoffMs: number;
  /** Every event goes through this chain, so handlers never overlap, also across reconnects. */
  private queue: Promise<void> = Promise.resolve();
  /** Bumped on every connection: events of an abandoned connection are dropped unhandled. */
  private connection = 0;
  cursor: string;

  constructor(
    private readonly options: TaskStreamOptions,
    private readonly handlers: TaskStreamHandlers,
  ) {
    this.client = createServiceClient('providerExchange', options.address, options.credentials) as StreamTasksClient;
    this.cursor = options.cursor ?? '';
    this.backoffMs = options.minBackoffMs ?? 500;
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
    this.call?.cancel();
    this.client.close();
  }

  /** Settles once every event received so far has been handled. */
  async idle(): Promise<void> {
    await this.queue;
  }

  private reconnectLater(): void {
    if (this.closed || this.timer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 10_000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Reconnect only after the events already received are handled, so the cursor sent is the newest.
      void this.queue.then(() => this.connect());
    }, delay);
  }

  private connect(): void {
    if (this.closed) return;
    const connection = ++this.connection;
    let caughtUp = false;
    const call = this.client.streamTasks({ cursor: this.cursor });
    this.call = call;
    call.on('data', (event: StreamTasksResponse) => {
      call.pause();
      this.queue = this.queue.then(async () => {
        if (connection !== this.connection) return;
        try {
          await this.handlers.onEvent(event);
          // Saving the cursor is part of confirming the event: if it fails, the event comes again.
          if (event.cursor) await this.options.cursorStore?.save(event.cursor);
        } catch (error) {
          this.handlers.onHandlerError?.(error, event);
          // Not confirmed: drop this connection and come back from the last confirmed cursor.
          this.connection++;
          call.cancel();
          this.reconnectLater();
          return;
        }
        if (event.cursor) this.cursor = event.cursor;
        this.backoffMs = this.options.minBackoffMs ?? 500;
        if (event.heartbeat && !caughtUp) {
          caughtUp = true;
          this.handlers.onCaughtUp?.();
        }
        call.resume();
      });
    });
    call.on('status', (s: { code: number }) => {
      // A stream the server ended cleanly (e.g. on shutdown) is reopened like a dropped one.
      if (s.code === status.OK && connection === this.connection) this.reconnectLater();
    });
    call.on('error', (error: ServiceError) => {
      if (this.closed || connection !== this.connection || error.code === status.CANCELLED) return;
      if (error.code === status.OUT_OF_RANGE) this.cursor = '';
      const final = FINAL.has(error.code);
      this.handlers.onDisconnect?.(error, final ? null : this.backoffMs);
      if (!final) this.reconnectLater();
    });
  }
}
