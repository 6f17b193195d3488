// Who signed, judged at the signing time (docs/package-format.md §10). #evx/pki answers "is this certificate good
// now?"; a package must be judged when it was signed, years before a court reads it: a certificate revoked after
// the signature still vouches for it, one revoked before does not.
import {
  IdentityError,
  IdentityErrorCode,
  identityFromCertificate,
  isApproverRole,
  normalizeSerial,
  parseIdentityUri,
  type ApproverRole,
  type IdentityUriParts,
  type RevocationStatus,
  type TrustStore,
} from '#evx/pki';
import { evxUriOf, organizationalUnitsOf, parseCertificate, publicKeySha256Of } from './certificate.util.js';

/** A certificate that cannot vouch for a signature; the message says why, for people. */
export class TrustError extends Error {
  override readonly name = 'TrustError';
}

export type SignerIdentity = IdentityUriParts & {
  readonly role?: ApproverRole;
  readonly serialNumber: string;
  /** SHA-256 of the public key (SPKI DER), hex: the same key under two certificates is the same signer. */
  readonly keyFingerprint: string;
  /** Set when the certificate was revoked after the signing time (the signature stands). */
  readonly revokedAt?: Date;
};

/**
 * Checks the signer's certificate against the trust folder at `signingTime`: issued by the intermediate CA of the
 * domain its URI names, within its validity window, and not revoked at or before that time. Revocation knowledge
 * itself must be current at `now` (the CRL not expired), or nothing can be said and the signer is refused.
 * @throws TrustError
 */
export function signerIdentityAt(der: Uint8Array, trust: TrustStore, signingTime: Date, now: Date): SignerIdentity {
  const certificate = parseCertificate(der, 'the signer certificate');
  const serialNumber = normalizeSerial(certificate.serialNumber);
  const keyFingerprint = publicKeySha256Of(der);
  let parts: IdentityUriParts;
  let role: ApproverRole | undefined;
  let revokedAt: Date | undefined;
  try {
    const identity = identityFromCertificate(Buffer.from(der), trust, signingTime);
    parts = identity;
    role = identity.kind === 'approver' ? identity.role : undefined;
  } catch (error) {
    if (!(error instanceof IdentityError)) throw error;
    const uri = safeUri(der);
    if (error.code !== IdentityErrorCode.REVOKED || uri === undefined) {
      throw new TrustError(
        `certificate ${uri ?? '(no evx:// identity)'} is not valid at signing time ${iso(signingTime)}: ${error.message}`,
      );
    }
    // identityFromCertificate reports any CRL entry as revoked, whatever its date: decide by the date here. Every
    // check it makes before revocation (issuer, domain, validity) has passed when it gets that far.
    parts = parseIdentityUri(uri);
    revokedAt = revokedOnlyAfter(trust, parts, serialNumber, signingTime, now);
    role = parts.kind === 'approver' ? approverRole(der, uri) : undefined;
  }
  requireCurrentRevocationData(trust, parts, serialNumber, now);
  return { ...parts, serialNumber, keyFingerprint, ...(role ? { role } : {}), ...(revokedAt ? { revokedAt } : {}) };
}

function revokedOnlyAfter(
  trust: TrustStore,
  parts: IdentityUriParts,
  serial: string,
  signingTime: Date,
  now: Date,
): Date {
  const intermediate = trust.cas(parts.domain)?.intermediate.serial ?? '';
  const statuses: [string, RevocationStatus][] = [
    [`certificate ${parts.uri}`, trust.revocationStatus(parts.domain, serial, now)],
    [`the ${parts.domain} intermediate CA`, trust.revocationStatus(parts.domain, intermediate, now, 'root')],
  ];
  let latest: Date | undefined;
  for (const [what, status] of statuses) {
    if (status.status === 'unknown')
      throw new TrustError(`the revocation status of ${what} is unknown: ${status.reason}`);
    if (status.status !== 'revoked') continue;
    if (status.revokedAt.getTime() <= signingTime.getTime()) {
      throw new TrustError(
        `${what} was revoked at ${iso(status.revokedAt)}, before the signing time ${iso(signingTime)}`,
      );
    }
    latest = status.revokedAt;
  }
  if (latest === undefined) throw new TrustError(`certificate ${parts.uri}: revocation could not be dated`);
  return latest;
}

/** Both CRLs on the signer's path (the intermediate's, the root's) must be current at the verification time. */
function requireCurrentRevocationData(trust: TrustStore, parts: IdentityUriParts, serial: string, now: Date): void {
  const intermediate = trust.cas(parts.domain)?.intermediate.serial ?? '';
  const statuses = [
    trust.revocationStatus(parts.domain, serial, now),
    trust.revocationStatus(parts.domain, intermediate, now, 'root'),
  ];
  for (const status of statuses) {
    if (status.status === 'unknown') {
      throw new TrustError(
        `the revocation status of certificate ${parts.uri} cannot be established at ${iso(now)}: ${status.reason}`,
      );
    }
  }
}

function approverRole(der: Uint8Array, uri: string): ApproverRole {
  const units = organizationalUnitsOf(der);
  const [unit] = units;
  if (units.length !== 1 || unit === undefined || !isApproverRole(unit)) {
    throw new TrustError(`approver ${uri} does not carry exactly one approver role in its subject OU`);
  }
  return unit;
}

function safeUri(der: Uint8Array): string | undefined {
  try {
    return evxUriOf(der);
  } catch {
    return undefined;
  }
}

function iso(date: Date): string {
  return date.toISOString();
}
