import { jest } from '@jest/globals';
import { encodeRequestDocument } from '#evx/authorisation';
import type { ApprovalPlan } from '#evx/workflow';
import { sharedTestPki } from '../../../test/support/test-pki.js';
import { aDraftInput } from '../../workflow/src/testing/workflow.fixtures.js';
import { actorFiles, checkBundle, signBundle, tamperLastApproval, taskOf } from './tampered-task.js';
import type { Authorisation } from '#evx/proto';

// RSA signatures and possibly the first generation of the shared test PKI.
jest.setTimeout(180_000);

const PLAN: ApprovalPlan = { kind: 'STANDARD', steps: [['SUPERVISOR'], ['PROSECUTOR', 'JUDGE']] };
const APPROVERS = [
  { identity: 'police-hn.sup-1', role: 'SUPERVISOR' as const },
  { identity: 'police-hn.pros-1', role: 'PROSECUTOR' as const },
];

describe('the forged order of the bad-signature scenario', () => {
  let pki: string;
  let request: Uint8Array;

  beforeAll(async () => {
    pki = await sharedTestPki();
    const requester = { issuingAgencyId: 'police-hn', requesterUri: actorFiles(pki, 'police-hn.inv-1').uri };
    request = encodeRequestDocument(
      '0e4b5f1c-6a7d-4e8f-9a0b-1c2d3e4f5a6b',
      { ...aDraftInput(), ...requester },
      new Date(Date.now() - 10_000),
    );
  });

  it('signs a bundle that verifies with the complete plan (the control)', async () => {
    const sut = await signBundle(pki, request, 'police-hn.inv-1', APPROVERS, 'STANDARD');
    expect(() => checkBundle(pki, sut, PLAN)).not.toThrow();
    expect(sut.approvals.map((a) => a.role)).toEqual(['APPROVER_ROLE_SUPERVISOR', 'APPROVER_ROLE_PROSECUTOR']);
    // Each signer's certificate travels once.
    expect(sut.certificates).toHaveLength(3);
  });

  it('one flipped bit in the last approval signature makes it fail verification, and nothing else changes', async () => {
    const control = await signBundle(pki, request, 'police-hn.inv-1', APPROVERS, 'STANDARD');
    const sut = tamperLastApproval(control);
    expect(() => checkBundle(pki, sut, PLAN)).toThrow(/signature/);
    expect(sut.canonicalRequest).toEqual(control.canonicalRequest);
    expect(sut.approvals[0]).toEqual(control.approvals[0]);
    expect(Buffer.compare(sut.approvals[1].signature!.value, control.approvals[1].signature!.value)).not.toBe(0);
    // The control itself is left untouched.
    expect(() => checkBundle(pki, control, PLAN)).not.toThrow();
  });

  it('an incomplete plan is refused by the same check', async () => {
    const sut = await signBundle(pki, request, 'police-hn.inv-1', APPROVERS.slice(0, 1), 'STANDARD');
    expect(() => checkBundle(pki, sut, PLAN)).toThrow();
  });

  it('wraps the bundle in a fresh disclosure task for the provider', async () => {
    const bundle = await signBundle(pki, request, 'police-hn.inv-1', APPROVERS, 'STANDARD');
    const authorisation = { authorisationId: 'a-1', details: { caseReference: 'X' } } as unknown as Authorisation;
    const one = taskOf(authorisation, bundle, 'telco-a');
    const two = taskOf(authorisation, bundle, 'telco-a');
    expect(one).toMatchObject({ authorisationId: 'a-1', providerId: 'telco-a', generation: 1, bundle });
    expect(one.disclosure).toBeTruthy();
    expect(one.taskId).not.toBe(two.taskId);
  });
});
