// Dispatch survives a provider-edge outage: the order stays APPROVED (the pending-dispatch state), and the
// scheduler's tick dispatches it once provider-edge is back; the task then reaches the adapter's stream.
import { randomUUID } from 'node:crypto';
import { signApprovalValue, signRequestValue } from '#evx/authorisation';
import { ManualClock, type ApproverRole } from '#evx/workflow';
import { RequestSchedulerService } from '../../apps/authority-api/src/requests/request-scheduler.service.js';
import { sharedTestPki } from '../support/test-pki.js';
import { callUnary, channelAs, keyPairOf, startTestStack, type TestStack } from '../support/test-stack.js';

interface Order {
  authorisationId: string;
  generation: number;
  status: string;
  desiredStatus: string;
  taskId: string;
  bundle: { canonicalRequest: Buffer };
}

const clock = new ManualClock(new Date());
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(await sharedTestPki(), { clock });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const key = (file: string) => {
  const pair = keyPairOf(stack.pki, file);
  return { certificatePem: pair.certPem, privateKeyPem: pair.keyPem };
};

async function call(as: string, method: string, request: unknown): Promise<Order> {
  const address = `localhost:${stack.ports.authorityGrpc}`;
  return (await callUnary<{ authorisation: Order }>('authority', address, method, request, channelAs(stack.pki, as)))
    .authorisation;
}

async function approve(order: Order, as: string, role: ApproverRole): Promise<Order> {
  const decidedAt = clock.now();
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
    decidedAt: { seconds: Math.floor(decidedAt.getTime() / 1000), nanos: (decidedAt.getTime() % 1000) * 1e6 },
    signature: { value },
  });
}

describe('dispatch while provider-edge is down', () => {
  it('keeps the order APPROVED and dispatches it on the next tick after provider-edge returns', async () => {
    const draft = await call('police-hn.inv-1', 'createRequest', {
      idempotencyKey: randomUUID(),
      details: {
        caseReference: 'HN-outage',
        legalBasis: {
          law: 'Code of Criminal Procedure',
          article: '126na(1)',
          orderDocumentSha256: Buffer.alloc(32, 3),
        },
        typeOfCase: 'TYPE_OF_CASE_CYBERCRIME',
        urgency: 'URGENCY_STANDARD',
        targetProviderId: 'telco-a',
        requestDetails: {
          requestTypes: ['REQUEST_TYPE_SUBSCRIBER_DATA'],
          selectors: [{ selectorId: 's1', msisdn: '+31612345678' }],
        },
        confidential: true,
      },
    });
    const value = await signRequestValue(draft.bundle.canonicalRequest, key('police-hn.inv-1'));
    const submitted = await call('police-hn.inv-1', 'submitRequest', {
      authorisationId: draft.authorisationId,
      expectedGeneration: draft.generation,
      requesterSignature: { value },
    });
    const supervised = await approve(submitted, 'police-hn.sup-1', 'SUPERVISOR');
    await stack.stopProviderEdge();
    const approved = await approve(supervised, 'police-hn.pros-1', 'PROSECUTOR');
    expect(approved.status).toBe('REQUEST_STATUS_APPROVED');

    await stack.startProviderEdge();
    const scheduler = stack.authorityApi.app!.get(RequestSchedulerService);
    let moved: string[] = [];
    for (let attempt = 0; attempt < 50 && !moved.includes(draft.authorisationId); attempt++) {
      moved = await scheduler.tick();
      if (!moved.includes(draft.authorisationId)) await new Promise((r) => setTimeout(r, 200));
    }
    const after = await call('police-hn.inv-1', 'getRequest', { authorisationId: draft.authorisationId });
    expect(after.status).toBe('REQUEST_STATUS_DISPATCHED');

    // Withdrawn while provider-edge is down: the order says so at once, and the cancellation reaches the provider
    // on the scheduler's tick once provider-edge is back (it is not lost).
    await stack.stopProviderEdge();
    const withdrawing = await call('police-hn.inv-1', 'withdrawRequest', {
      authorisationId: draft.authorisationId,
      expectedGeneration: after.generation,
      reason: 'suspect identified otherwise',
    });
    expect(withdrawing.desiredStatus).toBe('REQUEST_DESIRED_STATUS_WITHDRAWN');
    await stack.startProviderEdge();
    let delivered: string[] = [];
    for (let attempt = 0; attempt < 50 && !delivered.includes(draft.authorisationId); attempt++) {
      delivered = await scheduler.tick();
      if (!delivered.includes(draft.authorisationId)) await new Promise((r) => setTimeout(r, 200));
    }
    const task = await callUnary<{ task: { desiredStatus: string; generation: number } }>(
      'providerExchange',
      `localhost:${stack.ports.providerEdge}`,
      'acknowledgeTask',
      { taskId: withdrawing.taskId, generation: withdrawing.generation },
      channelAs(stack.pki, 'telco-a.main'),
    );
    expect(task.task).toMatchObject({
      desiredStatus: 'TASK_DESIRED_STATUS_CANCELLED',
      generation: withdrawing.generation,
    });
    // Delivered once: the next tick has nothing left to send.
    expect(await scheduler.tick()).not.toContain(draft.authorisationId);
  }, 60_000);
});
