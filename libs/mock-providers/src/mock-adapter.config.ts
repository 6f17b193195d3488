import { IsString, Matches } from 'class-validator';
import { CommonConfig, FromEnv } from '#evx/config';

export class MockAdapterConfig extends CommonConfig {
  /** Where provider-edge listens. */
  @FromEnv('PROVIDER_EDGE_ADDRESS')
  @IsString()
  @Matches(/^[A-Za-z0-9.-]+:\d{1,5}$/, { message: 'must be host:port' })
  providerEdgeAddress: string = 'localhost:50052';

  /** The adapter's dev-PKI identity file, e.g. `telco-a.main` (set by each mock app). */
  @FromEnv('MOCK_ADAPTER_IDENTITY')
  @Matches(/^[a-z0-9-]+\.[a-z0-9-]+$/, { message: 'must be a dev-PKI actor file name such as telco-a.main' })
  identity: string = '';
}
