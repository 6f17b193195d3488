// A complete EVX adapter: a small operator answers subscriber-data orders from its own customer records.
import { connectAdapter, devAdapterTlsFiles, devAuthorityTrust, type AdapterHandlers } from '#evx/adapter-sdk';

/** Stands in for the operator's own system of record. */
const customers = new Map([
  ['+31612345678', { name: 'A. Example', address: 'Kerkstraat 1, Utrecht', since: '2019-03-01' }],
]);

export const handlers: AdapterHandlers = {
  // Runs only for orders whose signatures and approvals the SDK has verified against the authority trust anchors.
  async *onDisclosure(task, ctx) {
    const unknown: string[] = [];
    for (const selector of task.selectors) {
      const customer = selector.kind === 'msisdn' ? customers.get(selector.value) : undefined;
      if (!customer) {
        unknown.push(selector.selectorId);
      } else if (task.requestTypes.includes('SUBSCRIBER_DATA')) {
        yield {
          requestType: 'SUBSCRIBER_DATA',
          selectorId: selector.selectorId,
          recordTime: task.timeRange?.start ?? new Date(customer.since),
          contentType: 'application/json',
          payload: JSON.stringify({ msisdn: selector.value, ...customer }),
        };
      }
    }
    // With some records given this makes the answer a partial fulfilment; with none, a refusal.
    if (unknown.length > 0) ctx.refuse('NOT_OUR_CUSTOMER', 'no subscriber with this number', unknown);
  },
  onCancel: (task) => console.log(`task ${task.taskId} cancelled; restrict its data: ${task.notice?.restrictData}`),
};

export function main(certsDir = process.env.EVX_CERTS_DIR ?? 'certs-dev/out') {
  return connectAdapter(
    {
      address: process.env.PROVIDER_EDGE_ADDRESS ?? 'localhost:50052',
      tls: devAdapterTlsFiles(certsDir, 'telco-a.main'),
      authorityTrust: devAuthorityTrust(certsDir),
    },
    handlers,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
