// `evx request …` against the in-process stack: the CLI signs with each actor's own key over REST, and reports
// the server's refusals (exit 1) apart from usage and I/O problems (exit 2).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, UsageError } from '../../apps/cli/src/authority-api.http-client.js';
import {
  createRequest,
  decideRequest,
  listRequests,
  requestExitCode,
  showRequest,
  submitRequest,
  withdrawRequest,
} from '../../apps/cli/src/commands/request/request.actions.js';
import { watchRequests, type WatchedChange } from '../../apps/cli/src/commands/request/request.watch.js';
import { sharedTestPki } from '../support/test-pki.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let url: string;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack(await sharedTestPki());
  url = `https://localhost:${stack.ports.authorityHttps}`;
  dir = mkdtempSync(join(tmpdir(), 'evx-cli-requests-'));
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const as = (identity: string) => ({ certs: stack.pki, as: identity, url });

/** An order file as an investigator writes it: just the REST `details`. */
function orderFile(): string {
  const file = join(dir, `${randomUUID()}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      caseReference: `HN-${randomUUID().slice(0, 8)}`,
      legalBasis: { law: 'Code of Criminal Procedure', article: '126na(1)', orderDocumentSha256: 'ab'.repeat(32) },
      typeOfCase: 'CYBERCRIME',
      urgency: 'STANDARD',
      targetProviderId: 'telco-a',
      requestDetails: {
        requestTypes: ['SUBSCRIBER_DATA'],
        selectors: [{ selectorId: 's1', kind: 'msisdn', value: '+31612345678' }],
      },
      confidential: true,
      preservationOnly: false,
    }),
  );
  return file;
}

async function refusal(work: Promise<unknown>): Promise<Error> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected the command to fail');
  return error;
}

describe('evx request (CLI over REST)', () => {
  it('create from a file, submit, supervisor and judge approve: show says DISPATCHED', async () => {
    const created = await createRequest({ ...as('police-hn.inv-1'), file: orderFile() });
    expect(created.status).toBe('DRAFT');
    expect(created.generation).toBe(1);

    const submitted = await submitRequest({ ...as('police-hn.inv-1'), id: created.authorisationId });
    expect(submitted.status).toBe('AWAITING_APPROVAL');

    const supervised = await decideRequest('approve', { ...as('police-hn.sup-1'), id: created.authorisationId });
    expect(supervised.status).toBe('AWAITING_APPROVAL');
    const judged = await decideRequest('approve', { ...as('police-hn.judge-1'), id: created.authorisationId });
    expect(judged.status).toBe('DISPATCHED');

    const shown = await showRequest({ ...as('police-hn.inv-1'), id: created.authorisationId });
    expect(shown.status).toBe('DISPATCHED');
    // The view names roles by their proto names.
    expect(shown.approvals?.map((a) => a.role)).toEqual(['APPROVER_ROLE_SUPERVISOR', 'APPROVER_ROLE_JUDGE']);

    const listed = await listRequests({ ...as('police-hn.inv-1'), status: 'DISPATCHED' });
    expect(listed.requests.map((r) => r.id)).toContain(created.authorisationId);
  });

  it("an investigator approving is refused with the server's message (exit 1)", async () => {
    const created = await createRequest({ ...as('police-hn.inv-1'), file: orderFile() });
    await submitRequest({ ...as('police-hn.inv-1'), id: created.authorisationId });
    const error = await refusal(
      decideRequest('approve', { ...as('police-hn.inv-2'), role: 'SUPERVISOR', id: created.authorisationId }),
    );
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(403);
    // The server's own words: who the caller is and who may do this.
    expect(error.message).toMatch(/^403: WRONG_ROLE: .*inv-2.*allowed: approver/);
    expect(requestExitCode(error)).toBe(1);
    expect((await showRequest({ ...as('police-hn.inv-1'), id: created.authorisationId })).generation).toBe(2);
  });

  it('withdraw needs a reason, then withdraws', async () => {
    const created = await createRequest({ ...as('police-hn.inv-1'), file: orderFile() });
    const noReason = await refusal(withdrawRequest({ ...as('police-hn.inv-1'), id: created.authorisationId }));
    expect(requestExitCode(noReason)).toBe(2);
    const withdrawn = await withdrawRequest({
      ...as('police-hn.inv-1'),
      id: created.authorisationId,
      reason: 'opened by mistake',
    });
    expect(withdrawn.status).toBe('WITHDRAWN');
  });

  it('a missing order file or approver identity is a usage error (exit 2)', async () => {
    const missing = await refusal(createRequest({ ...as('police-hn.inv-1'), file: join(dir, 'no-such-order.json') }));
    expect(missing).toBeInstanceOf(UsageError);
    expect(missing.message).toMatch(/cannot read .*no-such-order\.json/);
    expect(requestExitCode(missing)).toBe(2);

    const nobody = await refusal(decideRequest('approve', { certs: stack.pki, url, id: 'x' }));
    expect(nobody).toBeInstanceOf(UsageError);
    expect(requestExitCode(nobody)).toBe(2);
  });

  it('watch reports the changes of a new order; download reports the refusal (no package yet, exit 1)', async () => {
    const seen: WatchedChange[] = [];
    const stop = new AbortController();
    let caughtUp!: () => void;
    const ready = new Promise<void>((resolve) => (caughtUp = resolve));
    let submitted!: () => void;
    const arrived = new Promise<void>((resolve) => (submitted = resolve));
    const watching = watchRequests(
      { ...as('police-hn.inv-1'), grpc: `localhost:${stack.ports.authorityGrpc}` },
      (change) => {
        seen.push(change);
        if (change.newStatus === 'REQUEST_STATUS_AWAITING_APPROVAL') submitted();
      },
      { signal: stop.signal, onCaughtUp: () => caughtUp() },
    );
    await ready;
    const created = await createRequest({ ...as('police-hn.inv-1'), file: orderFile() });
    await submitRequest({ ...as('police-hn.inv-1'), id: created.authorisationId });
    await arrived;
    stop.abort();
    await watching;
    const mine = seen.filter((c) => c.authorisationId === created.authorisationId);
    expect(mine.at(-1)).toMatchObject({ newStatus: 'REQUEST_STATUS_AWAITING_APPROVAL', generation: 2 });
    expect(mine.every((c) => c.cursor.length > 0)).toBe(true);

  });
});
