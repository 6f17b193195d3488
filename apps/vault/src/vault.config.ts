import { IsInt, Matches, Max, Min } from 'class-validator';
import { CommonConfig, FromEnv, IsPort } from '#evx/config';

export class VaultConfig extends CommonConfig {
  @FromEnv('VAULT_GRPC_PORT')
  @IsPort()
  grpcPort: number = 50053;

  /** The log's name in its checkpoints (C2SP origin line and key name); verifiers pin it. */
  @FromEnv('VAULT_LOG_ORIGIN')
  @Matches(/^[a-z0-9.-]+(\/[a-z0-9._-]+)*$/, { message: 'must look like a schema-less URL, e.g. evx.example/log' })
  logOrigin: string = 'evx.local/log';

  /** Most entries sequenced in one transaction (group commit). */
  @FromEnv('VAULT_LOG_BATCH_SIZE')
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  @Max(10000, { message: 'must be at most 10000' })
  logBatchSize: number = 2000;

  /** Largest payload of one evidence record; larger ones are rejected (TOO_LARGE). The format allows 1 GiB. */
  @FromEnv('VAULT_MAX_RECORD_BYTES')
  @IsInt({ message: 'must be a whole number' })
  @Min(0, { message: 'must be at least 0' })
  @Max(1073741824, { message: 'must be at most 1073741824 (1 GiB, the package format limit)' })
  maxRecordBytes: number = 1073741824;
}
