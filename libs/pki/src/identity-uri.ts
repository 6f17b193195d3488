import { IdentityError, IdentityErrorCode } from './identity-error.js';

/** Trust domains: each has its own root and intermediate CA, so one domain's CA cannot vouch for another's actors. */
export const DOMAINS = ['authority', 'provider', 'service', 'oversight'] as const;
export type Domain = (typeof DOMAINS)[number];

export const APPROVER_ROLES = ['supervisor', 'prosecutor', 'judge', 'duty-officer'] as const;
export type ApproverRole = (typeof APPROVER_ROLES)[number];

export type IdentityKind = 'investigator' | 'approver' | 'adapter' | 'auditor' | 'service';

export const IDENTITY_URI_SCHEME = 'evx:';

/** One path segment: lowercase so that two spellings can never name the same actor. */
export const SEGMENT_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface InvestigatorUri {
  readonly uri: string;
  readonly domain: 'authority';
  readonly kind: 'investigator';
  readonly agency: string;
  readonly id: string;
}
export interface ApproverUri {
  readonly uri: string;
  readonly domain: 'authority';
  readonly kind: 'approver';
  readonly agency: string;
  readonly id: string;
}
export interface AdapterUri {
  readonly uri: string;
  readonly domain: 'provider';
  readonly kind: 'adapter';
  readonly provider: string;
  readonly name: string;
}
export interface AuditorUri {
  readonly uri: string;
  readonly domain: 'oversight';
  readonly kind: 'auditor';
  readonly body: string;
  readonly id: string;
}
export interface ServiceUri {
  readonly uri: string;
  readonly domain: 'service';
  readonly kind: 'service';
  readonly name: string;
}

/** What the URI alone says; the approver role lives in the certificate, not the URI. */
export type IdentityUriParts = InvestigatorUri | ApproverUri | AdapterUri | AuditorUri | ServiceUri;

/** `Omit` that keeps a union a union (the built-in one collapses it to the shared keys). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export function isDomain(value: string): value is Domain {
  return (DOMAINS as readonly string[]).includes(value);
}

export function isApproverRole(value: string): value is ApproverRole {
  return (APPROVER_ROLES as readonly string[]).includes(value);
}

export function isValidSegment(value: string): boolean {
  return SEGMENT_PATTERN.test(value);
}

const EXPECTED_FORMS =
  'evx://authority/<agency>/investigator/<id>, evx://authority/<agency>/approver/<id>, ' +
  'evx://provider/<provider-id>/adapter/<name>, evx://oversight/<body>/auditor/<id> or evx://service/<name>';

function bad(uri: string, why: string): IdentityError {
  return new IdentityError(
    IdentityErrorCode.BAD_IDENTITY_URI,
    `Identity URI ${JSON.stringify(uri)} is invalid: ${why}. Expected one of ${EXPECTED_FORMS}, ` +
      'with lowercase segments matching [a-z0-9][a-z0-9-]{0,62}; re-issue the certificate with a valid URI.',
  );
}

/**
 * Parses an EVX identity URI. Deliberately a plain string split rather than WHATWG URL parsing:
 * URL normalisation (percent-decoding, dot segments, case folding of the host) would let two
 * different byte strings denote the same actor, and identities are compared as exact strings.
 * @throws IdentityError with code BAD_IDENTITY_URI
 */
export function parseIdentityUri(uri: string): IdentityUriParts {
  const prefix = `${IDENTITY_URI_SCHEME}//`;
  if (typeof uri !== 'string' || !uri.startsWith(prefix)) {
    throw bad(String(uri), `it does not start with ${prefix}`);
  }
  const segments = uri.slice(prefix.length).split('/');
  const invalid = segments.find((segment) => !isValidSegment(segment));
  if (invalid !== undefined) {
    throw bad(uri, `segment ${JSON.stringify(invalid)} is not a lowercase [a-z0-9-] name of 1 to 63 characters`);
  }
  const [domain, first, kind, last] = segments;
  if (domain === 'service') {
    if (segments.length !== 2) throw bad(uri, 'a service URI has exactly one name segment');
    return { uri, domain, kind: 'service', name: first };
  }
  if (segments.length !== 4) throw bad(uri, `domain ${JSON.stringify(domain)} URIs have exactly four segments`);
  if (domain === 'authority' && (kind === 'investigator' || kind === 'approver')) {
    return { uri, domain, kind, agency: first, id: last };
  }
  if (domain === 'provider' && kind === 'adapter') return { uri, domain, kind, provider: first, name: last };
  if (domain === 'oversight' && kind === 'auditor') return { uri, domain, kind, body: first, id: last };
  throw bad(uri, `${JSON.stringify(domain)}/${JSON.stringify(kind)} is not a known domain and actor kind`);
}

/** Builds the URI for parts; validates by round-tripping through the parser. */
export function formatIdentityUri(parts: DistributiveOmit<IdentityUriParts, 'uri'>): string {
  let uri: string;
  switch (parts.kind) {
    case 'investigator':
    case 'approver':
      uri = `evx://authority/${parts.agency}/${parts.kind}/${parts.id}`;
      break;
    case 'adapter':
      uri = `evx://provider/${parts.provider}/adapter/${parts.name}`;
      break;
    case 'auditor':
      uri = `evx://oversight/${parts.body}/auditor/${parts.id}`;
      break;
    case 'service':
      uri = `evx://service/${parts.name}`;
      break;
  }
  parseIdentityUri(uri);
  return uri;
}
