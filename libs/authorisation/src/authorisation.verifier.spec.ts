import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { EvxError } from '#evx/errors';
import { issueActorCertificate, TrustStore } from '#evx/pki';
import type { ApprovalPlan, ApproverRole, ApprovalKind } from '#evx/workflow';
import { privateTestPki } from '../../../test/support/test-pki.js';
import { aDraftInput } from '../../workflow/src/testing/workflow.fixtures.js';
import type { AuthorisationBundle, SignedStatement } from './authorisation.bundle.js';
import { encodeRequestDocument } from './authorisation-request.document.js';
import { signApproval, signRequest, type ActorKey } from './authorisation.signer.js';
import { verifyAuthorisation } from './authorisation.verifier.js';

const AUTHORISATION_ID = '0e4b5f1c-6a7d-4e8f-9a0b-1c2d3e4f5a6b';
const PLAN: ApprovalPlan = { kind: 'STANDARD', steps: [['SUPERVISOR'], ['PROSECUTOR', 'JUDGE']] };

let pki: string;
let trust: TrustStore;
let createdAt: Date;
let request: Uint8Array;

function key(file: string): ActorKey {
  return {
    certificatePem: readFileSync(join(pki, 'actors', `${file}.crt`), 'utf8'),
    privateKeyPem: readFileSync(join(pki, 'actors', `${file}.key`), 'utf8'),
  };
}

function uriOf(file: string): string {
  const [agency, id] = file.split('.') as [string, string];
  return `evx://authority/${agency}/${id.startsWith('inv') ? 'investigator' : 'approver'}/${id}`;
}

async function approval(
  file: string,
  role: ApproverRole,
  on = request,
  kind: ApprovalKind = 'STANDARD',
): Promise<SignedStatement> {
  const decidedAt = new Date(createdAt.getTime() + 1000);
  return signApproval(
    on,
    { approverUri: uriOf(file), role, kind, decision: 'APPROVED', reason: '', decidedAt },
    key(file),
  );
}

async function bundle(approvals: SignedStatement[], requester = 'police-hn.inv-1'): Promise<AuthorisationBundle> {
  return { request, requestSignature: await signRequest(request, key(requester)), approvals };
}

function refusal(run: () => unknown): EvxError {
  try {
    run();
  } catch (error) {
    if (error instanceof EvxError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('verifyAuthorisation', () => {
  beforeAll(async () => {
    pki = await privateTestPki();
    await issueActorCertificate({
      out: pki,
      role: 'supervisor',
      agency: 'police-hn',
      id: 'inv-1',
      file: 'police-hn.inv-1-sup',
      now: new Date(Date.now() - 60_000),
    });
    trust = TrustStore.fromDirectory(pki);
    createdAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 10_000);
    const requester = { issuingAgencyId: 'police-hn', requesterUri: uriOf('police-hn.inv-1') };
    request = encodeRequestDocument(AUTHORISATION_ID, { ...aDraftInput(), ...requester }, createdAt);
  }, 180_000);

  it('accepts a request signed by its requester and approved along the plan', async () => {
    const sut = await bundle([
      await approval('police-hn.sup-1', 'SUPERVISOR'),
      await approval('police-hn.judge-1', 'JUDGE'),
    ]);
    const verified = verifyAuthorisation(sut, trust, { plan: PLAN, requireComplete: true }, new Date());
    expect(verified.requester.uri).toBe(uriOf('police-hn.inv-1'));
    expect(verified.approvals.map((a) => a.statement.role)).toEqual([
      'APPROVER_ROLE_SUPERVISOR',
      'APPROVER_ROLE_JUDGE',
    ]);
  });

  it('reads a request it has seen once from its memo, shared and frozen, and a tampered copy as itself', async () => {
    const sut = await bundle([]);
    const first = verifyAuthorisation(sut, trust, {}, new Date()).request;
    const again = verifyAuthorisation({ ...sut, request: Buffer.from(request) }, trust, {}, new Date()).request;
    expect(again).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.requestDetails)).toBe(true);
    expect(() => {
      (first as { caseReference: string }).caseReference = 'changed';
    }).toThrow(TypeError);
    // Other bytes are another entry: parsed for what they say, then refused by the signature.
    const tampered = Buffer.from(new TextDecoder().decode(request).replace('HN-2030-0001', 'HN-2030-0002'));
    const error = refusal(() => verifyAuthorisation({ ...sut, request: tampered }, trust, {}, new Date()));
    expect(error.message).toMatch(/request signature: the signature does not verify/);
    expect(verifyAuthorisation(sut, trust, {}, new Date()).request.caseReference).toBe('HN-2030-0001');
  });

  it('refuses a tampered request', async () => {
    const sut = await bundle([]);
    const tampered = Buffer.from(new TextDecoder().decode(request).replace('HN-2030-0001', 'HN-2030-0002'));
    const error = refusal(() => verifyAuthorisation({ ...sut, request: tampered }, trust, {}, new Date()));
    expect(error.message).toMatch(/request signature: the signature does not verify/);
  });

  it('refuses a tampered approval signature', async () => {
    const good = await approval('police-hn.sup-1', 'SUPERVISOR');
    const envelope = JSON.parse(new TextDecoder().decode(good.signature)) as { value: string };
    const value = Buffer.from(envelope.value, 'base64');
    value[10] = (value[10] as number) ^ 1;
    const signature = Buffer.from(
      new TextDecoder().decode(good.signature).replace(envelope.value, value.toString('base64')),
    );
    const error = refusal(() =>
      verifyAuthorisation({ ...good, request, requestSignature: undefined, approvals: [] }, trust, {}, new Date()),
    );
    expect(error.message).toMatch(/not signed/);
    const sut = await bundle([{ statement: good.statement, signature }]);
    expect(refusal(() => verifyAuthorisation(sut, trust, {}, new Date())).message).toMatch(
      /approval 1 signature: the signature does not verify/,
    );
  });

  it('refuses a request signed by someone other than the requester it names', async () => {
    const sut = await bundle([], 'police-hn.inv-2');
    const error = refusal(() => verifyAuthorisation(sut, trust, {}, new Date()));
    expect(error.code).toBe('SIGNATURE_INVALID');
    expect(error.message).toMatch(/names requester .* but is signed by .*inv-2/);
  });

  it('refuses an approval in a role the certificate does not grant', async () => {
    const forged = await approval('police-hn.sup-1', 'JUDGE');
    const sut = await bundle([forged]);
    const error = refusal(() => verifyAuthorisation(sut, trust, {}, new Date()));
    expect(error.message).toMatch(/which its certificate does not grant/);
  });

  it('refuses an approval from another agency', async () => {
    const sut = await bundle([await approval('police-dn.sup-1', 'SUPERVISOR')]);
    expect(refusal(() => verifyAuthorisation(sut, trust, {}, new Date())).message).toMatch(/not of the issuing agency/);
  });

  it('refuses self-approval and two approvals by one person', async () => {
    const twice = await bundle([
      await approval('police-hn.sup-1', 'SUPERVISOR'),
      await approval('police-hn.sup-1', 'SUPERVISOR'),
    ]);
    expect(refusal(() => verifyAuthorisation(twice, trust, {}, new Date())).code).toBe('SELF_APPROVAL');
    // The requester inv-1 also holds a supervisor certificate: same agency and id, so the same person.
    const decidedAt = new Date(createdAt.getTime() + 1000);
    const own = await signApproval(
      request,
      {
        approverUri: 'evx://authority/police-hn/approver/inv-1',
        role: 'SUPERVISOR',
        kind: 'STANDARD',
        decision: 'APPROVED',
        reason: '',
        decidedAt,
      },
      key('police-hn.inv-1-sup'),
    );
    const sut = await bundle([own]);
    expect(refusal(() => verifyAuthorisation(sut, trust, { plan: PLAN }, new Date())).code).toBe('SELF_APPROVAL');
  });

  it('refuses an approval decided on another request', async () => {
    const otherRequest = encodeRequestDocument(
      '1e4b5f1c-6a7d-4e8f-9a0b-1c2d3e4f5a6b',
      { ...aDraftInput(), issuingAgencyId: 'police-hn', requesterUri: uriOf('police-hn.inv-1') },
      createdAt,
    );
    const sut = await bundle([await approval('police-hn.sup-1', 'SUPERVISOR', otherRequest)]);
    expect(refusal(() => verifyAuthorisation(sut, trust, {}, new Date())).message).toMatch(/decides on request/);
  });

  it('refuses approvals out of the plan order and an incomplete plan before dispatch', async () => {
    const judgeFirst = await bundle([await approval('police-hn.judge-1', 'JUDGE')]);
    expect(refusal(() => verifyAuthorisation(judgeFirst, trust, { plan: PLAN }, new Date())).code).toBe(
      'POLICY_VIOLATION',
    );
    const half = await bundle([await approval('police-hn.sup-1', 'SUPERVISOR')]);
    expect(() => verifyAuthorisation(half, trust, { plan: PLAN }, new Date())).not.toThrow();
    expect(
      refusal(() => verifyAuthorisation(half, trust, { plan: PLAN, requireComplete: true }, new Date())).code,
    ).toBe('POLICY_VIOLATION');
  });
});
