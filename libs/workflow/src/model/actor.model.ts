// Who acts on an order. Mirrors the identities #evx/pki reads from certificates (same kinds and URI parts) without
// importing that lib, so the domain stays free of X.509; approverRoleFromCertificate bridges the one spelling
// difference (pki writes roles in kebab-case, the proto and this lib in proto enum names).
import { EvxError } from '#evx/errors';
import { APPROVER_ROLES, type ApproverRole } from './workflow.vocabulary.js';

export interface InvestigatorActor {
  readonly kind: 'investigator';
  readonly uri: string;
  readonly agency: string;
  readonly id: string;
}

export interface ApproverActor {
  readonly kind: 'approver';
  readonly uri: string;
  readonly agency: string;
  readonly id: string;
  /** The role the approver's certificate grants. */
  readonly role: ApproverRole;
}

export interface AdapterActor {
  readonly kind: 'adapter';
  readonly uri: string;
  readonly provider: string;
}

export interface AuditorActor {
  readonly kind: 'auditor';
  readonly uri: string;
}

/** EVX itself: the scheduler, the dispatcher, the vault's delivery callback. */
export interface ServiceActor {
  readonly kind: 'service';
  readonly uri: string;
}

export type Actor = InvestigatorActor | ApproverActor | AdapterActor | AuditorActor | ServiceActor;

/**
 * The person behind an authority identity: agency and id. An investigator and an approver certificate with the same
 * agency and id are treated as one person, so nobody approves their own order by switching certificates.
 */
export function personKeyOf(actor: { readonly agency: string; readonly id: string }): string {
  return `${actor.agency}/${actor.id}`;
}

/** The person key of an authority identity URI (`evx://authority/<agency>/<kind>/<id>`), or the URI itself. */
export function personKeyOfUri(uri: string): string {
  const match = /^evx:\/\/authority\/([^/]+)\/(?:investigator|approver)\/([^/]+)$/.exec(uri);
  return match ? `${match[1]}/${match[2]}` : uri;
}

/** Maps the role spelling of #evx/pki certificates ('duty-officer') to the proto's ('DUTY_OFFICER'). */
export function approverRoleFromCertificate(role: string): ApproverRole {
  const name = role.toUpperCase().replace(/-/g, '_');
  const found = APPROVER_ROLES.find((candidate) => candidate === name);
  if (found === undefined) {
    throw new EvxError('invalid-argument', `Certificate approver role ${JSON.stringify(role)} is not known.`);
  }
  return found;
}
