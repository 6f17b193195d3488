import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { TrustStore } from '#evx/pki';
import { PROTO_FILES } from '#evx/proto';
import {
  createHealth,
  grpcServerCredentials,
  grpcServerOptions,
  loadServiceKeyPair,
  logLevelsUpTo,
  markServing,
  type RunningService,
} from '#evx/transport';
import type { VaultConfig } from './vault.config.js';
import { VaultModule } from './vault.module.js';

export const VAULT_GRPC_SERVICES = ['evx.v1.VaultService'];

export async function startVault(config: VaultConfig): Promise<RunningService> {
  const trust = TrustStore.fromDirectory(config.certsDir);
  const health = createHealth(VAULT_GRPC_SERVICES);
  const grpcAddress = `${config.bindHost}:${config.grpcPort}`;
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(VaultModule.forRoot(config, trust), {
    ...grpcServerOptions({
      url: grpcAddress,
      services: VAULT_GRPC_SERVICES,
      protoFiles: PROTO_FILES.vault,
      credentials: grpcServerCredentials(trust, ['service'], loadServiceKeyPair(config.certsDir, 'vault')),
      health,
    }),
    logger: logLevelsUpTo(config.logLevel),
  });
  await app.listen();
  markServing(health, VAULT_GRPC_SERVICES);
  return { name: 'vault', grpcAddress, app, close: () => app.close() };
}
