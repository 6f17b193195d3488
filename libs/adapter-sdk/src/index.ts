// Public surface of #evx/adapter-sdk: everything an enterprise adapter needs (docs/adapter-guide.md). Most adapters
// use only connectAdapter, the credential helpers and the EvidenceRecordInput / OrderTask types.
export * from './adapter.credentials.js';
export {
  connectAdapter,
  type Adapter,
  type AdapterHandlers,
  type AdapterLogger,
  type AdapterOptions,
  type TaskOutcome,
  type TaskResult,
} from './adapter.js';
export type { AdapterFaults } from './adapter.faults.js';
export { FileCursorStore, MemoryCursorStore, type CursorStore } from './cursor.store.js';
export { prepareRecord, type EvidenceRecordInput, type PreparedRecord } from './evidence-record.js';
export { uploadEvidence, type RecordSource, type UploadJob, type UploadOutcome } from './evidence.uploader.js';
export { OrderRejection, verifyTaskOrder, type OrderCheckOptions, type VerifiedOrder } from './order.verifier.js';
export type { CancelledTask, OrderTask, TaskContext } from './order-task.js';
export { adapterIdentity, signOrigin, type AdapterIdentity, type OriginFacts } from './origin.signer.js';
export { ProviderExchangeClient } from './provider-exchange.client.js';
export * from './task-stream.client.js';
