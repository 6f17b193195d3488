import { IsString, Matches } from 'class-validator';
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
}
