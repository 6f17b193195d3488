import 'reflect-metadata';
import { loadConfig } from '#evx/config';
import { MockAdapterConfig, startMockAdapter } from '#evx/mock-providers';
import { runMain } from '#evx/transport';

// The reference telecom adapter (provider telco-a) on the adapter SDK: synthetic, deterministic data from MOCK_SEED,
// MOCK_VOLUME events per selector and category, fault injection from MOCK_FAULTS (docs/adapter-guide.md).
void runMain('mock-telecom', () =>
  startMockAdapter(
    'mock-telecom',
    loadConfig(MockAdapterConfig, { MOCK_ADAPTER_IDENTITY: 'telco-a.main', ...process.env }),
  ),
);
