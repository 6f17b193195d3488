import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { TrustStore } from '#evx/pki';
import { PersistenceModule } from '#evx/persistence';
import { EvxServiceModule, grpcClientCredentials, loadServiceKeyPair } from '#evx/transport';
import type { AuthorityApiConfig } from './authority-api.config.js';
import { AuthorityGrpcController } from './authority.grpc-controller.js';
import { HealthHttpController } from './health.http-controller.js';
import { AUTHORITY_STORE } from './persistence/authority.store.js';
import { RequestEntity } from './persistence/request.entity.js';
import { RequestQueryService } from './request-query.service.js';
import { RequestsHttpController } from './requests.http-controller.js';
import { AuditLogHttpController } from './audit-log.http-controller.js';
import { VaultClient } from './vault.client.js';
import { VAULT_CONNECTION, type VaultConnection } from './vault.connection.js';

@Module({})
export class AuthorityApiModule {
  static forRoot(config: AuthorityApiConfig, trust: TrustStore): DynamicModule {
    const vault: VaultConnection = {
      address: config.vaultAddress,
      credentials: grpcClientCredentials(trust, loadServiceKeyPair(config.certsDir, 'authority-api')),
    };
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
      ],
      controllers: [HealthHttpController, RequestsHttpController, AuditLogHttpController, AuthorityGrpcController],
      providers: [RequestQueryService, VaultClient, { provide: VAULT_CONNECTION, useValue: vault }],
    };
  }
}
