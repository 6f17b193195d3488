// What each `evx request …` command does, as functions the commander actions (and tests) call. The caller signs
// with its OWN key, read from its PEM files; the gateway only checks the signature against the TLS certificate the
// call arrives with, so the same identity must be used for the call and the signature.
import { randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { signApprovalValue, signRequestValue, type ActorKey } from '#evx/authorisation';
import type { ApprovalDecision, ApprovalKind, ApproverRole } from '#evx/workflow';
import {
  ApiError,
  getJson,
  postJson,
  resolveIdentity,
  UsageError,
  type ClientIdentity,
} from '../../authority-api.http-client.js';

/** How to reach authority-api and as whom: `--as` (dev identity) or `--cert/--key`. */
export interface RequestConnection {
  certs: string;
  as?: string;
  cert?: string;
  key?: string;
  url: string;
}

/** The REST view of one order (authority-api `request.http-view.ts`). */
export interface RequestView {
  authorisationId: string;
  generation: number;
  status: string;
  desiredStatus: string;
  statusReason: string;
  caseReference: string;
  issuingAgencyId: string;
  requesterUri: string;
  urgency: string;
  targetProviderId: string;
  requestTypes: string[];
  emergencyValidation?: { status: string; validationDueAt: string };
  evidenceSealed: boolean;
  canonicalRequest?: string;
  requestSha256?: string;
  approvals?: Array<{
    approverUri: string;
    role: string;
    kind: string;
    decision: string;
    reason: string;
    decidedAt: string;
  }>;
  createdAt: string;
  lastChanged: string;
}

export interface RequestSummary {
  id: string;
  caseReference: string;
  agency: string;
  urgency: string;
  status: string;
  generation: number;
  targetProvider: string;
  createdAt: string;
  updatedAt: string;
}

/** 1 when the server refused (its message says what to fix), 2 for usage and I/O problems. */
export function requestExitCode(error: unknown): 1 | 2 {
  return error instanceof ApiError ? 1 : 2;
}

export function identityOf(opts: RequestConnection): ClientIdentity {
  if (!opts.as && !opts.cert)
    throw new UsageError('say who you are: --as <identity> (e.g. police-hn.sup-1) or --cert <file> --key <file>');
  return resolveIdentity({ certs: resolve(opts.certs), as: opts.as ?? '', cert: opts.cert, key: opts.key });
}

const actorKey = (identity: ClientIdentity): ActorKey => ({
  certificatePem: identity.certPem,
  privateKeyPem: identity.keyPem,
});

const orderPath = (id: string, action = '') => `/v1/requests/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;

function requireReason(reason: string | undefined, what: string): string {
  if (!reason?.trim()) throw new UsageError(`${what} needs --reason <text>: it is signed and kept with the order`);
  return reason;
}

/** The canonical request to sign; absent only for auditors, who cannot act on orders anyway. */
function canonicalRequestOf(view: RequestView): Uint8Array {
  if (!view.canonicalRequest)
    throw new UsageError(`order ${view.authorisationId}: this identity cannot see what to sign`);
  return new Uint8Array(Buffer.from(view.canonicalRequest, 'base64'));
}

/**
 * The order file: either the whole create body `{idempotencyKey?, details}` or just the `details` (the REST shape
 * of docs/requests.md). A missing or unparsable file is a usage error, not a refusal.
 */
function readOrderFile(file: string): { idempotencyKey?: string; details: unknown } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError(`${file} must hold a JSON object: the order details, or {"idempotencyKey", "details"}`);
  const body = parsed as { idempotencyKey?: unknown; details?: unknown };
  if (body.details === undefined) return { details: parsed };
  return {
    ...(typeof body.idempotencyKey === 'string' ? { idempotencyKey: body.idempotencyKey } : {}),
    details: body.details,
  };
}

/** Creates a draft; without a key a fresh one is used (printed, so a retry after a lost answer can replay it). */
export async function createRequest(
  opts: RequestConnection & { file: string; idempotencyKey?: string },
): Promise<RequestView & { idempotencyKey: string }> {
  const order = readOrderFile(opts.file);
  const identity = identityOf(opts);
  const idempotencyKey = opts.idempotencyKey ?? order.idempotencyKey ?? randomUUID();
  const view = await postJson<RequestView>(
    opts.url,
    '/v1/requests',
    { idempotencyKey, details: order.details },
    identity,
  );
  return { ...view, idempotencyKey };
}

export async function showRequest(opts: RequestConnection & { id: string }): Promise<RequestView> {
  return getJson<RequestView>(opts.url, orderPath(opts.id), identityOf(opts));
}

/** Signs the canonical request the server built at create, with the requester's own key, and submits it. */
export async function submitRequest(opts: RequestConnection & { id: string }): Promise<RequestView> {
  const identity = identityOf(opts);
  const view = await getJson<RequestView>(opts.url, orderPath(opts.id), identity);
  const signature = await signRequestValue(canonicalRequestOf(view), actorKey(identity));
  return postJson<RequestView>(
    opts.url,
    orderPath(opts.id, 'submit'),
    { expectedGeneration: view.generation, signature: Buffer.from(signature).toString('base64') },
    identity,
  );
}

export type DecisionCommand = 'approve' | 'reject' | 'validate';

export interface DecideOptions extends RequestConnection {
  id: string;
  reason?: string;
  /** The approver role to decide in; default: the one the certificate grants (its subject OU). */
  role?: string;
  /** validate only: refuse validation (seals the evidence) instead of validating. */
  reject?: boolean;
}

/** `supervisor` / `duty-officer` in the certificate's OU → `SUPERVISOR` / `DUTY_OFFICER` in the API. */
function roleOf(identity: ClientIdentity, given: string | undefined): ApproverRole {
  const ou = /^OU=(.+)$/m.exec(new X509Certificate(identity.certPem).subject)?.[1];
  const role = (given ?? ou)?.trim().toUpperCase().replace(/-/g, '_');
  if (!role)
    throw new UsageError(
      'this certificate grants no approver role; give --role SUPERVISOR|PROSECUTOR|JUDGE|DUTY_OFFICER',
    );
  // Not checked against the list here: the server names what is wrong, in the same words for every client.
  return role as ApproverRole;
}

function identityUriOf(identity: ClientIdentity): string {
  const uri = /URI:(evx:\/\/[^,\s]+)/.exec(new X509Certificate(identity.certPem).subjectAltName ?? '')?.[1];
  if (!uri) throw new UsageError('the certificate carries no evx:// identity URI');
  return uri;
}

/**
 * Approve, reject, validate or refuse validation: builds the approval document exactly as the server will
 * (the approver's URI and role from its certificate, the plan's kind, the reason as sent, decidedAt to the
 * millisecond) and signs it with the approver's key.
 */
export async function decideRequest(command: DecisionCommand, opts: DecideOptions): Promise<RequestView> {
  const reason = command === 'approve' ? (opts.reason ?? '') : requireReason(opts.reason, `request ${command}`);
  const identity = identityOf(opts);
  const role = roleOf(identity, opts.role);
  const approverUri = identityUriOf(identity);
  const view = await getJson<RequestView>(opts.url, orderPath(opts.id), identity);
  const decision: ApprovalDecision =
    command === 'reject' || (command === 'validate' && opts.reject) ? 'REJECTED' : 'APPROVED';
  // The plan's kind follows the urgency (authority-api's approvalPlan); validation has its own kind.
  const kind: ApprovalKind =
    command === 'validate' ? 'JUDICIAL_VALIDATION' : view.urgency === 'EMERGENCY' ? 'EMERGENCY' : 'STANDARD';
  const decidedAt = new Date();
  const signature = await signApprovalValue(
    canonicalRequestOf(view),
    { approverUri, role, kind, decision, reason, decidedAt },
    actorKey(identity),
  );
  return postJson<RequestView>(
    opts.url,
    orderPath(opts.id, command),
    {
      expectedGeneration: view.generation,
      role,
      ...(command === 'validate' ? { decision } : {}),
      reason,
      decidedAt: decidedAt.toISOString(),
      signature: Buffer.from(signature).toString('base64'),
    },
    identity,
  );
}

export async function withdrawRequest(opts: RequestConnection & { id: string; reason?: string }): Promise<RequestView> {
  const reason = requireReason(opts.reason, 'request withdraw');
  const identity = identityOf(opts);
  const view = await getJson<RequestView>(opts.url, orderPath(opts.id), identity);
  return postJson<RequestView>(
    opts.url,
    orderPath(opts.id, 'withdraw'),
    { expectedGeneration: view.generation, reason },
    identity,
  );
}

export interface ListOptions extends RequestConnection {
  status?: string;
  agency?: string;
  urgency?: string;
  pageSize?: string;
  pageToken?: string;
}

export async function listRequests(opts: ListOptions): Promise<{ requests: RequestSummary[]; nextPageToken: string }> {
  const query = new URLSearchParams();
  // GET /v1/requests filters on the stored proto names (REQUEST_STATUS_…, URGENCY_…), unlike the rest of the REST
  // API; accept the short names the other commands print and add the prefix.
  const prefixed = (value: string, prefix: string) =>
    value
      .split(',')
      .map((v) => v.trim().toUpperCase())
      .map((v) => (v.startsWith(prefix) ? v : `${prefix}${v}`))
      .join(',');
  if (opts.status) query.set('status', prefixed(opts.status, 'REQUEST_STATUS_'));
  if (opts.urgency) query.set('urgency', prefixed(opts.urgency, 'URGENCY_'));
  for (const name of ['agency', 'pageSize', 'pageToken'] as const) {
    const value = opts[name];
    if (value) query.set(name, value);
  }
  const suffix = query.size ? `?${query.toString()}` : '';
  return getJson(opts.url, `/v1/requests${suffix}`, identityOf(opts));
}
