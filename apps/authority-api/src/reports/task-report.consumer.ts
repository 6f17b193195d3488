// The long-running follower of provider-edge's report stream (TaskDispatchService.StreamTaskReports): started when
// the application boots, stopped when it shuts down. It opens the stream from the stored cursor, applies each report
// (TaskReportApplier: one transaction per report, cursor included), and reconnects with exponential backoff when
// provider-edge is down or the stream breaks. Reading the stream with `for await` pulls the next message only after
// the previous one is applied, so a slow database slows the stream (backpressure) instead of queueing in memory.
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  connectivityState as ConnectivityState,
  status as GrpcStatus,
  type Client,
  type ClientReadableStream,
} from '@grpc/grpc-js';
import type { StreamTaskReportsResponse } from '#evx/proto';
import { TaskDispatcher } from '../requests/task-dispatcher.service.js';
import { PROVIDER_EDGE_REPORTS, TaskReportApplier } from './task-report.applier.js';

/** Where reports come from: a stream of responses after `cursor`, ended by `cancel`. */
export interface ReportSource {
  open(cursor: string): ReportStream;
}

export interface ReportStream extends AsyncIterable<StreamTaskReportsResponse> {
  cancel(): void;
}

export const REPORT_SOURCE = Symbol('REPORT_SOURCE');
export const REPORT_CONSUMER_SETTINGS = Symbol('REPORT_CONSUMER_SETTINGS');

export interface ReportConsumerSettings {
  /** false: do not start on bootstrap (a test drives `start()` itself). */
  readonly enabled: boolean;
  /** First wait before reconnecting, doubled after each failure up to `maxBackoffMs`. */
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Name of the stream's cursor row; `provider-edge` unless a test follows a source of its own. */
  readonly source?: string;
}

type StreamCall = (request: { cursor: string }) => ClientReadableStream<StreamTaskReportsResponse>;

/** The report stream over provider-edge's internal port (the same mTLS channel as DispatchTask). */
export class GrpcReportSource implements ReportSource {
  constructor(private readonly client: Client) {}

  open(cursor: string): ReportStream {
    const call = (this.client as unknown as { streamTaskReports: StreamCall }).streamTaskReports.call(this.client, {
      cursor,
    });
    this.cancelWhenServerLeaves(call);
    return {
      [Symbol.asyncIterator]: () => call[Symbol.asyncIterator]() as AsyncIterator<StreamTaskReportsResponse>,
      cancel: () => call.cancel(),
    };
  }

  close(): void {
    this.client.close();
  }

  /**
   * provider-edge shuts down gracefully: it says GOAWAY and waits for open calls to end. A report stream never ends
   * by itself, so when the channel leaves READY we end ours and reconnect (with backoff) to whoever serves next.
   */
  private cancelWhenServerLeaves(call: ClientReadableStream<StreamTaskReportsResponse>): void {
    const channel = this.client.getChannel();
    let finished = false;
    let wasReady = false;
    const end = () => (finished = true);
    call.on('end', end);
    call.on('error', end);
    call.on('close', end);
    const watch = (state: ConnectivityState) => {
      try {
        channel.watchConnectivityState(state, Infinity, () => {
          if (finished) return;
          const next = channel.getConnectivityState(false);
          if (next === ConnectivityState.READY) wasReady = true;
          else if (wasReady) {
            finished = true;
            call.cancel();
            return;
          }
          watch(next);
        });
      } catch {
        // The channel is shut down: the call ends with it.
      }
    };
    const now = channel.getConnectivityState(false);
    wasReady = now === ConnectivityState.READY;
    watch(now);
  }
}

interface GrpcLikeError {
  code?: number;
  details?: string;
  message?: string;
}

@Injectable()
export class TaskReportConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TaskReportConsumer');
  private running: Promise<void> | undefined;
  private stopped = false;
  private stream: ReportStream | undefined;
  private wake: (() => void) | undefined;
  private lastProblem = '';
  private caughtUpWaiters: (() => void)[] = [];
  /** Reports applied or ignored since start (duplicates not counted). */
  processed = 0;
  /** Whether the stream has caught up at least once since the last (re)connect. */
  caughtUp = false;

  constructor(
    private readonly applier: TaskReportApplier,
    private readonly dispatcher: TaskDispatcher,
    @Inject(REPORT_SOURCE) private readonly source: ReportSource,
    @Inject(REPORT_CONSUMER_SETTINGS) private readonly settings: ReportConsumerSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.enabled) this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
    if (this.source instanceof GrpcReportSource) this.source.close();
  }

  /** Starts following the stream (idempotent). */
  start(): void {
    if (this.running) return;
    this.stopped = false;
    this.running = this.loop();
  }

  /** Stops: cancels the open stream, ends the backoff wait, and waits for the report being applied. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stream?.cancel();
    this.wake?.();
    await this.running;
    this.running = undefined;
  }

  /** Resolves at the next heartbeat, i.e. once every report provider-edge had is applied. */
  whenCaughtUp(): Promise<void> {
    return new Promise((resolve) => this.caughtUpWaiters.push(resolve));
  }

  private get sourceName(): string {
    return this.settings.source ?? PROVIDER_EDGE_REPORTS;
  }

  private async loop(): Promise<void> {
    let backoff = this.settings.minBackoffMs;
    while (!this.stopped) {
      let cursor = '';
      try {
        cursor = await this.applier.cursor(this.sourceName);
        await this.follow(cursor, () => {
          backoff = this.settings.minBackoffMs;
        });
        if (this.stopped) break;
        this.problem('provider-edge ended the report stream; reconnecting');
      } catch (error) {
        if (this.stopped) break;
        const e = error as GrpcLikeError;
        if (e.code === GrpcStatus.OUT_OF_RANGE && cursor !== '') {
          // provider-edge no longer knows our cursor: start over; report ids make the replay harmless.
          this.logger.warn(`report cursor unknown to provider-edge (${e.details ?? ''}); replaying from the start`);
          await this.applier.resetCursor(this.sourceName);
          continue;
        }
        if (e.code === GrpcStatus.CANCELLED) {
          this.problem(`provider-edge is going away (shutting down); reconnecting in ${backoff} ms`);
        } else
          this.problem(
            `report stream failed (${e.code !== undefined ? `${GrpcStatus[e.code]}: ` : ''}${e.details ?? e.message ?? String(error)}); retrying in ${backoff} ms`,
          );
      }
      await this.pause(backoff);
      backoff = Math.min(backoff * 2, this.settings.maxBackoffMs);
    }
  }

  /** One connection: apply each report in order until the stream ends or fails. */
  private async follow(cursor: string, connected: () => void): Promise<void> {
    const stream = this.source.open(cursor);
    this.stream = stream;
    this.caughtUp = false;
    try {
      for await (const event of stream) {
        if (this.stopped) return;
        connected();
        if (event.report) {
          const outcome = await this.applier.apply(event.report, event.cursor, this.sourceName);
          if (outcome.outcome !== 'duplicate') this.processed++;
          if (outcome.stored && outcome.effects.length > 0)
            await this.dispatcher.carryOut(outcome.stored, outcome.effects);
        } else if (event.heartbeat) {
          this.caughtUp = true;
          this.lastProblem = '';
          for (const resolve of this.caughtUpWaiters.splice(0)) resolve();
        }
      }
    } finally {
      this.stream = undefined;
    }
  }

  /** The first occurrence of a problem is a warning; the same one again (provider-edge still down) only debug. */
  private problem(message: string): void {
    const key = message.replace(/(retrying|reconnecting) in \d+ ms/, '');
    if (key === this.lastProblem) this.logger.debug(message);
    else this.logger.warn(message);
    this.lastProblem = key;
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).then(() => {
      this.wake = undefined;
    });
  }
}
