import { Logger } from '@nestjs/common';
import type { AuditEventInput, AuditOutboxStore } from '#evx/audit';

/** Delivers events to the log and returns each one's log index, in order (VaultService.AppendLogEntries). */
export type AuditSink = (events: readonly AuditEventInput[]) => Promise<number[]>;

export interface AuditRelayOptions {
  intervalMs?: number;
  batchSize?: number;
  clock?: () => number;
}

/**
 * Moves audit events from a service's outbox to the vault's log. Delivery is at least once and the log stores an
 * event id once, so a crash between delivering and marking costs nothing. While the vault is unreachable events
 * wait in the outbox, durable; nothing is dropped.
 */
export class AuditRelay {
  private readonly logger = new Logger('AuditRelay');
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly outbox: AuditOutboxStore,
    private readonly sink: AuditSink,
    private readonly options: AuditRelayOptions = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Delivers what is pending now (after a change, so the trace reaches the log without waiting for the timer). */
  kick(): Promise<number> {
    this.running ??= this.deliverAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.kick().finally(() => this.schedule());
    }, this.options.intervalMs ?? 500);
  }

  private async deliverAll(): Promise<number> {
    let delivered = 0;
    try {
      for (;;) {
        const batch = await this.outbox.pending(this.options.batchSize ?? 100);
        if (batch.length === 0) break;
        const indexes = await this.sink(batch);
        if (indexes.length !== batch.length)
          throw new Error(`the log answered ${indexes.length} indexes for ${batch.length} events`);
        const clock = this.options.clock ?? Date.now;
        await this.outbox.markDelivered(
          batch.map((e, i) => ({ eventId: e.eventId, logIndex: indexes[i] })),
          clock(),
        );
        delivered += batch.length;
      }
      if (this.failing) this.logger.log('audit log reachable again; backlog delivered');
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.logger.warn(`audit events wait in the outbox: ${(error as Error).message}`);
      this.failing = true;
    }
    return delivered;
  }
}
