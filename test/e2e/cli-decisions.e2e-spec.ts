// `evx request reject` and `evx request validate` against the in-process stack: the CLI signs each decision with the
// approver's own key over REST; refusals are the server's words (exit 1), usage problems exit 2. And the emergency
// rule that keeps the fast path honest: with N (3 by default) open emergency orders in an agency, the N+1th needs a
// second duty officer's approval, from another person.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueActorCertificate } from '#evx/pki';
import { ApiError, UsageError } from '../../apps/cli/src/authority-api.http-client.js';
import {
  createRequest,
  decideRequest,
  requestExitCode,
  showRequest,
  submitRequest,
  withdrawRequest,
  type RequestView,
} from '../../apps/cli/src/commands/request/request.actions.js';
import { privateTestPki } from '../support/test-pki.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let url: string;
let dir: string;

beforeAll(async () => {
  // A private PKI: a second duty officer of police-hn is issued for the N+1th emergency.
  const pki = await privateTestPki();
  if (!existsSync(join(pki, 'actors', 'police-hn.duty-2.crt')))
    await issueActorCertificate({ out: pki, role: 'duty-officer', agency: 'police-hn', id: 'duty-2' });
  stack = await startTestStack(pki);
  url = `https://localhost:${stack.ports.authorityHttps}`;
  dir = mkdtempSync(join(tmpdir(), 'evx-cli-decisions-'));
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const as = (identity: string) => ({ certs: stack.pki, as: identity, url });

function orderFile(emergency = false): string {
  const file = join(dir, `${randomUUID()}.json`);
  const now = Date.now();
  writeFileSync(
    file,
    JSON.stringify({
      caseReference: `HN-${randomUUID().slice(0, 8)}`,
      legalBasis: { law: 'Code of Criminal Procedure', article: '126na(1)', orderDocumentSha256: 'cd'.repeat(32) },
      typeOfCase: 'CYBERCRIME',
      urgency: emergency ? 'EMERGENCY' : 'STANDARD',
      ...(emergency
        ? {
            emergency: {
              threat: 'LIFE',
              justification: 'Kidnapped child; the kidnapper phoned from this number an hour ago.',
            },
          }
        : {}),
      targetProviderId: 'telco-a',
      requestDetails: {
        requestTypes: ['SUBSCRIBER_DATA'],
        selectors: [{ selectorId: 's1', kind: 'msisdn', value: '+31612345678' }],
        ...(emergency
          ? {
              timeRange: {
                start: new Date(now - 2 * 86_400_000).toISOString(),
                end: new Date(now).toISOString(),
              },
            }
          : {}),
      },
      confidential: true,
      preservationOnly: false,
    }),
  );
  return file;
}

async function submitted(emergency = false): Promise<RequestView> {
  const created = await createRequest({ ...as('police-hn.inv-1'), file: orderFile(emergency) });
  const view = await submitRequest({ ...as('police-hn.inv-1'), id: created.authorisationId });
  expect(view.status).toBe('AWAITING_APPROVAL');
  return view;
}

async function refusal(work: Promise<unknown>): Promise<Error> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected the command to fail');
  return error;
}

describe('the N+1th open emergency order of an agency (CLI)', () => {
  it('needs a second duty approval by another duty officer once N = 3 emergencies are open', async () => {
    const open = [await submitted(true), await submitted(true), await submitted(true)];
    const fourth = await submitted(true);
    expect(fourth.statusReason).toMatch(/3 open emergency orders/);

    const first = await decideRequest('approve', { ...as('police-hn.duty-1'), id: fourth.authorisationId });
    // One duty approval is not enough for this one: still awaiting the second.
    expect(first.status).toBe('AWAITING_APPROVAL');
    expect(first.approvals?.map((a) => a.role)).toEqual(['APPROVER_ROLE_DUTY_OFFICER']);

    // The same person cannot give the second.
    const twice = await refusal(decideRequest('approve', { ...as('police-hn.duty-1'), id: fourth.authorisationId }));
    expect(twice).toBeInstanceOf(ApiError);
    expect((twice as ApiError).status).toBe(403);
    expect(twice.message).toMatch(/^403: SELF_APPROVAL: /);
    expect(requestExitCode(twice)).toBe(1);

    const second = await decideRequest('approve', { ...as('police-hn.duty-2'), id: fourth.authorisationId });
    expect(second.status).toBe('DISPATCHED');
    expect(second.emergencyValidation?.status).toBe('PENDING');

    // Below the threshold, one duty approval dispatches at once.
    for (const order of open) {
      await withdrawRequest({ ...as('police-hn.inv-1'), id: order.authorisationId, reason: 'test clean-up' });
    }
    await decideRequest('validate', { ...as('police-hn.judge-1'), id: fourth.authorisationId, reason: 'confirmed' });
    const fifth = await submitted(true);
    const alone = await decideRequest('approve', { ...as('police-hn.duty-1'), id: fifth.authorisationId });
    expect(alone.status).toBe('DISPATCHED');
    await decideRequest('validate', { ...as('police-hn.judge-1'), id: fifth.authorisationId, reason: 'confirmed' });
  });
});

describe('evx request reject (CLI)', () => {
  it('a supervisor rejects with a reason: REJECTED, final, the reason kept and signed', async () => {
    const order = await submitted();
    const rejected = await decideRequest('reject', {
      ...as('police-hn.sup-1'),
      id: order.authorisationId,
      reason: 'no legal basis for this data',
    });
    expect(rejected.status).toBe('REJECTED');
    expect(rejected.statusReason).toMatch(/no legal basis for this data/);
    expect(rejected.approvals).toEqual([
      expect.objectContaining({
        decision: 'APPROVAL_DECISION_REJECTED',
        role: 'APPROVER_ROLE_SUPERVISOR',
        reason: 'no legal basis for this data',
        approverUri: 'evx://authority/police-hn/approver/sup-1',
      }),
    ]);

    // Final: another decision is refused with the server's explanation.
    const after = await refusal(decideRequest('approve', { ...as('police-hn.judge-1'), id: order.authorisationId }));
    expect((after as ApiError).status).toBe(409);
    expect(after.message).toMatch(/INVALID_STATE/);
  });

  it('without --reason it is a usage error (exit 2) and nothing is sent', async () => {
    const order = await submitted();
    const error = await refusal(decideRequest('reject', { ...as('police-hn.sup-1'), id: order.authorisationId }));
    expect(error).toBeInstanceOf(UsageError);
    expect(requestExitCode(error)).toBe(2);
    expect((await showRequest({ ...as('police-hn.inv-1'), id: order.authorisationId })).generation).toBe(
      order.generation,
    );
  });

  it('another agency’s approver cannot even see the order (404); an investigator may not reject (403)', async () => {
    const order = await submitted();
    const foreign = await refusal(
      decideRequest('reject', { ...as('police-dn.sup-1'), id: order.authorisationId, reason: 'not ours' }),
    );
    expect((foreign as ApiError).status).toBe(404);
    const investigator = await refusal(
      decideRequest('reject', {
        ...as('police-hn.inv-2'),
        role: 'SUPERVISOR',
        id: order.authorisationId,
        reason: 'I would rather not',
      }),
    );
    expect((investigator as ApiError).status).toBe(403);
    expect(requestExitCode(investigator)).toBe(1);
    expect((await showRequest({ ...as('police-hn.inv-1'), id: order.authorisationId })).status).toBe(
      'AWAITING_APPROVAL',
    );
  });
});

describe('evx request validate (CLI)', () => {
  async function provisional(): Promise<RequestView> {
    const order = await submitted(true);
    const approved = await decideRequest('approve', { ...as('police-hn.duty-1'), id: order.authorisationId });
    expect(approved.status).toBe('DISPATCHED');
    expect(approved.emergencyValidation?.status).toBe('PENDING');
    return approved;
  }

  it('a judge validates an emergency order: validation VALIDATED, the order goes on', async () => {
    const order = await provisional();
    const validated = await decideRequest('validate', {
      ...as('police-hn.judge-1'),
      id: order.authorisationId,
      reason: 'threat confirmed by the hostage negotiator',
    });
    expect(validated.emergencyValidation?.status).toBe('VALIDATED');
    expect(validated.evidenceSealed).toBe(false);
    expect(validated.approvals?.at(-1)).toMatchObject({
      kind: 'APPROVAL_KIND_JUDICIAL_VALIDATION',
      decision: 'APPROVAL_DECISION_APPROVED',
      role: 'APPROVER_ROLE_JUDGE',
    });
  });

  it('--reject refuses validation: VALIDATION_REJECTED, evidence sealed', async () => {
    const order = await provisional();
    const refused = await decideRequest('validate', {
      ...as('police-hn.judge-1'),
      id: order.authorisationId,
      reason: 'no imminent threat was shown',
      reject: true,
    });
    expect(refused.status).toBe('VALIDATION_REJECTED');
    expect(refused.evidenceSealed).toBe(true);
    expect(refused.emergencyValidation?.status).toBe('REJECTED');
  });

  it('a duty officer may not validate, nor may anyone validate a standard order', async () => {
    const order = await provisional();
    const duty = await refusal(
      decideRequest('validate', { ...as('police-hn.duty-2'), id: order.authorisationId, reason: 'looks fine' }),
    );
    expect(duty).toBeInstanceOf(ApiError);
    expect([403, 409]).toContain((duty as ApiError).status);
    expect(requestExitCode(duty)).toBe(1);

    const standard = await submitted();
    const notEmergency = await refusal(
      decideRequest('validate', { ...as('police-hn.judge-1'), id: standard.authorisationId, reason: 'why not' }),
    );
    expect((notEmergency as ApiError).status).toBe(409);
    // Without --reason: usage error, exit 2.
    const noReason = await refusal(
      decideRequest('validate', { ...as('police-hn.judge-1'), id: order.authorisationId }),
    );
    expect(requestExitCode(noReason)).toBe(2);
    await decideRequest('validate', { ...as('police-hn.judge-1'), id: order.authorisationId, reason: 'confirmed' });
  });
});
