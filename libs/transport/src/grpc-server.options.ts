import type { ServerCredentials } from '@grpc/grpc-js';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { PROTO_LOADER_OPTIONS, PROTO_ROOT } from '#evx/proto';

export interface GrpcServerSpec {
  /** `host:port` to bind. */
  url: string;
  /** Fully qualified service names served, e.g. `evx.v1.VaultService`; reported SERVING by grpc.health.v1. */
  services: string[];
  protoFiles: string[];
  credentials: ServerCredentials;
  health: HealthImplementation;
  maxReceiveMessageLength?: number;
}

/** Nest gRPC options shared by every EVX server: our protos, one loader configuration, mTLS, standard health. */
export function grpcServerOptions(spec: GrpcServerSpec): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      url: spec.url,
      package: 'evx.v1',
      protoPath: spec.protoFiles,
      loader: { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT] },
      credentials: spec.credentials,
      maxReceiveMessageLength: spec.maxReceiveMessageLength,
      gracefulShutdown: true,
      onLoadPackageDefinition: (_pkg: unknown, server: Parameters<HealthImplementation['addToServer']>[0]) => {
        spec.health.addToServer(server);
      },
    },
  };
}

/** The standard health service: overall ('') and each named service start NOT_SERVING until the app is ready. */
export function createHealth(services: string[]): HealthImplementation {
  const statuses: Record<string, 'NOT_SERVING'> = { '': 'NOT_SERVING' };
  for (const s of services) statuses[s] = 'NOT_SERVING';
  return new HealthImplementation(statuses);
}

export function markServing(health: HealthImplementation, services: string[]): void {
  health.setStatus('', 'SERVING');
  for (const s of services) health.setStatus(s, 'SERVING');
}

export { healthProtoPath };
