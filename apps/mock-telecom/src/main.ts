import 'reflect-metadata';
import { loadConfig } from '#evx/config';
import { MockAdapterConfig, startMockAdapter } from '#evx/mock-providers';
import { runMain } from '#evx/transport';

// The reference telecom adapter (provider telco-a). Synthetic data and scenarios come with the provider-exchange work.
void runMain('mock-telecom', () =>
  startMockAdapter(
    'mock-telecom',
    loadConfig(MockAdapterConfig, { MOCK_ADAPTER_IDENTITY: 'telco-a.main', ...process.env }),
  ),
);
