import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Client } from '@grpc/grpc-js';
import { createServiceClient } from '#evx/proto';
import { callInternal, checkGrpcHealth } from '#evx/transport';
import { VAULT_CONNECTION, type VaultConnection } from './vault.connection.js';

/** authority-api's channel to the vault, over internal mutual TLS with its own service certificate. */
@Injectable()
export class VaultClient implements OnModuleDestroy {
  private readonly client: Client;

  constructor(@Inject(VAULT_CONNECTION) private readonly connection: VaultConnection) {
    this.client = createServiceClient('vault', connection.address, connection.credentials);
  }

  call<T>(method: string, request: unknown): Promise<T> {
    return callInternal<T>(this.client, method, request);
  }

  /** The vault's grpc.health.v1 status, or `unreachable`. */
  async health(): Promise<string> {
    try {
      return await checkGrpcHealth(this.connection.address, this.connection.credentials, 'evx.v1.VaultService', 2000);
    } catch {
      return 'unreachable';
    }
  }

  onModuleDestroy(): void {
    this.client.close();
  }
}
