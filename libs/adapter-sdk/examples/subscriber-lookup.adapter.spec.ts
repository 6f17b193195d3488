// The adapter of docs/adapter-guide.md: the guide shows this file verbatim, it stays under 50 lines, and it answers
// verified orders (run through the SDK's task protocol against an in-memory exchange).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { TrustStore } from '#evx/pki';
import type { RefuseTaskRequest } from '#evx/proto';
import { sharedTestPki } from '../../../test/support/test-pki.js';
import { devAuthorityTrust } from '../src/adapter.credentials.js';
import { TaskProcessor, type TaskOutcome } from '../src/adapter.js';
import { FaultPlan } from '../src/adapter.faults.js';
import { adapterIdentity } from '../src/origin.signer.js';
import { FakeExchange } from '../src/testing/fake-exchange.js';
import { aSignedTask, anOrder } from '../src/testing/signed-task.fixture.js';
import { handlers } from './subscriber-lookup.adapter.js';

const EXAMPLE = join(process.cwd(), 'libs/adapter-sdk/examples/subscriber-lookup.adapter.ts');
const GUIDE = join(process.cwd(), 'docs/adapter-guide.md');
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

let pki: string;
let trust: TrustStore;

async function run(msisdn: string) {
  const exchange = new FakeExchange();
  const outcomes: TaskOutcome[] = [];
  const read = (ext: string) => readFileSync(join(pki, 'actors', `telco-a.main.${ext}`), 'utf8');
  const sut = new TaskProcessor(
    {
      address: '-',
      tls: { serverCaPem: '', certPem: '', keyPem: '' },
      authorityTrust: trust,
      onOutcome: (o) => outcomes.push(o),
    },
    handlers,
    exchange,
    adapterIdentity(read('crt'), read('key')),
    new FaultPlan(),
    quiet,
  );
  const order = anOrder();
  const task = await aSignedTask(pki, {
    ...order,
    requestDetails: {
      requestTypes: ['SUBSCRIBER_DATA'],
      selectors: [{ selectorId: 's1', kind: 'msisdn', value: msisdn }],
    },
  });
  await sut.onEvent({ cursor: '1', task });
  return { outcome: outcomes[0]!, exchange };
}

describe('the adapter guide example', () => {
  beforeAll(async () => {
    pki = await sharedTestPki();
    trust = devAuthorityTrust(pki);
  }, 180_000);

  it('is shown verbatim in docs/adapter-guide.md and is under 50 lines', () => {
    const source = readFileSync(EXAMPLE, 'utf8');
    const guide = readFileSync(GUIDE, 'utf8');
    const block =
      /<!-- example: libs\/adapter-sdk\/examples\/subscriber-lookup\.adapter\.ts -->\n+```ts\n([\s\S]*?)```/.exec(
        guide,
      );
    expect(block?.[1]).toBe(source);
    expect(source.trimEnd().split('\n').length).toBeLessThan(50);
  });

  it('fulfils a verified order for a known subscriber', async () => {
    const { outcome, exchange } = await run('+31612345678');
    expect(outcome).toMatchObject({ result: 'fulfilled', recordCount: 1 });
    expect(exchange.methods()).toContain('completeTask');
  });

  it('refuses an order for a number it does not serve', async () => {
    const { outcome, exchange } = await run('+31600000001');
    expect(outcome.result).toBe('refused');
    const refusal = exchange.calls.find((c) => c.method === 'refuseTask')!.request as RefuseTaskRequest;
    expect(refusal).toMatchObject({ ground: 'REFUSAL_GROUND_NOT_OUR_CUSTOMER', selectorIds: ['s1'] });
  });
});
