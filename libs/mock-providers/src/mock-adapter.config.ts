import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { CommonConfig, FromEnv } from '#evx/config';
import { MOCK_FAULTS_PATTERN } from './mock-faults.js';

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

  /** Seed of the synthetic data: the same seed and the same order give the same records, byte for byte. */
  @FromEnv('MOCK_SEED')
  @Matches(/^[\x21-\x7e]{1,128}$/, { message: 'must be 1 to 128 printable ASCII characters without spaces' })
  seed: string = 'evx-mock-v1';

  /** Events (call records, locations, sessions, transactions) per selector and category of an order. */
  @FromEnv('MOCK_VOLUME')
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be at least 1' })
  @Max(100_000_000, { message: 'must be at most 100000000' })
  volume: number = 100;

  /** Fault injection: comma-separated drop-after:N, refuse[:GROUND], partial, slow:MS, out-of-scope. */
  @FromEnv('MOCK_FAULTS')
  @Matches(MOCK_FAULTS_PATTERN, {
    message: 'must be a comma-separated list of drop-after:N, refuse[:GROUND], partial, slow:MS, out-of-scope',
  })
  faults: string = '';

  /** Selector values the provider does not hold (comma-separated); empty: the provider's default unknowns. */
  @FromEnv('MOCK_UNKNOWN_SELECTORS')
  @IsString()
  unknownSelectors: string = '';

  /** Where the adapter keeps its task-stream cursor; empty: `<EVX_DATA_DIR>/adapters`. */
  @FromEnv('MOCK_STATE_DIR')
  @IsString()
  stateDir: string = '';
}
