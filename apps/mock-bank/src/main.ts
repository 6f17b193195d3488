import 'reflect-metadata';
import { loadConfig } from '#evx/config';
import { MockAdapterConfig, startMockAdapter } from '#evx/mock-providers';
import { runMain } from '#evx/transport';

// The reference bank adapter (provider bank-b) on the adapter SDK: synthetic, deterministic data from MOCK_SEED,
// MOCK_VOLUME events per selector and category, fault injection from MOCK_FAULTS (docs/adapter-guide.md).
void runMain('mock-bank', () =>
  startMockAdapter(
    'mock-bank',
    loadConfig(MockAdapterConfig, { MOCK_ADAPTER_IDENTITY: 'bank-b.main', ...process.env }),
  ),
);
