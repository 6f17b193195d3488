// Streams are pushed, not only polled: with provider-edge polling its tables once a minute, a dispatched task still
// reaches the adapter's open stream, and the adapter's acknowledgement still reaches the order, within seconds
// (each test's timeout is far below the poll interval). Polling remains for rows written by other instances.
import { randomUUID } from 'node:crypto';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { signApprovalValue, signRequestValue } from '#evx/authorisation';
import { createServiceClient, type StreamTasksResponse } from '#evx/proto';
import { sharedTestPki } from '../support/test-pki.js';
import { callUnary, channelAs, keyPairOf, startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(await sharedTestPki(), { providerEdge: { taskPollMs: 60_000, heartbeatMs: 60_000 } });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

interface Order {
  authorisationId: string;
  generation: number;
  status: string;
  bundle: { canonicalRequest: Buffer };
}

const key = (file: string) => {
  const pair = keyPairOf(stack.pki, file);
  return { certificatePem: pair.certPem, privateKeyPem: pair.keyPem };
};

async function call(as: string, method: string, request: unknown): Promise<Order> {
  const address = `localhost:${stack.ports.authorityGrpc}`;
  return (await callUnary<{ authorisation: Order }>('authority', address, method, request, channelAs(stack.pki, as)))
    .authorisation;
}

async function approve(order: Order, as: string, role: 'SUPERVISOR' | 'JUDGE'): Promise<Order> {
  const decidedAt = new Date();
  const [agency, id] = as.split('.') as [string, string];
  const value = await signApprovalValue(
    order.bundle.canonicalRequest,
    {
      approverUri: `evx://authority/${agency}/approver/${id}`,
      role,
      kind: 'STANDARD',
      decision: 'APPROVED',
      reason: '',
      decidedAt,
    },
    key(as),
  );
  return call(as, 'approveRequest', {
    authorisationId: order.authorisationId,
    expectedGeneration: order.generation,
    role: `APPROVER_ROLE_${role}`,
    decidedAt: { seconds: String(Math.floor(decidedAt.getTime() / 1000)), nanos: (decidedAt.getTime() % 1000) * 1e6 },
    signature: { value },
  });
}

it('a dispatched task reaches an open adapter stream, and its acknowledgement the order, without waiting for a poll', async () => {
  const client = createServiceClient(
    'providerExchange',
    `localhost:${stack.ports.providerEdge}`,
    channelAs(stack.pki, 'telco-a.main'),
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

    await callUnary(
      'providerExchange',
      `localhost:${stack.ports.providerEdge}`,
      'acknowledgeTask',
      { taskId: task.taskId, generation: task.generation },
      channelAs(stack.pki, 'telco-a.main'),
    );
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
