import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { readFileSync } from 'node:fs';
import type { TrustStore } from '#evx/pki';
import { loadPolicies, systemClock, type Clock } from '#evx/workflow';
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
import { RequestActionsHttpController } from './requests/request-actions.http-controller.js';
import { PackageDownloadHttpController } from './requests/package-download.http-controller.js';
import { WatchRequestsHttpController } from './requests/watch-requests.http-controller.js';
import { DownloadPackageUseCase } from './requests/download-package.use-case.js';
import { CreateRequestUseCase } from './requests/create-request.use-case.js';
import { DecideRequestUseCase } from './requests/decide-request.use-case.js';
import { RequestRepository } from './requests/request.repository.js';
import { RequestSchedulerService } from './requests/request-scheduler.service.js';
import { RequestWorkflowService } from './requests/request-workflow.service.js';
import { TRUST_STORE, WORKFLOW_CLOCK, WORKFLOW_POLICIES } from './requests/request-workflow.tokens.js';
import { SubmitRequestUseCase } from './requests/submit-request.use-case.js';
import { RequesterActionUseCase } from './requests/requester-action.use-case.js';
import { WATCH_TIMING, WatchRequestsUseCase } from './requests/watch-requests.use-case.js';
import { TASK_DISPATCH_CLIENT, TaskDispatcher } from './requests/task-dispatcher.service.js';
import { createServiceClient } from '#evx/proto';
import { TaskReportApplier } from './reports/task-report.applier.js';
import {
  GrpcReportSource,
  REPORT_CONSUMER_SETTINGS,
  REPORT_SOURCE,
  TaskReportConsumer,
} from './reports/task-report.consumer.js';

/** What a test (or an embedding) may replace: the clock drives every deadline, so tests pass a ManualClock. */
export interface AuthorityApiOptions {
  readonly clock?: Clock;
}

@Module({})
export class AuthorityApiModule {
  static forRoot(config: AuthorityApiConfig, trust: TrustStore, options: AuthorityApiOptions = {}): DynamicModule {
    const internalCredentials = grpcClientCredentials(trust, loadServiceKeyPair(config.certsDir, 'authority-api'));
    const vault = new VaultClient(config.vaultAddress, internalCredentials);
    const taskDispatch = createServiceClient('taskDispatch', config.providerEdgeInternalAddress, internalCredentials);
    // A channel of its own for the long-lived report stream, so closing the dispatch client never cuts it.
    const reports = new GrpcReportSource(
      createServiceClient('taskDispatch', config.providerEdgeInternalAddress, internalCredentials),
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
      controllers: [
        HealthHttpController,
        RequestsHttpController,
        // Before RequestActionsHttpController, whose GET :id would otherwise take /v1/requests/watch.
        WatchRequestsHttpController,
        PackageDownloadHttpController,
        RequestActionsHttpController,
        AuditLogHttpController,
        AuthorityGrpcController,
      ],
      providers: [
        RequestQueryService,
        { provide: VaultClient, useValue: vault },
        { provide: WORKFLOW_CLOCK, useValue: options.clock ?? systemClock },
        { provide: WORKFLOW_POLICIES, useValue: loadPolicies(readFileSync(config.policyFile, 'utf8')) },
        { provide: TRUST_STORE, useValue: trust },
        RequestRepository,
        RequestWorkflowService,
        CreateRequestUseCase,
        SubmitRequestUseCase,
        DecideRequestUseCase,
        RequesterActionUseCase,
        WatchRequestsUseCase,
        DownloadPackageUseCase,
        { provide: WATCH_TIMING, useValue: { pollMs: config.watchPollMs, heartbeatMs: config.watchHeartbeatMs } },
        { provide: TASK_DISPATCH_CLIENT, useValue: taskDispatch },
        TaskDispatcher,
        TaskReportApplier,
        { provide: REPORT_SOURCE, useValue: reports },
        {
          provide: REPORT_CONSUMER_SETTINGS,
          useValue: { enabled: true, minBackoffMs: config.reportsRetryMinMs, maxBackoffMs: config.reportsRetryMaxMs },
        },
        TaskReportConsumer,
        {
          provide: RequestSchedulerService,
          inject: [RequestWorkflowService, TaskDispatcher],
          useFactory: (workflow: RequestWorkflowService, dispatcher: TaskDispatcher) => {
            const scheduler = new RequestSchedulerService(workflow, dispatcher);
            scheduler.intervalMs = config.schedulerIntervalMs;
            return scheduler;
          },
        },
      ],
    };
  }
}
