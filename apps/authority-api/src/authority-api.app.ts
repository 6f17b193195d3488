import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { TrustStore } from '#evx/pki';
import { PROTO_FILES } from '#evx/proto';
import {
  createHealth,
  grpcServerCredentials,
  grpcServerOptions,
  httpsServerOptions,
  loadServiceKeyPair,
  logLevelsUpTo,
  markServing,
  type RunningService,
} from '#evx/transport';
import type { AuthorityApiConfig } from './authority-api.config.js';
import { AuthorityApiModule, type AuthorityApiOptions } from './authority-api.module.js';
import { mountOpenApi } from './openapi.js';

export const AUTHORITY_GRPC_SERVICES = ['evx.v1.AuthorityService'];
const DOMAINS = ['authority', 'oversight'] as const;

/** REST over HTTPS with client certificates, and gRPC, in one process sharing guards, filters and storage. */
export async function startAuthorityApi(
  config: AuthorityApiConfig,
  options: AuthorityApiOptions = {},
): Promise<RunningService> {
  const trust = TrustStore.fromDirectory(config.certsDir);
  const own = loadServiceKeyPair(config.certsDir, 'authority-api');
  const health = createHealth(AUTHORITY_GRPC_SERVICES);
  const grpcAddress = `${config.bindHost}:${config.grpcPort}`;
  const app = await NestFactory.create(AuthorityApiModule.forRoot(config, trust, options), {
    httpsOptions: httpsServerOptions(trust, DOMAINS, own),
    logger: logLevelsUpTo(config.logLevel),
  });
  app.connectMicroservice<MicroserviceOptions>(
    grpcServerOptions({
      url: grpcAddress,
      services: AUTHORITY_GRPC_SERVICES,
      protoFiles: PROTO_FILES.authority,
      credentials: grpcServerCredentials(trust, DOMAINS, own),
      health,
    }),
    { inheritAppConfig: true },
  );
  mountOpenApi(app);
  await app.startAllMicroservices();
  await app.listen(config.httpsPort, config.bindHost);
  markServing(health, AUTHORITY_GRPC_SERVICES);
  return {
    name: 'authority-api',
    grpcAddress,
    httpsUrl: `https://${config.bindHost === '127.0.0.1' ? 'localhost' : config.bindHost}:${config.httpsPort}`,
    app,
    close: () => app.close(),
  };
}
