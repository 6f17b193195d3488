import {
  status,
  type ChannelCredentials,
  type Client,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { createServiceClient, type StreamTasksRequest, type StreamTasksResponse } from '#evx/proto';

export interface TaskStreamHandlers {
  /** Every task, notification and heartbeat, in order. */
  onEvent(event: StreamTasksResponse): void | Promise<void>;
  /** The first heartbeat after (re)connecting: everything pending has been delivered. */
  onCaughtUp?(): void;
  /** A connection was lost; the stream reconnects by itself after `retryInMs`, unless the error is final. */
  onDisconnect?(error: ServiceError, retryInMs: number | null): void;
}

export interface TaskStreamOptions {
  address: string;
  credentials: ChannelCredentials;
  /** Where to resume; the stream keeps it current as events arrive. */
  cursor?: string;
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
 * seen, and restarts from scratch if the server says the cursor expired.
 */
export class TaskStream {
  private readonly client: StreamTasksClient;
  private call?: ClientReadableStream<StreamTasksResponse>;
  private timer?: NodeJS.Timeout;
  private closed = false;
  private backoffMs: number;
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
    this.connect();
    return this;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.call?.cancel();
    this.client.close();
  }

  private connect(): void {
    let caughtUp = false;
    const call = this.client.streamTasks({ cursor: this.cursor });
    this.call = call;
    call.on('data', (event: StreamTasksResponse) => {
      if (event.cursor) this.cursor = event.cursor;
      this.backoffMs = this.options.minBackoffMs ?? 500;
      void this.handlers.onEvent(event);
      if (event.heartbeat && !caughtUp) {
        caughtUp = true;
        this.handlers.onCaughtUp?.();
      }
    });
    call.on('status', (s: { code: number }) => {
      // A stream the server ended cleanly (e.g. on shutdown) is reopened like a dropped one.
      if (s.code === status.OK && !this.closed) this.timer = setTimeout(() => this.connect(), this.backoffMs);
    });
    call.on('error', (error: ServiceError) => {
      if (this.closed || error.code === status.CANCELLED) return;
      if (error.code === status.OUT_OF_RANGE) this.cursor = '';
      const final = FINAL.has(error.code);
      const retryIn = final ? null : this.backoffMs;
      this.handlers.onDisconnect?.(error, retryIn);
      if (retryIn === null) return;
      this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 10_000);
      this.timer = setTimeout(() => this.connect(), retryIn);
    });
  }
}
