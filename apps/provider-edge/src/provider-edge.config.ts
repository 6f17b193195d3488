import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { CommonConfig, FromEnv, IsPort } from '#evx/config';

export class ProviderEdgeConfig extends CommonConfig {
  @FromEnv('PROVIDER_EDGE_GRPC_PORT')
  @IsPort()
  grpcPort: number = 50052;

  /** Internal port for EVX's own services (TaskDispatchService); only the service trust domain is admitted. */
  @FromEnv('PROVIDER_EDGE_INTERNAL_GRPC_PORT')
  @IsPort()
  internalGrpcPort: number = 50054;

  /** Largest gRPC message accepted from an adapter, in bytes. */
  @FromEnv('PROVIDER_EDGE_MAX_MESSAGE_BYTES')
  @IsInt({ message: 'must be a whole number of bytes' })
  @Min(64 * 1024, { message: 'must be at least 65536 bytes' })
  @Max(64 * 1024 * 1024, { message: 'must be at most 67108864 bytes (64 MiB)' })
  maxMessageBytes: number = 4 * 1024 * 1024;

  /** How often an open task stream looks for newly dispatched tasks, in ms. */
  @FromEnv('PROVIDER_EDGE_TASK_POLL_MS')
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(50, { message: 'must be at least 50 ms' })
  taskPollMs: number = 1000;

  /** How often an idle task stream sends a heartbeat, in ms. */
  @FromEnv('PROVIDER_EDGE_HEARTBEAT_MS')
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(100, { message: 'must be at least 100 ms' })
  heartbeatMs: number = 15000;

  /** Where the vault's internal gRPC server listens (evidence, audit log). */
  @FromEnv('VAULT_ADDRESS')
  @IsString()
  @Matches(/^[A-Za-z0-9.-]+:\d{1,5}$/, { message: 'must be host:port' })
  vaultAddress: string = 'localhost:50053';

  /** Largest payload of one evidence record (over all its chunks); a larger record is rejected TOO_LARGE. */
  @FromEnv('PROVIDER_EDGE_MAX_RECORD_BYTES')
  @IsInt({ message: 'must be a whole number of bytes' })
  @Min(1, { message: 'must be at least 1 byte' })
  @Max(1024 * 1024 * 1024, { message: 'must be at most 1073741824 bytes (1 GiB, the contract limit)' })
  maxRecordBytes: number = 1024 * 1024 * 1024;

  /** Most payload bytes one task's upload may hold; beyond it the upload ends with RESOURCE_EXHAUSTED. */
  @FromEnv('PROVIDER_EDGE_MAX_TASK_BYTES')
  @IsInt({ message: 'must be a whole number of bytes' })
  @Min(1, { message: 'must be at least 1 byte' })
  maxTaskBytes: number = 64 * 1024 * 1024 * 1024;

  /** Most records one task's upload may hold; beyond it the upload ends with RESOURCE_EXHAUSTED. */
  @FromEnv('PROVIDER_EDGE_MAX_RECORDS_PER_TASK')
  @IsInt({ message: 'must be a whole number of records' })
  @Min(1, { message: 'must be at least 1 record' })
  maxRecordsPerTask: number = 10_000_000;

  /** How often an open upload re-checks the adapter's certificate (revocation, expiry), in ms. */
  @FromEnv('PROVIDER_EDGE_UPLOAD_CERT_RECHECK_MS')
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(50, { message: 'must be at least 50 ms' })
  uploadCertRecheckMs: number = 1000;
}
