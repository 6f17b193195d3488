import {
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { auditEvent, type AuditEventInput, type AuditFacts } from '#evx/audit';
import { TypeormAuditOutbox } from '#evx/persistence';
import { auditEventFromWire, auditEventToWire } from './audit-event.wire.js';
import { AuditRelay } from './audit.relay.js';
import type { VaultClient } from './vault.client.js';

/**
 * How application code leaves a trace: `record(manager, facts)` inside the transaction of the change, then
 * `delivered()` after it commits. The event reaches the vault's log through the outbox relay.
 */
@Injectable()
export class AuditTrail implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    readonly outbox: TypeormAuditOutbox,
    readonly relay: AuditRelay,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Validated here, inside the change's transaction, exactly as the vault will validate it: an event the log would
   * refuse fails the change instead of blocking the outbox later.
   */
  async record(manager: EntityManager, facts: readonly AuditFacts[]): Promise<void> {
    const { events, at } = this.prepare(facts);
    await this.outbox.enqueue(manager, events, at);
  }

  /**
   * The events `record` enqueues for `facts`, stamped now and validated as it validates them, with that time (ms):
   * for a change that writes them in its own statement (the outbox's `enqueueFor`).
   */
  prepare(facts: readonly AuditFacts[]): { events: AuditEventInput[]; at: number } {
    const now = this.clock();
    const events = facts.map((f) => auditEvent(f, now));
    events.forEach((e, i) => auditEventFromWire(auditEventToWire(e), 'evx://service/self-check', `audit event ${i}`));
    return { events, at: now.getTime() };
  }

  /** Pushes what was just committed; failures leave it in the outbox for the relay's next round. */
  delivered(): Promise<number> {
    return this.relay.kick();
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.relay.stop();
  }
}

@Module({})
export class AuditTrailModule {
  static forService(service: string, vault: VaultClient, relayIntervalMs = 500): DynamicModule {
    return {
      module: AuditTrailModule,
      providers: [
        {
          provide: AuditTrail,
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => {
            const outbox = new TypeormAuditOutbox(dataSource, service);
            return new AuditTrail(
              outbox,
              new AuditRelay(outbox, (events) => vault.appendAudit(events), { intervalMs: relayIntervalMs }),
            );
          },
        },
      ],
      exports: [AuditTrail],
    };
  }
}
