// Streams are pushed, not only polled: with provider-edge polling its tables once a minute, a dispatched task still
// reaches the adapter's open stream, and the adapter's acknowledgement still reaches the order, within seconds
// (each test's timeout is far below the poll interval). Polling remains for rows written by other instances.
import { randomUUID } from 'node:crypto';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { signRequestValue } from '#evx/authorisation';
import { createServiceClient, type StreamTasksResponse } from '#evx/proto';
import { sharedTestPki } from '../support/test-pki.js';
import { exchangeHelpers, TELCO } from '../support/exchange-helpers.js';
import { channelAs, startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(await sharedTestPki(), { providerEdge: { taskPollMs: 60_000, heartbeatMs: 60_000 } });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

// An order's authority-side calls as in the provider-exchange tests (test/support/exchange-helpers.ts).
const { key, authority: call, approve, exchange } = exchangeHelpers(() => stack);

it('a dispatched task reaches an open adapter stream, and its acknowledgement the order, without waiting for a poll', async () => {
  const client = createServiceClient(
    'providerExchange',
    `localhost:${stack.ports.providerEdge}`,
    channelAs(stack.pki, TELCO),
  );
  const stream = (
    client as unknown as { streamTasks(r: unknown): ClientReadableStream<StreamTasksResponse> }
  ).streamTasks({ cursor: '' });
  stream.on('error', () => undefined); // cancelled at the end
  try {
    await new Promise<void>((resolve) => stream.on('data', (e: StreamTasksResponse) => e.heartbeat && resolve()));
    const draft = await call('police-hn.inv-1', 'createRequest', {
      idempotencyKey: randomUUID(),
      details: {
        caseReference: `HN-wake-${randomUUID().slice(0, 8)}`,
        legalBasis: {
          law: 'Code of Criminal Procedure',
          article: '126na(1)',
          orderDocumentSha256: Buffer.alloc(32, 7),
        },
        typeOfCase: 'TYPE_OF_CASE_CYBERCRIME',
        urgency: 'URGENCY_STANDARD',
        targetProviderId: 'telco-a',
        requestDetails: {
          requestTypes: ['REQUEST_TYPE_SUBSCRIBER_DATA'],
          selectors: [{ selectorId: 's1', msisdn: '+31612345678' }],
        },
        confidential: true,
        preservationOnly: false,
      },
    });
    const arrived = new Promise<StreamTasksResponse['task']>((resolve) =>
      stream.on(
        'data',
        (e: StreamTasksResponse) => e.task?.authorisationId === draft.authorisationId && resolve(e.task),
      ),
    );
    const value = await signRequestValue(draft.bundle.canonicalRequest, key('police-hn.inv-1'));
    let order = await call('police-hn.inv-1', 'submitRequest', {
      authorisationId: draft.authorisationId,
      expectedGeneration: draft.generation,
      requesterSignature: { value },
    });
    order = await approve(order, 'police-hn.sup-1', 'SUPERVISOR');
    if (order.status === 'REQUEST_STATUS_AWAITING_APPROVAL') order = await approve(order, 'police-hn.judge-1', 'JUDGE');
    const task = (await arrived)!;

    await exchange(TELCO, 'acknowledgeTask', { taskId: task.taskId, generation: task.generation });
    for (;;) {
      const now = await call('police-hn.inv-1', 'getRequest', { authorisationId: draft.authorisationId });
      if (now.status === 'REQUEST_STATUS_ACKNOWLEDGED') break;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    stream.cancel();
    client.close();
  }
}, 20_000);
