import { STREAM_WAKEUPS, streamWakeups, type StreamWakeups } from '../stream-wakeups.js';
import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PersistenceModule } from '#evx/persistence';
import type { TrustStore } from '#evx/pki';
import { EvxServiceModule } from '#evx/transport';
import { PROVIDER_EDGE_STORE } from '../persistence/provider-edge.store.js';
import type { ProviderEdgeConfig } from '../provider-edge.config.js';
import { TaskDispatchGrpcController } from './task-dispatch.grpc-controller.js';
import { TaskDispatchStore } from './task-dispatch.store.js';
import { TaskReportStreamService } from './task-report-stream.service.js';
import { TaskReportEntity } from '../persistence/exchange.entities.js';
import { TASK_STREAM_TIMING } from '../task-stream.service.js';

/**
 * provider-edge's internal side, a Nest app of its own on its own port: EVX services only (the service trust
 * domain), so the adapter-facing port never admits a service and this one never admits an adapter.
 */
@Module({})
export class TaskDispatchModule {
  static forRoot(
    config: ProviderEdgeConfig,
    trust: TrustStore,
    wakeups: StreamWakeups = streamWakeups(),
  ): DynamicModule {
    return {
      module: TaskDispatchModule,
      imports: [
        EvxServiceModule.forRoot({ trust, policy: { service: 'provider-edge', allowedDomains: ['service'] } }),
        PersistenceModule.forService(config, PROVIDER_EDGE_STORE),
        TypeOrmModule.forFeature([TaskReportEntity]),
      ],
      controllers: [TaskDispatchGrpcController],
      providers: [
        TaskDispatchStore,
        TaskReportStreamService,
        { provide: TASK_STREAM_TIMING, useValue: { pollMs: config.taskPollMs, heartbeatMs: config.heartbeatMs } },
        { provide: STREAM_WAKEUPS, useValue: wakeups },
      ],
    };
  }
}
