import { X509Certificate } from 'node:crypto';
import { IdentityError, IdentityErrorCode } from './identity-error.js';
import {
  type AdapterUri,
  APPROVER_ROLES,
  type ApproverRole,
  type ApproverUri,
  type AuditorUri,
  DOMAINS,
  type Domain,
  type IdentityUriParts,
  type InvestigatorUri,
  type ServiceUri,
  isApproverRole,
  parseIdentityUri,
} from './identity-uri.js';
import { normalizeSerial } from './serial.js';
import type { TrustStore, TrustedCa } from './trust-store.js';
import { type ParsedCertificate, parsedCertificate } from './certificate-cache.js';
import { x509 } from './x509-runtime.js';

/** Facts about the certificate an identity was read from (for audit records and logs). */
export interface CertificateFacts {
  /** Canonical serial: lowercase hex of the integer, no separators or leading zeros (normalizeSerial). */
  readonly serialNumber: string;
  /** Issuer DN, RFC 4514 style ("CN=..., O=..."). */
  readonly issuer: string;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-256 fingerprint as Node formats it ("AB:CD:..."), same as TLSSocket#getPeerCertificate(). */
  readonly fingerprint256: string;
}

export type InvestigatorIdentity = InvestigatorUri & CertificateFacts;
export type ApproverIdentity = ApproverUri & CertificateFacts & { readonly role: ApproverRole };
export type AdapterIdentity = AdapterUri & CertificateFacts;
export type AuditorIdentity = AuditorUri & CertificateFacts;
export type ServiceIdentity = ServiceUri & CertificateFacts;

/** A verified EVX actor; discriminate on `kind` (or `domain`). */
export type Identity = InvestigatorIdentity | ApproverIdentity | AdapterIdentity | AuditorIdentity | ServiceIdentity;

export type CertificateInput = Buffer | Uint8Array | string | null | undefined;

const OID_ORGANIZATIONAL_UNIT = '2.5.4.11';

function refuse(code: IdentityErrorCode, message: string): never {
  throw new IdentityError(code, message);
}

function parseCertificate(input: CertificateInput): ParsedCertificate {
  if (input === null || input === undefined || input.length === 0) {
    refuse(
      IdentityErrorCode.NO_CERTIFICATE,
      'No client certificate was presented. Connect with mutual TLS using the certificate and key issued to you (certs-dev/out/actors/<name>.crt/.key in development).',
    );
  }
  try {
    if (typeof input === 'string' && !input.includes('-----BEGIN CERTIFICATE-----'))
      throw new Error('not a PEM certificate');
    // Node's X509Certificate, and a second, structural parse for SANs and subject attributes: Node only offers
    // them as display strings, whose escaping is not a safe basis for an access decision. Both are memoised by
    // the SHA-256 of the bytes (certificate-cache.ts).
    return parsedCertificate(input);
  } catch (error) {
    return refuse(
      IdentityErrorCode.MALFORMED_CERTIFICATE,
      `The client certificate could not be parsed (${(error as Error).message}); present a DER or PEM X.509 certificate.`,
    );
  }
}

function identityUriOf(parsed: InstanceType<typeof x509.X509Certificate>): IdentityUriParts {
  const san = parsed.getExtension(x509.SubjectAlternativeNameExtension);
  const uris = (san?.names.items ?? []).filter((name) => name.type === 'url').map((name) => name.value);
  // Scheme comparison is case-insensitive (RFC 3986), so "EVX://..." counts, and then fails parsing.
  const evxUris = uris.filter((uri) => uri.toLowerCase().startsWith('evx:'));
  if (evxUris.length === 0) {
    refuse(
      IdentityErrorCode.NO_IDENTITY_URI,
      'The certificate carries no evx:// URI in its subjectAltName, so it names no EVX actor. Use a certificate issued by the EVX PKI (npx evx certs issue ...).',
    );
  }
  if (evxUris.length > 1) {
    refuse(
      IdentityErrorCode.MULTIPLE_IDENTITY_URIS,
      `The certificate carries ${evxUris.length} evx:// URIs (${evxUris.join(', ')}); exactly one is allowed so that the actor is unambiguous. Re-issue it with a single identity.`,
    );
  }
  return parseIdentityUri(evxUris[0]);
}

function issuedBy(leaf: X509Certificate, ca: TrustedCa): boolean {
  return leaf.checkIssued(ca.certificate) && leaf.verify(ca.certificate.publicKey);
}

/** Which trust domain's CA (root or intermediate) actually signed this certificate, if any. */
function signingDomain(
  leaf: X509Certificate,
  trust: TrustStore,
): { domain: Domain; level: 'root' | 'intermediate' } | undefined {
  for (const domain of DOMAINS) {
    const cas = trust.cas(domain);
    if (!cas) continue;
    if (issuedBy(leaf, cas.intermediate)) return { domain, level: 'intermediate' };
    if (issuedBy(leaf, cas.root)) return { domain, level: 'root' };
  }
  return undefined;
}

function checkIssuer(leaf: X509Certificate, parts: IdentityUriParts, trust: TrustStore): TrustedCa {
  const cas = trust.cas(parts.domain);
  if (cas && issuedBy(leaf, cas.intermediate)) return cas.intermediate;
  const actual = signingDomain(leaf, trust);
  if (actual && actual.domain !== parts.domain) {
    refuse(
      IdentityErrorCode.DOMAIN_MISMATCH,
      `The certificate claims ${parts.uri} (trust domain "${parts.domain}") but was issued by the ${actual.domain} ${actual.level} CA. ` +
        `A ${parts.domain} identity must be issued by the ${parts.domain} intermediate CA; request a certificate from that CA.`,
    );
  }
  if (!cas) {
    refuse(
      IdentityErrorCode.UNTRUSTED_ISSUER,
      `This service does not trust the "${parts.domain}" domain (no anchors loaded), so ${parts.uri} cannot be accepted here.`,
    );
  }
  refuse(
    IdentityErrorCode.UNTRUSTED_ISSUER,
    `The certificate for ${parts.uri} was not issued by the ${parts.domain} intermediate CA ("${cas.intermediate.subject}")` +
      `${actual ? ' but directly by its root' : ''}; request a certificate from the EVX ${parts.domain} CA.`,
  );
}

function checkValidity(what: string, notBefore: Date, notAfter: Date, now: Date): void {
  if (now.getTime() < notBefore.getTime()) {
    refuse(
      IdentityErrorCode.NOT_YET_VALID,
      `${what} is not valid before ${notBefore.toISOString()} (now ${now.toISOString()}); check the clocks or wait until then.`,
    );
  }
  if (now.getTime() > notAfter.getTime()) {
    refuse(IdentityErrorCode.EXPIRED, `${what} expired at ${notAfter.toISOString()}; request a new certificate.`);
  }
}

function checkRevocation(
  trust: TrustStore,
  domain: Domain,
  serial: string,
  what: string,
  now: Date,
  level: 'root' | 'intermediate',
): void {
  const status = trust.revocationStatus(domain, serial, now, level);
  if (status.status === 'revoked') {
    refuse(
      IdentityErrorCode.REVOKED,
      `${what} (serial ${serial}) was revoked at ${status.revokedAt.toISOString()}; it can no longer be used. Request a new certificate.`,
    );
  }
  if (status.status === 'unknown') {
    refuse(
      IdentityErrorCode.REVOCATION_UNKNOWN,
      `The revocation status of ${what} cannot be established (${status.reason}), so it is refused. ` +
        'Publish a current CRL for the domain (in development: npm run certs:dev re-signs stale CRLs).',
    );
  }
}

function approverRole(parsed: InstanceType<typeof x509.X509Certificate>, uri: string): ApproverRole {
  const units = parsed.subjectName.getField(OID_ORGANIZATIONAL_UNIT);
  const expected = APPROVER_ROLES.join(', ');
  if (units.length === 0) {
    refuse(
      IdentityErrorCode.MISSING_ROLE,
      `Approver ${uri} has no role: its certificate subject must carry exactly one OU of ${expected}. Re-issue it with --role.`,
    );
  }
  const [unit] = units;
  if (units.length > 1 || !isApproverRole(unit)) {
    refuse(
      IdentityErrorCode.INVALID_ROLE,
      `Approver ${uri} has role OU ${units.map((value) => JSON.stringify(value)).join(', ')}; exactly one of ${expected} is required. Re-issue it with --role.`,
    );
  }
  return unit;
}

/**
 * What a certificate says about its holder, derived once per certificate (ParsedCertificate.memo): nothing here
 * depends on the time, the CRLs or a trust store. A refused role is kept as the refusal, thrown only after the
 * per-call checks so that the order of checks (and so which refusal a caller sees) is as without a cache.
 */
interface CertificateShape {
  readonly parts: IdentityUriParts;
  readonly facts: CertificateFacts;
  readonly isCa: boolean;
  readonly role: ApproverRole | IdentityError | undefined;
  /** Trust stores whose CA (returned) is proven to have signed this certificate; CAs are fixed per store. */
  readonly issuers: WeakMap<TrustStore, TrustedCa>;
}

function shapeOf(certificate: ParsedCertificate): CertificateShape {
  return certificate.memo('evx:identity-shape', () => {
    const { node, structure } = certificate;
    const parts = identityUriOf(structure);
    let role: ApproverRole | IdentityError | undefined;
    if (parts.kind === 'approver') {
      try {
        role = approverRole(structure, parts.uri);
      } catch (error) {
        if (!(error instanceof IdentityError)) throw error;
        role = error;
      }
    }
    const facts: CertificateFacts = Object.freeze({
      serialNumber: normalizeSerial(node.serialNumber),
      issuer: structure.issuer,
      subject: structure.subject,
      notBefore: structure.notBefore,
      notAfter: structure.notAfter,
      fingerprint256: node.fingerprint256,
    });
    return { parts: Object.freeze({ ...parts }), facts, isCa: node.ca, role, issuers: new WeakMap() };
  });
}

/**
 * Verifies a client certificate and returns the EVX identity it proves. Checks, in order: one
 * evx:// URI SAN that parses; signed by the intermediate CA of the very domain the URI names
 * (another domain's CA cannot vouch for it); an end-entity certificate; validity of the leaf and
 * its CAs at `now`; the leaf and its intermediate are not revoked (fails closed if the CRL is
 * missing or expired); approvers carry a role.
 *
 * The TLS handshake already verified the chain if the server used rootsPem/crlsPem; this check
 * is what binds the certificate to a trust domain, and it is enforced even if TLS was not.
 *
 * The parse, the identity URI, the role and the issuer's signature are computed once per certificate (by the
 * SHA-256 of its bytes, in a bounded LRU) and per trust store; validity at `now` and revocation against the store's
 * current CRLs are checked on every call.
 * @throws IdentityError
 */
export function identityFromCertificate(
  certificate: CertificateInput,
  trust: TrustStore,
  now: Date = new Date(),
): Identity {
  const parsed = parseCertificate(certificate);
  const shape = shapeOf(parsed);
  const { parts, facts } = shape;
  let issuer = shape.issuers.get(trust);
  if (!issuer) {
    issuer = checkIssuer(parsed.node, parts, trust);
    shape.issuers.set(trust, issuer);
  }
  if (shape.isCa) {
    refuse(
      IdentityErrorCode.NOT_END_ENTITY,
      `The certificate for ${parts.uri} is a CA certificate; actors must use an end-entity certificate.`,
    );
  }
  const cas = trust.cas(parts.domain);
  checkValidity(`The certificate of ${parts.uri}`, facts.notBefore, facts.notAfter, now);
  if (cas) {
    checkValidity(`The ${parts.domain} intermediate CA`, cas.intermediate.notBefore, cas.intermediate.notAfter, now);
    checkValidity(`The ${parts.domain} root CA`, cas.root.notBefore, cas.root.notAfter, now);
  }
  trust.refreshIfDue();
  checkRevocation(trust, parts.domain, facts.serialNumber, `The certificate of ${parts.uri}`, now, 'intermediate');
  checkRevocation(trust, parts.domain, issuer.serial, `The ${parts.domain} intermediate CA`, now, 'root');

  // Fresh objects (and dates) for every caller: nothing a caller does to its identity can reach the cache.
  const own = { ...parts, ...facts, notBefore: new Date(facts.notBefore), notAfter: new Date(facts.notAfter) };
  if (parts.kind === 'approver') {
    if (shape.role instanceof IdentityError) throw new IdentityError(shape.role.code, shape.role.message);
    return { ...own, role: shape.role as ApproverRole } as ApproverIdentity;
  }
  return own as Identity;
}
