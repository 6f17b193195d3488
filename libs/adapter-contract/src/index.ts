// Public surface of #evx/adapter-contract: the contract test kit every EVX adapter must pass (docs/contract-kit.md),
// run by `npx evx adapter-test`.
export * from './adapter-profile.js';
export * from './authority-desk.js';
export * from './contract-stack.js';
export { runContractKit, standardScenarios, type ContractKitOptions } from './contract-kit.js';
export { formatResult, type ScenarioResult, type ScenarioStatus } from './scenario.js';
export { TcpProxy } from './tcp-proxy.js';
export { readPackageRecords, outOfScopeReason, type PackageRecord } from './package-records.js';
export { freePort } from './service-processes.js';
