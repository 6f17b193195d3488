import { Inject, Injectable } from '@nestjs/common';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { checkGrpcHealth } from '#evx/transport';

export const VAULT_CONNECTION = Symbol('evx:vault-connection');

export interface VaultConnection {
  address: string;
  credentials: ChannelCredentials;
}

/** Asks the vault's standard health service over internal mutual TLS (authority-api's own service certificate). */
@Injectable()
export class VaultProbe {
  constructor(@Inject(VAULT_CONNECTION) private readonly connection: VaultConnection) {}

  async status(): Promise<string> {
    try {
      return await checkGrpcHealth(this.connection.address, this.connection.credentials, 'evx.v1.VaultService', 2000);
    } catch {
      return 'unreachable';
    }
  }
}
