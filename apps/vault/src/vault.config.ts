import { CommonConfig, FromEnv, IsPort } from '#evx/config';

export class VaultConfig extends CommonConfig {
  @FromEnv('VAULT_GRPC_PORT')
  @IsPort()
  grpcPort: number = 50053;
}
