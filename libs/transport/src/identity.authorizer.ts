import { EvxError } from '#evx/errors';
import {
  IdentityError,
  identityFromCertificate,
  type Identity,
  type Domain as TrustDomain,
  type TrustStore,
} from '#evx/pki';
import type { AllowRule } from './access.decorators.js';

/** Which trust domains a service admits at all (authority-api: authority + oversight, ...). */
export interface AccessPolicy {
  service: string;
  allowedDomains: readonly TrustDomain[];
}

export const ACCESS_POLICY = Symbol('evx:access-policy');
export const TRUST_STORE = Symbol('evx:trust-store');

/**
 * The single decision both transport guards delegate to: certificate → identity (trust domain, validity,
 * revocation) → service trust policy → handler rules. Throws EvxError with unauthenticated / permission-denied.
 */
export function authorizeCertificate(
  certificate: Buffer | undefined,
  trust: TrustStore,
  policy: AccessPolicy,
  rules: readonly AllowRule[] | undefined,
  now: Date = new Date(),
): Identity {
  if (!certificate || certificate.length === 0) {
    throw new EvxError(
      'unauthenticated',
      'no client certificate: connect with mutual TLS and your EVX certificate',
      'NO_CLIENT_CERTIFICATE',
    );
  }
  let identity: Identity;
  try {
    identity = identityFromCertificate(certificate, trust, now);
  } catch (error) {
    if (error instanceof IdentityError) throw new EvxError('unauthenticated', error.message, `CERT_${error.code}`);
    throw error;
  }
  if (!policy.allowedDomains.includes(identity.domain)) {
    throw new EvxError(
      'permission-denied',
      `${identity.uri} belongs to the ${identity.domain} trust domain; ${policy.service} serves only ${policy.allowedDomains.join(', ')} identities`,
      'WRONG_TRUST_DOMAIN',
    );
  }
  if (rules && rules.length > 0 && !rules.some((rule) => matches(identity, rule))) {
    throw new EvxError(
      'permission-denied',
      `${identity.uri} (${describe(identity)}) may not do this; allowed: ${rules.join(', ')}`,
      'WRONG_ROLE',
    );
  }
  return identity;
}

function matches(identity: Identity, rule: AllowRule): boolean {
  if (rule.startsWith('approver:')) {
    return identity.kind === 'approver' && identity.role === rule.slice('approver:'.length);
  }
  if (rule.startsWith('service:')) {
    return identity.kind === 'service' && identity.name === rule.slice('service:'.length);
  }
  return identity.kind === rule;
}

function describe(identity: Identity): string {
  return identity.kind === 'approver' ? `approver, ${identity.role}` : identity.kind;
}
