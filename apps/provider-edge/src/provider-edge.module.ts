import { STREAM_WAKEUPS, streamWakeups, type StreamWakeups } from './stream-wakeups.js';
import { Module, type DynamicModule } from '@nestjs/common';
import type { TrustStore } from '#evx/pki';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PersistenceModule } from '#evx/persistence';
import {
  AuditTrailModule,
  EvxServiceModule,
  VaultClient,
  grpcClientCredentials,
  loadServiceKeyPair,
} from '#evx/transport';
import { PROVIDER_EDGE_STORE } from './persistence/provider-edge.store.js';
import type { ProviderEdgeConfig } from './provider-edge.config.js';
import { ProviderExchangeGrpcController } from './provider-exchange.grpc-controller.js';
import { TaskEntity } from './persistence/task.entity.js';
import { EvidenceUploadService, UPLOAD_LIMITS, type UploadLimits } from './exchange/evidence-upload.service.js';
import { TaskActionsService } from './exchange/task-actions.service.js';
import { TaskChangeRunner } from './exchange/task-change.runner.js';
import { UploadCompletionService } from './exchange/upload-completion.service.js';
import { VaultPackages } from './exchange/vault-packages.js';
import { TASK_STREAM_TIMING, TaskStreamService } from './task-stream.service.js';

@Module({})
export class ProviderEdgeModule {
  static forRoot(
    config: ProviderEdgeConfig,
    trust: TrustStore,
    wakeups: StreamWakeups = streamWakeups(),
  ): DynamicModule {
    const vault = new VaultClient(
      config.vaultAddress,
      grpcClientCredentials(trust, loadServiceKeyPair(config.certsDir, 'provider-edge')),
    );
    return {
      module: ProviderEdgeModule,
      imports: [
        // The enterprise-facing edge: only provider adapters connect here.
        EvxServiceModule.forRoot({ trust, policy: { service: 'provider-edge', allowedDomains: ['provider'] } }),
        PersistenceModule.forService(config, PROVIDER_EDGE_STORE),
        TypeOrmModule.forFeature([TaskEntity]),
        AuditTrailModule.forService('provider-edge', vault),
      ],
      controllers: [ProviderExchangeGrpcController],
      providers: [
        TaskStreamService,
        TaskChangeRunner,
        TaskActionsService,
        VaultPackages,
        EvidenceUploadService,
        UploadCompletionService,
        {
          provide: UPLOAD_LIMITS,
          useValue: {
            maxRecordBytes: config.maxRecordBytes,
            maxTaskBytes: config.maxTaskBytes,
            maxRecordsPerTask: config.maxRecordsPerTask,
            certRecheckMs: config.uploadCertRecheckMs,
          } satisfies UploadLimits,
        },
        { provide: VaultClient, useValue: vault },
        { provide: TASK_STREAM_TIMING, useValue: { pollMs: config.taskPollMs, heartbeatMs: config.heartbeatMs } },
        { provide: STREAM_WAKEUPS, useValue: wakeups },
      ],
    };
  }
}
