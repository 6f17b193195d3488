// An order with a bad signature, made the way an attacker inside the network would: a task signed by the right
// people for a real draft, then one signature altered, put straight onto provider-edge's TaskDispatchService with
// the authority-api service certificate. The adapter must verify the bundle itself and refuse it; EVX's own checks
// are bypassed on purpose. A control copy of the same bundle, untampered, must verify, so the only defect is the
// one the kit made.
import { randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  approvalStatementOf,
  bundleFromWire,
  sha256Hex,
  signApprovalValue,
  signRequestValue,
  verifyAuthorisation,
  type ActorKey,
} from '#evx/authorisation';
import { SIGNATURE_ALGORITHM } from '#evx/evidence-package';
import { TrustStore } from '#evx/pki';
import {
  timestampFromDate,
  type Authorisation,
  type AuthorisationBundle as WireBundle,
  type Signature,
  type Task,
} from '#evx/proto';
import type { ApprovalPlan } from '#evx/workflow';
import type { Approver } from './authority-desk.js';

export interface ActorFiles {
  readonly key: ActorKey;
  readonly certificateDer: Buffer;
  readonly uri: string;
}

export function actorFiles(certsDir: string, identity: string): ActorFiles {
  const certificatePem = readFileSync(join(certsDir, 'actors', `${identity}.crt`), 'utf8');
  const leaf = new X509Certificate(certificatePem);
  const uri = /URI:(evx:\/\/[^,\s]+)/.exec(leaf.subjectAltName ?? '')?.[1];
  if (!uri) throw new Error(`${identity}: the certificate carries no evx:// identity URI`);
  return {
    key: { certificatePem, privateKeyPem: readFileSync(join(certsDir, 'actors', `${identity}.key`), 'utf8') },
    certificateDer: leaf.raw,
    uri,
  };
}

function wireSignature(value: Uint8Array, signer: ActorFiles): Signature {
  return {
    signerUri: signer.uri,
    algorithm: SIGNATURE_ALGORITHM as Signature['algorithm'],
    value: Buffer.from(value),
    certificateSha256: Buffer.from(sha256Hex(signer.certificateDer), 'hex'),
  };
}

/** The wire bundle of `canonicalRequest`, signed by the requester and each approver with their own keys. */
export async function signBundle(
  certsDir: string,
  canonicalRequest: Uint8Array,
  requester: string,
  approvers: readonly Approver[],
  kind: 'STANDARD' | 'EMERGENCY',
): Promise<WireBundle> {
  const signer = actorFiles(certsDir, requester);
  const certificates = new Map<string, Buffer>([[signer.uri, signer.certificateDer]]);
  const requesterSignature = wireSignature(await signRequestValue(canonicalRequest, signer.key), signer);
  const approvals = [];
  for (const [i, approver] of approvers.entries()) {
    const files = actorFiles(certsDir, approver.identity);
    certificates.set(files.uri, files.certificateDer);
    const decidedAt = new Date();
    const input = {
      approverUri: files.uri,
      role: approver.role,
      kind,
      decision: 'APPROVED' as const,
      reason: '',
      decidedAt,
    };
    const statement = approvalStatementOf(canonicalRequest, input);
    approvals.push({
      approvalId: String(i + 1),
      approverUri: statement.approverUri,
      role: statement.role,
      kind: statement.kind,
      decision: statement.decision,
      reason: statement.reason,
      decidedAt: timestampFromDate(decidedAt),
      requestSha256: Buffer.from(statement.requestSha256, 'hex'),
      signature: wireSignature(await signApprovalValue(canonicalRequest, input, files.key), files),
    });
  }
  return {
    canonicalRequest: Buffer.from(canonicalRequest),
    requesterSignature,
    approvals: approvals as WireBundle['approvals'],
    certificates: [...certificates.values()],
  };
}

/** Throws unless `bundle` verifies against the authority trust anchor with a complete `plan`. */
export function checkBundle(certsDir: string, bundle: WireBundle, plan: ApprovalPlan): void {
  verifyAuthorisation(
    bundleFromWire(bundle),
    TrustStore.fromDirectory(certsDir),
    { plan, requireComplete: true },
    new Date(),
  );
}

/** The same bundle with one bit of the last approval's signature flipped. */
export function tamperLastApproval(bundle: WireBundle): WireBundle {
  const approvals = bundle.approvals.map((a) => ({ ...a }));
  const last = approvals.at(-1);
  if (!last?.signature) throw new Error('the bundle has no approval to tamper with');
  const value = Buffer.from(last.signature.value);
  value[value.length >> 1] ^= 0x01;
  last.signature = { ...last.signature, value };
  return { ...bundle, approvals };
}

/** A disclosure task for `authorisation` (as GetRequest returns it) carrying `bundle`, with a fresh task id. */
export function taskOf(authorisation: Authorisation, bundle: WireBundle, providerId: string): Task {
  const now = timestampFromDate(new Date());
  return {
    taskId: randomUUID(),
    authorisationId: authorisation.authorisationId,
    generation: 1,
    providerId,
    status: 'TASK_STATUS_AWAITING_ACKNOWLEDGEMENT' as Task['status'],
    desiredStatus: 'TASK_DESIRED_STATUS_ACTIVE' as Task['desiredStatus'],
    statusReason: 'dispatched',
    authorisation: authorisation.details,
    bundle,
    disclosure: { deadline: timestampFromDate(new Date(Date.now() + 86_400_000)), preservationTaskId: '' },
    clarifications: [],
    refusal: null,
    providerReference: '',
    dispatchedAt: now,
    lastChanged: now,
  } as Task;
}
