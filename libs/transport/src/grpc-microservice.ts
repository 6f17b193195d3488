import type { DynamicModule, INestMicroservice, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server, ServerCredentials } from '@grpc/grpc-js';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { createHealth, grpcServerOptions, markServing } from './grpc-server.options.js';
import { logLevelsUpTo } from './service.runner.js';

export interface GrpcMicroserviceSpec {
  url: string;
  /** Fully qualified service names; reported SERVING by grpc.health.v1 once listening. */
  services: string[];
  protoFiles: string[];
  credentials: ServerCredentials;
  logLevel: LogLevel;
  maxReceiveMessageLength?: number;
}

/**
 * How long a closing server lets calls in flight finish before it cancels the rest. Long-lived streams (task streams,
 * report streams, watches) never finish on their own, so without a bound a graceful shutdown would wait for every
 * client to hang up; cancelled clients see UNAVAILABLE/CANCELLED and reconnect to another instance.
 */
export const SHUTDOWN_GRACE_MS = 3000;

/** Starts one mTLS gRPC server for a module and reports it SERVING on the standard health service once it listens. */
export async function startGrpcMicroservice(
  module: DynamicModule,
  spec: GrpcMicroserviceSpec,
): Promise<INestMicroservice> {
  const health = createHealth(spec.services);
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(module, {
    ...grpcServerOptions({
      url: spec.url,
      services: spec.services,
      protoFiles: spec.protoFiles,
      credentials: spec.credentials,
      health,
      maxReceiveMessageLength: spec.maxReceiveMessageLength,
    }),
    logger: logLevelsUpTo(spec.logLevel),
  });
  await app.listen();
  markServing(health, spec.services);
  // Bound the graceful shutdown. The app is a Nest proxy that ignores property writes, so the hook goes on the
  // transport server, whose close() Nest awaits first; it keeps the grpc-js Server as `grpcClient`.
  const transport = app.getTransportServer() as unknown as { close(): Promise<void>; grpcClient?: Server };
  const closeTransport = transport.close.bind(transport);
  transport.close = async () => {
    health.setStatus('', 'NOT_SERVING');
    for (const s of spec.services) health.setStatus(s, 'NOT_SERVING');
    const timer = setTimeout(() => transport.grpcClient?.forceShutdown(), SHUTDOWN_GRACE_MS);
    try {
      await closeTransport();
    } finally {
      clearTimeout(timer);
    }
  };
  return app;
}
