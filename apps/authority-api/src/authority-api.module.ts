import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { TrustStore } from '#evx/pki';
import { PersistenceModule } from '#evx/persistence';
import {
  AuditTrailModule,
  EvxServiceModule,
  VaultClient,
  grpcClientCredentials,
  loadServiceKeyPair,
} from '#evx/transport';
import type { AuthorityApiConfig } from './authority-api.config.js';
import { AuthorityGrpcController } from './authority.grpc-controller.js';
import { HealthHttpController } from './health.http-controller.js';
import { AUTHORITY_STORE } from './persistence/authority.store.js';
import { RequestEntity } from './persistence/request.entity.js';
import { RequestQueryService } from './request-query.service.js';
import { RequestsHttpController } from './requests.http-controller.js';
import { AuditLogHttpController } from './audit-log.http-controller.js';

@Module({})
export class AuthorityApiModule {
  static forRoot(config: AuthorityApiConfig, trust: TrustStore): DynamicModule {
    const vault = new VaultClient(
      config.vaultAddress,
      grpcClientCredentials(trust, loadServiceKeyPair(config.certsDir, 'authority-api')),
    );
    return {
      module: AuthorityApiModule,
      imports: [
        // Authorities act here; oversight bodies read. Providers and internal services have no business here.
        EvxServiceModule.forRoot({
          trust,
          policy: { service: 'authority-api', allowedDomains: ['authority', 'oversight'] },
          http: true,
        }),
        PersistenceModule.forService(config, AUTHORITY_STORE),
        TypeOrmModule.forFeature([RequestEntity]),
        AuditTrailModule.forService('authority-api', vault),
      ],
      controllers: [HealthHttpController, RequestsHttpController, AuditLogHttpController, AuthorityGrpcController],
      providers: [RequestQueryService, { provide: VaultClient, useValue: vault }],
    };
  }
}
