import { status, type ServiceError } from '@grpc/grpc-js';
import { TaskStream } from '#evx/adapter-sdk';
import { readIdentityManifest, revokeCertificate } from '#evx/pki';
import { privateTestPki } from '../support/test-pki.js';
import { channelAs, startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;

beforeAll(async () => {
  // A private PKI: this test revokes a certificate.
  stack = await startTestStack(await privateTestPki());
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('a revoked adapter is cut off', () => {
  it('ends an open task stream with UNAUTHENTICATED once its certificate is revoked, and refuses it afterwards', async () => {
    const address = `localhost:${stack.ports.providerEdge}`;
    let caughtUp!: () => void;
    const connected = new Promise<void>((resolve) => (caughtUp = resolve));
    let stream!: TaskStream;
    const cutOff = new Promise<ServiceError>((resolve) => {
      stream = new TaskStream(
        { address, credentials: channelAs(stack.pki, 'bank-b.main'), minBackoffMs: 100 },
        { onEvent: () => undefined, onCaughtUp: () => caughtUp(), onDisconnect: (error) => resolve(error) },
      ).start();
    });
    try {
      await connected;
      const manifest = readIdentityManifest(stack.pki);
      const entry = manifest.identities.find((i) => i.name === 'bank-b.main');
      expect(entry).toBeDefined();
      await revokeCertificate(stack.pki, 'provider', entry!.serial);
      const error = await cutOff;
      expect(error.code).toBe(status.UNAUTHENTICATED);
      expect(error.details).toMatch(/revoked/);
    } finally {
      stream.close();
    }
  }, 30_000);
});
