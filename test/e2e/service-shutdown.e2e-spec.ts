// A service that stops must not wait for its clients' long-lived streams to end on their own (they never do): it
// cancels them after a short grace, so `evx up`'s Ctrl-C and rolling restarts finish, and adapters reconnect.
import { status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { createServiceClient, type StreamTasksResponse } from '#evx/proto';
import { sharedTestPki } from '../support/test-pki.js';
import { channelAs, startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(await sharedTestPki());
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

it('provider-edge stops with an adapter task stream open, and the adapter sees the stream end', async () => {
  const client = createServiceClient(
    'providerExchange',
    `localhost:${stack.ports.providerEdge}`,
    channelAs(stack.pki, 'telco-a.main'),
  );
  try {
    const call = (
      client as unknown as { streamTasks(r: unknown): ClientReadableStream<StreamTasksResponse> }
    ).streamTasks({ cursor: '' });
    const ended = new Promise<ServiceError>((resolve) => call.on('error', (e: ServiceError) => resolve(e)));
    // Wait until the stream is established (the first heartbeat says it caught up).
    await new Promise<void>((resolve) => call.on('data', (m: StreamTasksResponse) => m.heartbeat && resolve()));
    await stack.stopProviderEdge();
    const error = await ended;
    expect([status.UNAVAILABLE, status.CANCELLED, status.INTERNAL]).toContain(error.code);
  } finally {
    client.close();
  }
}, 20_000);
