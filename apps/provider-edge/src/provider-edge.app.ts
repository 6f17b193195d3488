import { TrustStore } from '#evx/pki';
import { PROTO_FILES } from '#evx/proto';
import { grpcServerCredentials, loadServiceKeyPair, startGrpcMicroservice, type RunningService } from '#evx/transport';
import type { ProviderEdgeConfig } from './provider-edge.config.js';
import { ProviderEdgeModule } from './provider-edge.module.js';
import { TaskDispatchModule } from './dispatch/task-dispatch.module.js';
import { streamWakeups } from './stream-wakeups.js';

export const PROVIDER_EDGE_GRPC_SERVICES = ['evx.v1.ProviderExchangeService'];
export const PROVIDER_EDGE_INTERNAL_GRPC_SERVICES = ['evx.v1.TaskDispatchService'];

export async function startProviderEdge(config: ProviderEdgeConfig): Promise<RunningService> {
  const trust = TrustStore.fromDirectory(config.certsDir);
  const grpcAddress = `${config.bindHost}:${config.grpcPort}`;
  const own = loadServiceKeyPair(config.certsDir, 'provider-edge');
  const wakeups = streamWakeups();
  const app = await startGrpcMicroservice(ProviderEdgeModule.forRoot(config, trust, wakeups), {
    url: grpcAddress,
    services: PROVIDER_EDGE_GRPC_SERVICES,
    protoFiles: PROTO_FILES.providerExchange,
    credentials: grpcServerCredentials(trust, ['provider'], own),
    logLevel: config.logLevel,
    maxReceiveMessageLength: config.maxMessageBytes,
  });
  // TaskDispatchService on its own port, for EVX's services only (docs/requests.md, "Dispatch").
  const internal = await startGrpcMicroservice(TaskDispatchModule.forRoot(config, trust, wakeups), {
    url: `${config.bindHost}:${config.internalGrpcPort}`,
    services: PROVIDER_EDGE_INTERNAL_GRPC_SERVICES,
    protoFiles: PROTO_FILES.taskDispatch,
    credentials: grpcServerCredentials(trust, ['service'], own),
    logLevel: config.logLevel,
    maxReceiveMessageLength: config.maxMessageBytes,
  }).catch(async (error: unknown) => {
    // The public side is up already: do not leave it running when the service as a whole failed to start.
    await app.close();
    throw error;
  });
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
