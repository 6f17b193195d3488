import { TrustStore } from '#evx/pki';
import { PROTO_FILES } from '#evx/proto';
import { grpcServerCredentials, loadServiceKeyPair, startGrpcMicroservice, type RunningService } from '#evx/transport';
import type { VaultConfig } from './vault.config.js';
import { VaultModule } from './vault.module.js';

export const VAULT_GRPC_SERVICES = ['evx.v1.VaultService'];

export async function startVault(config: VaultConfig): Promise<RunningService> {
  const trust = TrustStore.fromDirectory(config.certsDir);
  const grpcAddress = `${config.bindHost}:${config.grpcPort}`;
  const app = await startGrpcMicroservice(VaultModule.forRoot(config, trust), {
    url: grpcAddress,
    services: VAULT_GRPC_SERVICES,
    protoFiles: PROTO_FILES.vault,
    credentials: grpcServerCredentials(trust, ['service'], loadServiceKeyPair(config.certsDir, 'vault')),
    logLevel: config.logLevel,
  });
  return { name: 'vault', grpcAddress, app, close: () => app.close() };
}
