import type { DynamicModule, INestMicroservice, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ServerCredentials } from '@grpc/grpc-js';
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
  return app;
}
