// What authority_request.authorisation holds: the workflow's Authorisation (times as ISO strings) and the signed
// bundle (base64), as one JSON document. The indexed columns beside it (status, agency, urgency, generation, ...)
// are copies for queries; this document is the truth.
import { signatureEnvelopeOf, type AuthorisationBundle } from '#evx/authorisation';
import type {
  AuthorisationBundle as WireBundle,
  Approval as WireApproval,
  Signature as WireSignature,
} from '#evx/proto';
import { parseApproval } from '#evx/evidence-package';
import { timestampFromDate } from '#evx/proto';
import type { Authorisation } from '#evx/workflow';

export interface StoredRequest {
  readonly authorisation: Authorisation;
  readonly bundle: AuthorisationBundle;
}

// Only these members of an Authorisation hold times; a key list keeps a justification that happens to look like a
// date from being turned into one.
const DATE_KEYS = new Set([
  'start',
  'end',
  'observedTime',
  'requestedDeadline',
  'decidedAt',
  'validationDueAt',
  'askedAt',
  'answeredAt',
  'refusedAt',
  'expiresAt',
  'deadline',
  'createdAt',
  'submittedAt',
  'dispatchedAt',
  'lastChanged',
]);

interface StoredBundleJson {
  request: string;
  requestSignature?: string;
  approvals: { statement: string; signature: string }[];
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

export function encodeStoredRequest(stored: StoredRequest): string {
  const bundle: StoredBundleJson = {
    request: b64(stored.bundle.request),
    ...(stored.bundle.requestSignature ? { requestSignature: b64(stored.bundle.requestSignature) } : {}),
    approvals: stored.bundle.approvals.map((a) => ({ statement: b64(a.statement), signature: b64(a.signature) })),
  };
  return JSON.stringify({ authorisation: stored.authorisation, bundle });
}

/** Turns the strings under DATE_KEYS, at any depth, into Dates (in place; `value` is fresh from JSON.parse). */
function revive(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) revive(item);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const member = record[key];
    if (typeof member === 'string') {
      if (DATE_KEYS.has(key)) record[key] = new Date(member);
    } else revive(member);
  }
}

export function decodeStoredRequest(text: string): StoredRequest {
  // A walk after a plain parse rather than a reviver: the reviver is called back for every value (per call, ×2).
  // The bundle holds base64 strings only, none under a date key.
  const doc = JSON.parse(text) as { authorisation: Authorisation; bundle: StoredBundleJson };
  revive(doc.authorisation);
  return {
    authorisation: doc.authorisation,
    bundle: {
      request: unb64(doc.bundle.request),
      ...(doc.bundle.requestSignature ? { requestSignature: unb64(doc.bundle.requestSignature) } : {}),
      approvals: doc.bundle.approvals.map((a) => ({ statement: unb64(a.statement), signature: unb64(a.signature) })),
    },
  };
}

function signatureToWire(envelopeBytes: Uint8Array): { signature: WireSignature; certificates: Buffer[] } {
  const envelope = signatureEnvelopeOf(envelopeBytes);
  return {
    signature: {
      signerUri: envelope.signerUri,
      algorithm: envelope.algorithm as WireSignature['algorithm'],
      value: Buffer.from(envelope.value),
      certificateSha256: Buffer.from(envelope.certificateSha256, 'hex'),
    },
    certificates: envelope.certificates.map((c) => Buffer.from(c)),
  };
}

/** evx.v1.AuthorisationBundle: the request bytes, each signature, and the signers' certificates once each. */
export function bundleToWire(bundle: AuthorisationBundle): WireBundle {
  const certificates = new Map<string, Buffer>();
  const keep = (list: Buffer[]): void => list.forEach((c) => certificates.set(c.toString('base64'), c));
  let requesterSignature: WireSignature | undefined;
  if (bundle.requestSignature) {
    const { signature, certificates: certs } = signatureToWire(bundle.requestSignature);
    requesterSignature = signature;
    keep(certs);
  }
  const approvals: WireApproval[] = bundle.approvals.map((a, i) => {
    const statement = parseApproval(a.statement);
    const { signature, certificates: certs } = signatureToWire(a.signature);
    keep(certs);
    return {
      approvalId: String(i + 1),
      approverUri: statement.approverUri,
      role: statement.role as WireApproval['role'],
      kind: statement.kind as WireApproval['kind'],
      decision: statement.decision as WireApproval['decision'],
      reason: statement.reason,
      decidedAt: timestampFromDate(new Date(statement.decidedAt)),
      requestSha256: Buffer.from(statement.requestSha256, 'hex'),
      signature,
    };
  });
  return {
    canonicalRequest: Buffer.from(bundle.request),
    requesterSignature,
    approvals,
    certificates: [...certificates.values()],
  };
}
