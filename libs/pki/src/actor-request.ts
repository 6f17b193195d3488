import {
  APPROVER_ROLES,
  type ApproverRole,
  type Domain,
  type IdentityKind,
  formatIdentityUri,
  isApproverRole,
  isValidSegment,
} from './identity-uri.js';
import { PkiError, PkiErrorCode } from './pki-error.js';
import type { SubjectSpec } from './dev-ca.js';

/** Roles accepted by `evx certs issue --role`; approver roles become the certificate's OU. */
export const ACTOR_ROLES = ['investigator', ...APPROVER_ROLES, 'auditor', 'adapter'] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];

/**
 * What to issue, in the shape of the CLI flags. Loose on purpose (plain strings): it is filled
 * from argv and JSON, and resolveActor() validates it with messages that name the bad flag.
 */
export interface ActorRequest {
  readonly role: string;
  /** Optional cross-check: must match the domain the role implies. */
  readonly domain?: string;
  readonly agency?: string;
  readonly provider?: string;
  readonly body?: string;
  /** Actor id, or the adapter name for role "adapter". */
  readonly id: string;
  /** File name stem under actors/; defaults to "<agency|provider|body>.<id>". */
  readonly file?: string;
}

export interface ResolvedActor {
  readonly uri: string;
  readonly domain: Domain;
  readonly kind: IdentityKind;
  readonly role?: ApproverRole;
  readonly file: string;
  readonly subject: SubjectSpec;
}

function badRequest(message: string): PkiError {
  return new PkiError(PkiErrorCode.BAD_REQUEST, message);
}

function segment(flag: string, value: string | undefined, role: string): string {
  if (value === undefined || value === '') throw badRequest(`--${flag} is required for role ${role}.`);
  if (!isValidSegment(value)) {
    throw badRequest(`--${flag} ${JSON.stringify(value)} must be lowercase letters, digits and '-', 1 to 63 characters, starting with a letter or digit.`);
  }
  return value;
}

function forbid(request: ActorRequest, allowed: 'agency' | 'provider' | 'body'): void {
  for (const flag of ['agency', 'provider', 'body'] as const) {
    if (flag !== allowed && request[flag] !== undefined) {
      throw badRequest(`--${flag} does not apply to role ${request.role}; use --${allowed}.`);
    }
  }
}

export function resolveActor(request: ActorRequest): ResolvedActor {
  const { role } = request;
  let resolved: Omit<ResolvedActor, 'file'> & { readonly owner: string; readonly id: string };
  if (role === 'investigator' || isApproverRole(role)) {
    forbid(request, 'agency');
    const agency = segment('agency', request.agency, role);
    const id = segment('id', request.id, role);
    const kind = role === 'investigator' ? 'investigator' : 'approver';
    resolved = {
      uri: formatIdentityUri({ domain: 'authority', kind, agency, id }),
      domain: 'authority',
      kind,
      ...(isApproverRole(role) ? { role } : {}),
      owner: agency,
      id,
      subject: { commonName: id, organization: agency, organizationalUnits: isApproverRole(role) ? [role] : [] },
    };
  } else if (role === 'auditor') {
    forbid(request, 'body');
    const body = segment('body', request.body, role);
    const id = segment('id', request.id, role);
    resolved = {
      uri: formatIdentityUri({ domain: 'oversight', kind: 'auditor', body, id }),
      domain: 'oversight',
      kind: 'auditor',
      owner: body,
      id,
      subject: { commonName: id, organization: body },
    };
  } else if (role === 'adapter') {
    forbid(request, 'provider');
    const provider = segment('provider', request.provider, role);
    const name = segment('id', request.id, role);
    resolved = {
      uri: formatIdentityUri({ domain: 'provider', kind: 'adapter', provider, name }),
      domain: 'provider',
      kind: 'adapter',
      owner: provider,
      id: name,
      subject: { commonName: name, organization: provider },
    };
  } else {
    throw badRequest(`--role ${JSON.stringify(role)} is not one of ${ACTOR_ROLES.join(', ')}.`);
  }
  if (request.domain !== undefined && request.domain !== resolved.domain) {
    throw badRequest(`--domain ${request.domain} contradicts role ${role}, which belongs to domain ${resolved.domain}.`);
  }
  const file = request.file ?? `${resolved.owner}.${resolved.id}`;
  // The file stem becomes a path component: keep it to the same safe alphabet plus dots.
  if (!/^[a-z0-9][a-z0-9.-]{0,127}$/.test(file)) {
    throw badRequest(`File name ${JSON.stringify(file)} must be lowercase letters, digits, '.' and '-'.`);
  }
  return { uri: resolved.uri, domain: resolved.domain, kind: resolved.kind, ...(resolved.role ? { role: resolved.role } : {}), file, subject: resolved.subject };
}
