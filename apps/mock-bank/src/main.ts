import 'reflect-metadata';
import { loadConfig } from '#evx/config';
import { MockAdapterConfig, startMockAdapter } from '#evx/mock-providers';
import { runMain } from '#evx/transport';

// The reference bank adapter (provider bank-b). Synthetic data and scenarios come with the provider-exchange work.
void runMain('mock-bank', () =>
  startMockAdapter(
    'mock-bank',
    loadConfig(MockAdapterConfig, { MOCK_ADAPTER_IDENTITY: 'bank-b.main', ...process.env }),
  ),
);
