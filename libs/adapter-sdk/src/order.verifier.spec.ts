import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { TrustStore } from '#evx/pki';
import type { Task } from '#evx/proto';
import { sharedTestPki } from '../../../test/support/test-pki.js';
import { authorityTrust, devAuthorityTrust } from './adapter.credentials.js';
import { OrderRejection, verifyCancelledOrder, verifyTaskOrder } from './order.verifier.js';
import { aSignedTask, anOrder } from './testing/signed-task.fixture.js';

let pki: string;
let trust: TrustStore;
let task: Task;

function rejection(candidate: Task, providerId = 'telco-a'): OrderRejection {
  try {
    verifyTaskOrder(candidate, { trust, providerId });
  } catch (error) {
    if (error instanceof OrderRejection) return error;
    throw error;
  }
  throw new Error('expected the order to be refused');
}

const clone = (t: Task): Task => structuredClone(t);

describe('verifyTaskOrder', () => {
  beforeAll(async () => {
    pki = await sharedTestPki();
    trust = devAuthorityTrust(pki);
    task = await aSignedTask(pki);
  }, 180_000);

  it('accepts an order signed and approved under the authority trust anchors, as its requester wrote it', () => {
    const sut = verifyTaskOrder(task, { trust, providerId: 'telco-a' });
    expect(sut.details.requestDetails.selectors).toEqual([{ selectorId: 's1', kind: 'msisdn', value: '+31612345678' }]);
    expect(sut.verified.approvals).toHaveLength(2);
    expect(sut.requestSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses an unsigned order', () => {
    const unsigned = clone(task);
    unsigned.bundle!.requesterSignature = null;
    expect(rejection(unsigned)).toMatchObject({ ground: 'INCOMPLETE_OR_WRONG_ORDER' });
    expect(rejection(unsigned).explanation).toMatch(/not signed/);
  });

  it('refuses an order whose signed bytes were altered', () => {
    const tampered = clone(task);
    const request = Buffer.from(tampered.bundle!.canonicalRequest);
    tampered.bundle!.canonicalRequest = Buffer.from(request.toString('utf8').replace('+31612345678', '+31612345679'));
    expect(rejection(tampered).explanation).toMatch(/does not verify/);
  });

  it('refuses an order whose readable copy differs from the signed one', () => {
    const altered = clone(task);
    altered.authorisation!.requestDetails!.selectors[0]!.msisdn = '+31600000000';
    expect(rejection(altered).explanation).toMatch(/differs from the signed order/);
  });

  it('refuses an order without approvals', () => {
    const unapproved = clone(task);
    unapproved.bundle!.approvals = [];
    expect(rejection(unapproved).explanation).toMatch(/no signed approval/);
  });

  it('refuses an order whose approvals stop short of the plan its policy requires (traffic data needs a judge)', () => {
    const supervisorOnly = clone(task);
    // The order asks for subscriber and traffic data: supervisor, then judge. Keep only the supervisor's approval.
    supervisorOnly.bundle!.approvals = supervisorOnly.bundle!.approvals.slice(0, 1);
    expect(rejection(supervisorOnly).explanation).toMatch(/not authorised as its policy requires: only 1 of the 2/);
  });

  it("refuses another provider's task", () => {
    expect(rejection(task, 'bank-b').explanation).toMatch(/addressed to provider telco-a, not to bank-b/);
  });

  it('refuses an order when the anchors given are not the ones that issued its signers', () => {
    const read = (path: string) => readFileSync(join(pki, path), 'utf8');
    const foreign = authorityTrust({ root: read('provider/root.crt'), intermediate: read('provider/ca.crt') });
    expect(() => verifyTaskOrder(task, { trust: foreign, providerId: 'telco-a' })).toThrow(OrderRejection);
  });

  it('refuses a preservation task whose signed order is a disclosure', async () => {
    const mislabelled = clone(task);
    mislabelled.preservation = { preservationExpiration: null };
    mislabelled.disclosure = null;
    expect(rejection(mislabelled).explanation).toMatch(/preservation but the signed order is not/);
    expect(anOrder().preservationOnly).toBe(false);
  });

  describe('a cancellation', () => {
    const cancelled = (t: Task): Task => ({
      ...clone(t),
      desiredStatus: 'TASK_DESIRED_STATUS_CANCELLED' as Task['desiredStatus'],
    });

    it("is accepted for this provider's genuinely signed order", () => {
      expect(() => verifyCancelledOrder(cancelled(task), { trust, providerId: 'telco-a' })).not.toThrow();
    });

    it("is refused for another provider's task or an order whose signed bytes were altered", () => {
      expect(() => verifyCancelledOrder(cancelled(task), { trust, providerId: 'bank-b' })).toThrow(OrderRejection);
      const forged = cancelled(task);
      forged.bundle!.canonicalRequest = Buffer.from(
        forged.bundle!.canonicalRequest.toString().replace('telco-a', 'telco-b'),
      );
      expect(() => verifyCancelledOrder(forged, { trust, providerId: 'telco-a' })).toThrow(OrderRejection);
    });
  });
});
