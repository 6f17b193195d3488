import { Module, type DynamicModule } from '@nestjs/common';
import type { TrustStore } from '#evx/pki';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PersistenceModule } from '#evx/persistence';
import { EvxServiceModule } from '#evx/transport';
import { EvidenceSealGrpcController } from './evidence-seal.grpc-controller.js';
import { EvidenceSealService } from './evidence-seal.service.js';
import { LogGrpcController } from './log.grpc-controller.js';
import { EvidenceSealEntity } from './persistence/evidence-seal.entity.js';
import { logProviders } from './log.providers.js';
import { EvidencePackageGrpcController } from './packages/evidence-package.grpc-controller.js';
import { EvidencePackageService } from './packages/evidence-package.service.js';
import { PackageCompletionService } from './packages/package-completion.service.js';
import { PackageDownloadService } from './packages/package-download.service.js';
import { VAULT_STORE } from './persistence/vault.store.js';
import { VaultConfig } from './vault.config.js';

@Module({})
export class VaultModule {
  static forRoot(config: VaultConfig, trust: TrustStore): DynamicModule {
    return {
      module: VaultModule,
      imports: [
        // The vault holds evidence and the log: only EVX's own services may call it.
        EvxServiceModule.forRoot({ trust, policy: { service: 'vault', allowedDomains: ['service'] } }),
        PersistenceModule.forService(config, VAULT_STORE),
        TypeOrmModule.forFeature([EvidenceSealEntity]),
      ],
      controllers: [LogGrpcController, EvidenceSealGrpcController, EvidencePackageGrpcController],
      providers: [
        { provide: VaultConfig, useValue: config },
        ...logProviders(config),
        EvidenceSealService,
        EvidencePackageService,
        PackageCompletionService,
        PackageDownloadService,
      ],
    };
  }
}
