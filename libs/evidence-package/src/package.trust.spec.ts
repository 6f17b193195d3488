import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { revokeCertificate } from '#evx/pki';
import { privateTestPki, sharedTestPki } from '../../../test/support/test-pki.js';
import { serviceSigner, signedAuthorisation, TIMES } from './testing/package.fixture.js';
import { packageWorkspace } from './testing/package-workspace.js';

// Builds packages with RSA signatures and may wait for the shared dev PKI: more than jest's default 5 s under load.
jest.setTimeout(60_000);

const HOUR = 3_600_000;

/** Builds a package with the given fixture options and verifies it; returns the failure message. */
async function failureOf(
  options: Parameters<typeof packageWorkspace>[0] = {},
  now?: Date,
): Promise<string | undefined> {
  const ws = await packageWorkspace(options);
  try {
    return (await ws.verify(ws.tar, now)).failure?.message;
  } finally {
    ws.cleanup();
  }
}

describe('signers and the trust anchors', () => {
  let pki: string;
  beforeAll(async () => {
    pki = await sharedTestPki();
  });

  it('refuses an origin signed by an adapter revoked before the signing time', async () => {
    expect(await failureOf({ adapter: 'telco-a.revoked' })).toMatch(
      /^origin signature \(evx\/origin\.sig\.json\): certificate evx:\/\/provider\/telco-a\/adapter\/revoked was revoked at .*, before the signing time /,
    );
  });

  it('refuses an approval by the requester themselves', async () => {
    const authorisation = await signedAuthorisation(pki, { approvers: ['police-hn.sup-1', 'police-hn.inv-1'] });
    expect(await failureOf({ authorisation })).toMatch(
      /^approval 2 \(supervisor\) \(evx\/authorisation\/approvals\/02\.json\): signed by the requester evx:\/\/authority\/police-hn\/investigator\/inv-1 itself/,
    );
  });

  it('refuses an approver of another agency', async () => {
    const authorisation = await signedAuthorisation(pki, { approvers: ['police-dn.sup-1'] });
    expect(await failureOf({ authorisation })).toMatch(
      /^approval 1 \(supervisor\) .*of agency police-dn, not the requester's agency police-hn/,
    );
  });

  it('refuses the same approver twice', async () => {
    const authorisation = await signedAuthorisation(pki, { approvers: ['police-hn.sup-1', 'police-hn.sup-1'] });
    expect(await failureOf({ authorisation })).toMatch(/^approval 2 \(supervisor\) .*already decided in approval 1/);
  });

  it('refuses a request signed by someone who is not an investigator', async () => {
    const authorisation = await signedAuthorisation(pki, {
      requester: 'police-hn.sup-1',
      approvers: ['police-hn.judge-1'],
    });
    expect(await failureOf({ authorisation })).toMatch(
      /^request signature .*approver\/sup-1, which is not an investigator/,
    );
  });

  it('refuses an expired and a revoked requester', async () => {
    const expired = await signedAuthorisation(pki, { requester: 'police-hn.expired' });
    expect(await failureOf({ authorisation: expired })).toMatch(
      /^request signature .*is not valid at signing time .*expired at/,
    );
    const revoked = await signedAuthorisation(pki, { requester: 'police-hn.revoked' });
    expect(await failureOf({ authorisation: revoked })).toMatch(
      /^request signature .*revoked-1 was revoked at .*, before the signing time/,
    );
  });

  it('refuses a custody statement not signed by the vault', async () => {
    const custodySigner = await serviceSigner(pki, 'authority-api');
    expect(await failureOf({ custodySigner })).toMatch(
      /^custody signature .*evx:\/\/service\/authority-api, not by the vault service/,
    );
  });

  it('refuses when revocation data is stale at the verification time', async () => {
    const later = new Date(TIMES.receivedAt.getTime() + 60 * 24 * HOUR);
    expect(await failureOf({}, later)).toMatch(/^custody signature .*cannot be established at .*CRL expired/);
  });

  it('refuses a receipt time later than the verification time', async () => {
    const earlier = new Date(TIMES.receivedAt.getTime() - 60_000);
    expect(await failureOf({}, earlier)).toMatch(
      /^custody statement .*"receivedAt" .* is later than the verification time/,
    );
  });
});

describe('revocation after signing', () => {
  it('keeps a signature valid when the certificate was revoked after the signing time, and notes it', async () => {
    const pki = await privateTestPki();
    try {
      const ws = await packageWorkspace({ pki });
      const serial = new X509Certificate(readFileSync(join(pki, 'actors', 'telco-a.main.crt'))).serialNumber;
      await revokeCertificate(pki, 'provider', serial, { now: new Date(TIMES.receivedAt.getTime() + HOUR) });
      const result = await ws.verify(ws.tar, new Date(TIMES.receivedAt.getTime() + 2 * HOUR));
      expect(result.failure).toBeUndefined();
      expect(result.notes.join('\n')).toMatch(
        /^origin statement: certificate evx:\/\/provider\/telco-a\/adapter\/main was revoked at .*, after the signing time .*; the signature stands$/m,
      );
      ws.cleanup();
    } finally {
      rmSync(join(pki, '..'), { recursive: true, force: true });
    }
  });
});
