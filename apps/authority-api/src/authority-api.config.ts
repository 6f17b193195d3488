import { IsInt, IsString, Matches, Min } from 'class-validator';
import { CommonConfig, FromEnv, IsPort } from '#evx/config';

export class AuthorityApiConfig extends CommonConfig {
  @FromEnv('AUTHORITY_API_HTTPS_PORT')
  @IsPort()
  httpsPort: number = 8443;

  @FromEnv('AUTHORITY_API_GRPC_PORT')
  @IsPort()
  grpcPort: number = 50051;

  /** Where the vault's internal gRPC server listens. */
  @FromEnv('VAULT_ADDRESS')
  @IsString()
  @Matches(/^[A-Za-z0-9.-]+:\d{1,5}$/, { message: 'must be host:port' })
  vaultAddress: string = 'localhost:50053';

  /** provider-edge's internal gRPC server (TaskDispatchService), reached over internal mTLS. */
  @FromEnv('PROVIDER_EDGE_INTERNAL_ADDRESS')
  @IsString()
  @Matches(/^[A-Za-z0-9.-]+:\d{1,5}$/, { message: 'must be host:port' })
  providerEdgeInternalAddress: string = 'localhost:50054';

  /** The approval and emergency policies (docs/workflow.md); the default policy of libs/workflow. */
  @FromEnv('AUTHORITY_API_POLICY_FILE')
  @IsString()
  policyFile: string = 'libs/workflow/policies/default.policy.json';

  /** How often the scheduler marks overdue validations and expires lapsed orders; 0 turns it off (tests tick it). */
  @FromEnv('AUTHORITY_API_SCHEDULER_INTERVAL_MS')
  @IsInt()
  @Min(0)
  schedulerIntervalMs: number = 60_000;

  /** How often an open WatchRequests stream looks for changes, in ms. */
  @FromEnv('AUTHORITY_API_WATCH_POLL_MS')
  @IsInt()
  @Min(50)
  watchPollMs: number = 1000;

  /** How often an idle WatchRequests stream sends a heartbeat, in ms (the contract says every 30 s). */
  @FromEnv('AUTHORITY_API_WATCH_HEARTBEAT_MS')
  @IsInt()
  @Min(100)
  watchHeartbeatMs: number = 30_000;

  /** First wait before reconnecting to provider-edge's report stream, in ms; doubled after each failure. */
  @FromEnv('AUTHORITY_API_REPORTS_RETRY_MIN_MS')
  @IsInt()
  @Min(10)
  reportsRetryMinMs: number = 500;

  /** Longest wait between reconnection attempts to the report stream, in ms. */
  @FromEnv('AUTHORITY_API_REPORTS_RETRY_MAX_MS')
  @IsInt()
  @Min(10)
  reportsRetryMaxMs: number = 30_000;
}
