import type { ChannelCredentials, Client } from '@grpc/grpc-js';
import type { AuditEventInput } from '#evx/audit';
import { createServiceClient, type AppendLogEntriesResponse } from '#evx/proto';
import { auditEventToWire } from './audit-event.wire.js';
import { callInternal } from './grpc-client.util.js';
import { checkGrpcHealth } from './health.client.js';

/** A service's channel to the vault, over internal mutual TLS with the service's own certificate. */
export class VaultClient {
  private readonly client: Client;

  constructor(
    readonly address: string,
    private readonly credentials: ChannelCredentials,
  ) {
    this.client = createServiceClient('vault', address, credentials);
  }

  /** The underlying grpc-js client, for the streaming RPCs (AppendRecords, OpenPackage). */
  get grpc(): Client {
    return this.client;
  }

  call<T>(method: string, request: unknown): Promise<T> {
    return callInternal<T>(this.client, method, request);
  }

  /** Appends audit events (at most 100) and returns their log indexes. */
  async appendAudit(events: readonly AuditEventInput[]): Promise<number[]> {
    const r = await this.call<AppendLogEntriesResponse>('appendLogEntries', {
      auditEvents: events.map(auditEventToWire),
    });
    return r.indexes.map(Number);
  }

  /** The vault's grpc.health.v1 status, or `unreachable`. */
  async health(): Promise<string> {
    try {
      return await checkGrpcHealth(this.address, this.credentials, 'evx.v1.VaultService', 2000);
    } catch {
      return 'unreachable';
    }
  }

  close(): void {
    this.client.close();
  }

  /** Nest calls this on shutdown when the client is registered as a provider. */
  onModuleDestroy(): void {
    this.close();
  }
}
