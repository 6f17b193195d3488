import type { ChannelCredentials } from '@grpc/grpc-js';

export const VAULT_CONNECTION = Symbol('evx:vault-connection');

export interface VaultConnection {
  address: string;
  credentials: ChannelCredentials;
}
