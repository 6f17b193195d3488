// What adapters did, as provider-edge reports it to authority-api (TaskDispatchService.StreamTaskReports). The kit
// reads the same stream, with the authority-api service certificate of the PKI, from the start: it is the precise
// record of every acknowledgement, refusal (with its grounds) and completion, whatever authority-api makes of them.
import {
  status,
  type ChannelCredentials,
  type Client,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { createServiceClient, type StreamTaskReportsResponse, type TaskReport } from '#evx/proto';

/** Which of the report's oneof members is set. */
export type ReportKind = 'acknowledged' | 'clarificationRequested' | 'refused' | 'completed';

export function kindOf(report: TaskReport): ReportKind | undefined {
  if (report.acknowledged) return 'acknowledged';
  if (report.clarificationRequested) return 'clarificationRequested';
  if (report.refused) return 'refused';
  if (report.completed) return 'completed';
  return undefined;
}

interface Waiter {
  readonly match: (report: TaskReport) => boolean;
  readonly resolve: (report: TaskReport) => void;
}

type ReportsClient = Client & {
  streamTaskReports(request: { cursor: string }): ClientReadableStream<StreamTaskReportsResponse>;
};

/** Follows the report stream from its start, reconnecting from the last cursor; keeps every report. */
export class TaskReportWatcher {
  readonly reports: TaskReport[] = [];
  private readonly seen = new Set<string>();
  private readonly waiters = new Set<Waiter>();
  private readonly client: ReportsClient;
  private call?: ClientReadableStream<StreamTaskReportsResponse>;
  private cursor = '';
  private closed = false;
  private timer?: NodeJS.Timeout;
  /** The last error the stream ended with, for diagnostics. */
  lastError?: string;

  constructor(address: string, creds: ChannelCredentials) {
    this.client = createServiceClient('taskDispatch', address, creds) as ReportsClient;
  }

  /** Opens the stream; resolves at the first heartbeat (caught up), rejects if it cannot be opened at all. */
  start(timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`no heartbeat on StreamTaskReports within ${timeoutMs} ms: ${this.lastError ?? 'no answer'}`),
          ),
        timeoutMs,
      );
      this.connect(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (error) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  forTask(taskId: string): TaskReport[] {
    return this.reports.filter((r) => r.taskId === taskId);
  }

  forAuthorisation(authorisationId: string): TaskReport[] {
    return this.reports.filter((r) => r.authorisationId === authorisationId);
  }

  /** The first report (already seen or to come) that matches; rejects after `timeoutMs`. */
  waitFor(match: (report: TaskReport) => boolean, timeoutMs: number, what: string): Promise<TaskReport> {
    const found = this.reports.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (report) => {
          clearTimeout(timer);
          resolve(report);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.call?.cancel();
    this.client.close();
  }

  private connect(onCaughtUp?: () => void, onFatal?: (error: Error) => void): void {
    const call = this.client.streamTaskReports({ cursor: this.cursor });
    this.call = call;
    call.on('data', (event: StreamTaskReportsResponse) => {
      if (event.cursor) this.cursor = event.cursor;
      if (event.report) this.add(event.report);
      else if (event.heartbeat && onCaughtUp) {
        onCaughtUp();
        onCaughtUp = undefined;
        onFatal = undefined;
      }
    });
    call.on('error', (error: ServiceError) => {
      if (this.closed || error.code === status.CANCELLED) return;
      this.lastError = `${status[error.code]}: ${error.details}`;
      if (onFatal && (error.code === status.UNIMPLEMENTED || error.code === status.PERMISSION_DENIED)) {
        onFatal(new Error(`StreamTaskReports refused: ${this.lastError}`));
        return;
      }
      this.timer = setTimeout(() => this.connect(onCaughtUp, onFatal), 500);
    });
    call.on('status', (s: { code: number }) => {
      // A stream the server ended cleanly (e.g. on shutdown) is reopened like a dropped one.
      if (s.code === status.OK && !this.closed) this.timer = setTimeout(() => this.connect(onCaughtUp, onFatal), 500);
    });
  }

  private add(report: TaskReport): void {
    if (this.seen.has(report.reportId)) return;
    this.seen.add(report.reportId);
    this.reports.push(report);
    for (const waiter of this.waiters) {
      if (waiter.match(report)) {
        this.waiters.delete(waiter);
        waiter.resolve(report);
      }
    }
  }
}
