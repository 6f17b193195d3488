// The adapter SDK and the reference adapters through the real services over mutual TLS: the mock telecom and the
// mock bank fulfil real approved orders end to end; an upload cut mid-way and resumed gives the same chain head and
// Merkle root as an uninterrupted one; an order that does not verify is refused by the SDK before any handler runs.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  connectAdapter,
  devAdapterTlsFiles,
  devAuthorityTrust,
  MemoryCursorStore,
  type Adapter,
  type TaskOutcome,
} from '#evx/adapter-sdk';
import { signRequestValue } from '#evx/authorisation';
import { loadConfig } from '#evx/config';
import { MockAdapterConfig, startMockAdapter, type RunningMockAdapter } from '#evx/mock-providers';
import { aSignedTask } from '../../libs/adapter-sdk/src/testing/signed-task.fixture.js';
import { exchangeHelpers, type Order } from '../support/exchange-helpers.js';
import { sharedTestPki } from '../support/test-pki.js';
import { callUnary, channelAs, startTestStack, type TestStack } from '../support/test-stack.js';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
let stack: TestStack;
const outcomes: TaskOutcome[] = [];
const running: { close(): Promise<void> }[] = [];
let stateDir: string;

beforeAll(async () => {
  stack = await startTestStack(await sharedTestPki());
  stateDir = mkdtempSync(join(tmpdir(), 'evx-adapter-state-'));
}, 120_000);

afterAll(async () => {
  for (const service of running) await service.close();
  // Bounded, with a message that says what to look for: a service kept open by an upload stream nobody closed.
  const late = sleep(60_000, undefined, { ref: false }).then(() => {
    throw new Error('the stack did not shut down within 60 s: is a cut upload stream still open at the vault?');
  });
  await Promise.race([stack?.close(), late]);
}, 90_000);

const ts = (iso: string) => ({ seconds: Math.floor(Date.parse(iso) / 1000), nanos: 0 });

// The authority side as in the provider-exchange tests (test/support/exchange-helpers.ts).
const { key, authority, approve } = exchangeHelpers(() => stack);

/** An order created, signed, and approved by supervisor and judge: dispatched to the provider's adapter. */
async function approvedOrder(targetProviderId: string, requestDetails: Record<string, unknown>): Promise<Order> {
  const draft = await authority('police-hn.inv-1', 'createRequest', {
    idempotencyKey: randomUUID(),
    details: {
      caseReference: `HN-${randomUUID().slice(0, 8)}`,
      legalBasis: { law: 'Code of Criminal Procedure', article: '126na(1)', orderDocumentSha256: Buffer.alloc(32, 3) },
      typeOfCase: 'TYPE_OF_CASE_CYBERCRIME',
      urgency: 'URGENCY_STANDARD',
      targetProviderId,
      requestDetails,
      confidential: true,
    },
  });
  const submitted = await authority('police-hn.inv-1', 'submitRequest', {
    authorisationId: draft.authorisationId,
    expectedGeneration: draft.generation,
    requesterSignature: { value: await signRequestValue(draft.bundle.canonicalRequest, key('police-hn.inv-1')) },
  });
  const approved = await approve(
    await approve(submitted, 'police-hn.sup-1', 'SUPERVISOR'),
    'police-hn.judge-1',
    'JUDGE',
  );
  expect(approved.status).toBe('REQUEST_STATUS_DISPATCHED');
  return approved;
}

/** Waits (polling, bounded) until the adapter reported what it did with the order's task. */
async function outcomeOf(order: Order, timeoutMs = 60_000): Promise<TaskOutcome> {
  const taskId =
    order.taskId ||
    (await authority('police-hn.inv-1', 'getRequest', { authorisationId: order.authorisationId })).taskId;
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(50)) {
    const found = outcomes.find((o) => o.taskId === taskId && o.result !== 'skipped');
    if (found) return found;
  }
  throw new Error(`no outcome for task ${taskId} within ${timeoutMs} ms`);
}

async function mockAdapter(identity: string, settings: Partial<MockAdapterConfig> = {}): Promise<RunningMockAdapter> {
  const config = loadConfig(
    MockAdapterConfig,
    {},
    {
      certsDir: stack.pki,
      providerEdgeAddress: `localhost:${stack.ports.providerEdge}`,
      identity,
      stateDir: join(stateDir, identity),
      logLevel: 'warn',
      ...settings,
    },
  );
  const adapter = await startMockAdapter(`mock ${identity}`, config, { onOutcome: (o) => outcomes.push(o) });
  running.push(adapter);
  return adapter;
}

const TELECOM_ORDER = {
  requestTypes: ['REQUEST_TYPE_SUBSCRIBER_DATA', 'REQUEST_TYPE_TRAFFIC_DATA', 'REQUEST_TYPE_LOCATION_DATA'],
  selectors: [{ selectorId: 's1', msisdn: '+31612345678' }],
  timeRange: { startTime: ts('2026-10-01T00:00:00Z'), endTime: ts('2026-10-08T00:00:00Z') },
};

describe('adapter SDK with the reference adapters', () => {
  let telecomChain: TaskOutcome;

  it('the mock telecom fulfils an approved order end to end over mutual TLS', async () => {
    const adapter = await mockAdapter('telco-a.main', { volume: 150 });
    const order = await approvedOrder('telco-a', TELECOM_ORDER);
    telecomChain = await outcomeOf(order);
    expect(telecomChain).toMatchObject({ result: 'fulfilled', recordCount: 1 + 150 + 150 });
    expect(telecomChain.evidencePackage?.state).toBe('PACKAGE_STATE_COMPLETE');
    expect(telecomChain.evidencePackage?.chainHead.toString('hex')).toBe(telecomChain.chainHead);
    expect(telecomChain.evidencePackage?.merkleRoot.toString('hex')).toBe(telecomChain.merkleRoot);
    await adapter.close();
  }, 120_000);

  it('an upload cut mid-way and resumed gives the same chain head and Merkle root as an uninterrupted one', async () => {
    // Same stateDir: this adapter resumes the task stream after the first order.
    const adapter = await mockAdapter('telco-a.main', { volume: 150, faults: 'drop-after:120' });
    const order = await approvedOrder('telco-a', TELECOM_ORDER);
    const resumed = await outcomeOf(order);
    expect(resumed).toMatchObject({ result: 'fulfilled', recordCount: 301 });
    // The first resume starts after what was durable at the cut (not from scratch). A second one may follow: the
    // cut stream's last records can still be landing when the resumed stream starts (SEQUENCE_CONFLICT → re-read).
    const resumedAfter = resumed.resumedAfter ?? [];
    expect(resumedAfter.length).toBeGreaterThanOrEqual(1);
    expect(resumedAfter[0]).toBeGreaterThan(0);
    expect(resumedAfter[0]).toBeLessThanOrEqual(120);
    expect(resumed.chainHead).toBe(telecomChain.chainHead);
    expect(resumed.merkleRoot).toBe(telecomChain.merkleRoot);
    expect(resumed.evidencePackage?.chainHead.toString('hex')).toBe(telecomChain.chainHead);
    await adapter.close();
  }, 120_000);

  it('the mock bank fulfils an approved order end to end', async () => {
    await mockAdapter('bank-b.main', { volume: 40 });
    const order = await approvedOrder('bank-b', {
      requestTypes: ['REQUEST_TYPE_ACCOUNT_HOLDER_DATA', 'REQUEST_TYPE_ACCOUNT_DATA', 'REQUEST_TYPE_TRANSACTION_DATA'],
      selectors: [{ selectorId: 'a1', iban: 'NL91ABNA0417164300' }],
      timeRange: { startTime: ts('2026-01-01T00:00:00Z'), endTime: ts('2026-11-01T00:00:00Z') },
    });
    const outcome = await outcomeOf(order);
    expect(outcome.result).toBe('fulfilled');
    expect(outcome.recordCount).toBeGreaterThanOrEqual(1 + 1 + 40);
    expect(outcome.evidencePackage?.state).toBe('PACKAGE_STATE_COMPLETE');
  }, 120_000);

  it('the mock bank refuses an order about an account it does not hold, with structured grounds', async () => {
    const order = await approvedOrder('bank-b', {
      requestTypes: ['REQUEST_TYPE_ACCOUNT_HOLDER_DATA'],
      selectors: [{ selectorId: 'a1', iban: 'NL02ABNA0123456789' }],
    });
    const outcome = await outcomeOf(order);
    expect(outcome.result).toBe('refused');
    expect(outcome.reason).toMatch(/^NOT_OUR_CUSTOMER/);
  }, 120_000);

  it('an order that does not verify is refused by the SDK; the handler never runs', async () => {
    const handled: string[] = [];
    const seen: TaskOutcome[] = [];
    const adapter: Adapter = await connectAdapter(
      {
        address: `localhost:${stack.ports.providerEdge}`,
        tls: devAdapterTlsFiles(stack.pki, 'telco-a.main'),
        authorityTrust: devAuthorityTrust(stack.pki),
        cursorStore: new MemoryCursorStore(),
        logger: quiet,
        onOutcome: (o) => seen.push(o),
      },
      {
        onDisclosure: (task) => {
          handled.push(task.taskId);
          return [];
        },
      },
    );
    running.push(adapter);
    // A task whose signed request was altered after signing, put on telco-a's stream as authority-api would.
    const task = await aSignedTask(stack.pki);
    task.taskId = randomUUID();
    task.bundle!.canonicalRequest = Buffer.from(task.bundle!.canonicalRequest.toString('utf8').replace('HN-', 'XX-'));
    await callUnary(
      'taskDispatch',
      `localhost:${stack.ports.providerEdgeInternal}`,
      'dispatchTask',
      { task },
      channelAs(stack.pki, 'services/authority-api'),
    );
    for (const end = Date.now() + 30_000; Date.now() < end && !seen.some((o) => o.taskId === task.taskId);)
      await sleep(50);
    expect(seen.find((o) => o.taskId === task.taskId)).toMatchObject({ result: 'refused' });
    expect(seen.find((o) => o.taskId === task.taskId)?.reason).toMatch(
      /INCOMPLETE_OR_WRONG_ORDER: the signed order does not verify/,
    );
    expect(handled).not.toContain(task.taskId);
  }, 60_000);
});
