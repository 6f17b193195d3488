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
import type { ProviderEdgeConfig } from './provider-edge.config.js';
import { ProviderEdgeModule } from './provider-edge.module.js';
import { TaskDispatchModule } from './dispatch/task-dispatch.module.js';

export const PROVIDER_EDGE_GRPC_SERVICES = ['evx.v1.ProviderExchangeService'];
export const PROVIDER_EDGE_INTERNAL_GRPC_SERVICES = ['evx.v1.TaskDispatchService'];

export async function startProviderEdge(config: ProviderEdgeConfig): Promise<RunningService> {
  const trust = TrustStore.fromDirectory(config.certsDir);
  const health = createHealth(PROVIDER_EDGE_GRPC_SERVICES);
  const grpcAddress = `${config.bindHost}:${config.grpcPort}`;
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(ProviderEdgeModule.forRoot(config, trust), {
    ...grpcServerOptions({
      url: grpcAddress,
      services: PROVIDER_EDGE_GRPC_SERVICES,
      protoFiles: PROTO_FILES.providerExchange,
      credentials: grpcServerCredentials(trust, ['provider'], loadServiceKeyPair(config.certsDir, 'provider-edge')),
      health,
      maxReceiveMessageLength: config.maxMessageBytes,
    }),
    logger: logLevelsUpTo(config.logLevel),
  });
  await app.listen();
  markServing(health, PROVIDER_EDGE_GRPC_SERVICES);
  const internal = await startInternalServer(config, trust);
  return {
    name: 'provider-edge',
    grpcAddress,
    app,
    close: async () => {
      await internal.close();
      await app.close();
    },
  };
}

/** TaskDispatchService on its own port, for EVX's services only (docs/requests.md, "Dispatch"). */
async function startInternalServer(config: ProviderEdgeConfig, trust: TrustStore) {
  const health = createHealth(PROVIDER_EDGE_INTERNAL_GRPC_SERVICES);
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(TaskDispatchModule.forRoot(config, trust), {
    ...grpcServerOptions({
      url: `${config.bindHost}:${config.internalGrpcPort}`,
      services: PROVIDER_EDGE_INTERNAL_GRPC_SERVICES,
      protoFiles: PROTO_FILES.taskDispatch,
      credentials: grpcServerCredentials(trust, ['service'], loadServiceKeyPair(config.certsDir, 'provider-edge')),
      health,
      maxReceiveMessageLength: config.maxMessageBytes,
    }),
    logger: logLevelsUpTo(config.logLevel),
  });
  await app.listen();
  markServing(health, PROVIDER_EDGE_INTERNAL_GRPC_SERVICES);
  return app;
}
