import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import {
  connectAdapter,
  devAdapterTlsFiles,
  devAuthorityTrust,
  type Adapter,
  type TaskOutcome,
} from '#evx/adapter-sdk';
import type { RunningService } from '#evx/transport';
import type { MockAdapterConfig } from './mock-adapter.config.js';
import { parseMockFaults } from './mock-faults.js';
import { mockHandlers } from './mock.handlers.js';
import { bankProvider } from './bank/bank.provider.js';
import type { MockProvider } from './synthetic/mock-provider.js';
import { telecomProvider } from './telecom/telecom.provider.js';

/** The reference providers, by provider id, and the selectors each does not hold unless told otherwise. */
export const MOCK_PROVIDERS: Readonly<Record<string, { provider: MockProvider; unknown: readonly string[] }>> = {
  'telco-a': { provider: telecomProvider, unknown: ['+31699999999'] },
  'bank-b': { provider: bankProvider, unknown: ['NL02ABNA0123456789'] },
};

export interface MockAdapterOptions {
  /** Each task's outcome, e.g. for tests. */
  onOutcome?(outcome: TaskOutcome): void;
}

export interface RunningMockAdapter extends RunningService {
  adapter: Adapter;
}

/**
 * A reference adapter on the SDK: synthetic data of the provider named by its certificate, fault injection from
 * the config. Resolves once the task stream has caught up, i.e. the adapter is connected and authorised.
 */
export async function startMockAdapter(
  name: string,
  config: MockAdapterConfig,
  options: MockAdapterOptions = {},
): Promise<RunningMockAdapter> {
  const logger = new Logger(name);
  const providerId = config.identity.split('.')[0] as string;
  const mock = MOCK_PROVIDERS[providerId];
  if (!mock) throw new Error(`no mock provider for ${providerId}; known: ${Object.keys(MOCK_PROVIDERS).join(', ')}`);
  const faults = parseMockFaults(config.faults);
  const unknownSelectors = config.unknownSelectors
    ? config.unknownSelectors.split(',').map((s) => s.trim())
    : mock.unknown;
  const settings = { seed: config.seed, volume: config.volume, unknownSelectors };
  const adapter = await connectAdapter(
    {
      address: config.providerEdgeAddress,
      tls: devAdapterTlsFiles(config.certsDir, config.identity),
      authorityTrust: devAuthorityTrust(config.certsDir),
      stateDir: config.stateDir || join(config.dataDir, 'adapters'),
      ...(faults.dropAfterRecords !== undefined ? { faults: { dropUploadAfterRecords: faults.dropAfterRecords } } : {}),
      logger: { log: (m) => logger.log(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m) },
      ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
    },
    mockHandlers(mock.provider, settings, faults, logger),
  );
  return {
    name,
    connectedTo: `provider-edge ${config.providerEdgeAddress} as ${config.identity}`,
    adapter,
    close: () => adapter.close(),
  };
}
