import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { FromEnv } from './config.loader.js';

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

/** Settings every EVX service shares; each app's config class extends it. */
export class CommonConfig {
  /** Folder of the dev PKI output (or a production PKI with the same layout). */
  @FromEnv('EVX_CERTS_DIR')
  @IsString()
  certsDir: string = 'certs-dev/out';

  /** Folder for embedded SQLite files and the content-addressed evidence store. */
  @FromEnv('EVX_DATA_DIR')
  @IsString()
  dataDir: string = 'data';

  /** `postgres://…` switches to PostgreSQL; unset means embedded SQLite under dataDir. */
  @FromEnv('DATABASE_URL')
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// or postgresql:// URL (or unset for SQLite)' })
  databaseUrl?: string;

  /** PostgreSQL schema holding this deployment's tables (tests use a fresh one each). */
  @FromEnv('DATABASE_SCHEMA')
  @IsOptional()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'must be a lowercase SQL identifier' })
  databaseSchema?: string;

  @FromEnv('EVX_LOG_LEVEL')
  @IsIn(LOG_LEVELS)
  logLevel: (typeof LOG_LEVELS)[number] = 'log';

  /** Host the servers bind to. */
  @FromEnv('EVX_BIND_HOST')
  @IsString()
  bindHost: string = '127.0.0.1';
}

export function IsPort(): PropertyDecorator {
  return (target, key) => {
    IsInt({ message: 'must be an integer port number' })(target, key);
    Min(1, { message: 'must be from 1 to 65535' })(target, key);
    Max(65535, { message: 'must be from 1 to 65535' })(target, key);
  };
}
