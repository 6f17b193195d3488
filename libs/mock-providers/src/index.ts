// Public surface of #evx/mock-providers: the reference telecom and bank adapters (synthetic, deterministic data and
// fault injection) that apps/mock-telecom and apps/mock-bank run, and their generators for tests.
export * from './mock-adapter.config.js';
export * from './mock-adapter.runner.js';
export { parseMockFaults, type MockFaults } from './mock-faults.js';
export { mockHandlers } from './mock.handlers.js';
export { recordsFor, type MockProvider } from './synthetic/mock-provider.js';
export { SeededRandom, spreadTime } from './synthetic/seeded.random.js';
export type { OrderScope, SyntheticSettings } from './synthetic/order-scope.js';
export { telecomProvider, subscriberOf, type Subscriber } from './telecom/telecom.provider.js';
export { bankProvider, dutchIban, holderOf, type AccountHolder } from './bank/bank.provider.js';
