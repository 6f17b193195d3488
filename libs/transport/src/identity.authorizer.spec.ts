import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EvxError } from '#evx/errors';
import { TrustStore } from '#evx/pki';
import { sharedTestPki } from '../../../test/support/test-pki.js';
import { authorizeCertificate, type AccessPolicy } from './identity.authorizer.js';

const AUTHORITY_API: AccessPolicy = { service: 'authority-api', allowedDomains: ['authority', 'oversight'] };

let pki: string;
let trust: TrustStore;

const cert = (file: string) => readFileSync(join(pki, 'actors', `${file}.crt`));

function refusal(fn: () => unknown): EvxError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EvxError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  pki = await sharedTestPki();
  trust = TrustStore.fromDirectory(pki);
}, 120_000);

describe('authorizeCertificate', () => {
  it('admits an investigator of an admitted domain and returns its identity', () => {
    const identity = authorizeCertificate(cert('police-hn.inv-1'), trust, AUTHORITY_API, ['investigator']);
    expect(identity).toMatchObject({
      uri: 'evx://authority/police-hn/investigator/inv-1',
      kind: 'investigator',
      agency: 'police-hn',
    });
  });

  it('admits an approver by role rule and refuses another role', () => {
    const judge = authorizeCertificate(cert('police-hn.judge-1'), trust, AUTHORITY_API, ['approver:judge']);
    expect(judge).toMatchObject({ kind: 'approver', role: 'judge' });
    const e = refusal(() => authorizeCertificate(cert('police-hn.sup-1'), trust, AUTHORITY_API, ['approver:judge']));
    expect(e.kind).toBe('permission-denied');
    expect(e.code).toBe('WRONG_ROLE');
    expect(e.message).toContain('approver, supervisor');
  });

  it('refuses the wrong kind with permission-denied naming what is allowed', () => {
    const e = refusal(() =>
      authorizeCertificate(cert('dpa.aud-1'), trust, AUTHORITY_API, ['investigator', 'approver']),
    );
    expect(e.kind).toBe('permission-denied');
    expect(e.message).toContain('allowed: investigator, approver');
  });

  it('refuses an identity from a trust domain the service does not serve', () => {
    const e = refusal(() => authorizeCertificate(cert('telco-a.main'), trust, AUTHORITY_API, undefined));
    expect(e.kind).toBe('permission-denied');
    expect(e.code).toBe('WRONG_TRUST_DOMAIN');
    expect(e.message).toContain('provider trust domain');
  });

  it('refuses a missing certificate as unauthenticated', () => {
    const e = refusal(() => authorizeCertificate(undefined, trust, AUTHORITY_API, undefined));
    expect(e.kind).toBe('unauthenticated');
    expect(e.code).toBe('NO_CLIENT_CERTIFICATE');
  });

  it('refuses an expired certificate as unauthenticated', () => {
    const e = refusal(() => authorizeCertificate(cert('police-hn.expired'), trust, AUTHORITY_API, undefined));
    expect(e.kind).toBe('unauthenticated');
    expect(e.code).toBe('CERT_EXPIRED');
  });

  it('refuses a revoked certificate as unauthenticated', () => {
    const e = refusal(() => authorizeCertificate(cert('police-hn.revoked'), trust, AUTHORITY_API, undefined));
    expect(e.kind).toBe('unauthenticated');
    expect(e.code).toBe('CERT_REVOKED');
  });

  it('refuses garbage bytes as unauthenticated, not as an internal error', () => {
    const e = refusal(() => authorizeCertificate(Buffer.from('not a certificate'), trust, AUTHORITY_API, undefined));
    expect(e.kind).toBe('unauthenticated');
    expect(e.code).toBe('CERT_MALFORMED_CERTIFICATE');
  });
});
