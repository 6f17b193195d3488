// The signed order (docs/package-format.md §6, §11): signed by an investigator of the issuing agency, approved by
// approvers of that agency, each distinct from the requester and from each other, all on this exact request.
import {
  approverRoleValue,
  parseApproval,
  parseAuthorisationRequest,
  type ApprovalStatement,
  type AuthorisationRequest,
} from './authorisation.codec.js';
import { sha256Hex } from './canonical.util.js';
import type { CustodyStatement } from './package-statements.codec.js';
import { approvalPath, approvalSignaturePath, PACKAGE_PATHS } from './package-format.js';
import { checkSignature, type CheckedSignature } from './signature.check.js';
import type { SignerIdentity } from './signer-identity.js';

type Investigator = Extract<SignerIdentity, { kind: 'investigator' }>;
import type { VerifyContext } from './verify.context.js';

export interface CheckedStatement extends CheckedSignature {
  readonly statement: Uint8Array;
}

export interface CheckedAuthorisation {
  readonly request: CheckedStatement & { readonly value: AuthorisationRequest };
  readonly approvals: readonly (CheckedStatement & { readonly value: ApprovalStatement })[];
}

export async function checkAuthorisation(
  ctx: VerifyContext,
  custody: CustodyStatement,
  approvalCount: number,
  signingTime: Date,
): Promise<CheckedAuthorisation> {
  const path = PACKAGE_PATHS.request;
  const { bytes, value: request } = await ctx.doc(path, parseAuthorisationRequest);
  const signed = await checkSignature(
    ctx,
    {
      kind: 'request',
      statementPath: path,
      statement: bytes,
      signaturePath: PACKAGE_PATHS.requestSignature,
      item: 'request',
      signatureItem: 'request signature',
    },
    signingTime,
  );
  const requester = signed.signer;
  if (requester.kind !== 'investigator') {
    ctx.fail(
      PACKAGE_PATHS.requestSignature,
      `signed by ${requester.uri}, which is not an investigator`,
      'request signature',
    );
  }
  ctx.expectEqual(path, '"requesterUri"', request.requesterUri, requester.uri, 'the signer certificate');
  ctx.expectEqual(path, '"issuingAgencyId"', request.issuingAgencyId, requester.agency, "the requester's certificate");
  ctx.expectEqual(path, '"authorisationId"', request.authorisationId, custody.authorisationId, 'the custody statement');
  ctx.expectEqual(path, '"targetProviderId"', request.targetProviderId, custody.providerId, 'the custody statement');
  if (request.createdAt > custody.receivedAt) {
    ctx.fail(path, `"createdAt" ${request.createdAt} is after the receipt of the evidence (${custody.receivedAt})`);
  }
  ctx.list.pass(
    'authorisation request',
    `signed by investigator ${requester.uri} (agency ${requester.agency}) at ${request.createdAt}`,
  );

  if (approvalCount === 0) ctx.fail(PACKAGE_PATHS.request, 'the order carries no approval', 'authorisation');
  const approvals: CheckedAuthorisation['approvals'][number][] = [];
  for (let n = 1; n <= approvalCount; n++) {
    approvals.push(
      await checkApproval(ctx, n, { bytes, request, requester }, approvals, signingTime, custody.receivedAt),
    );
  }
  return { request: { ...signed, statement: bytes, value: request }, approvals };
}

async function checkApproval(
  ctx: VerifyContext,
  n: number,
  order: { bytes: Uint8Array; request: AuthorisationRequest; requester: Investigator },
  earlier: readonly { signer: SignerIdentity }[],
  signingTime: Date,
  receivedAt: string,
): Promise<CheckedStatement & { value: ApprovalStatement }> {
  const path = approvalPath(n);
  const { bytes, value: approval } = await ctx.doc(path, parseApproval, `approval ${n}`);
  const item = `approval ${n} (${roleName(approval.role)})`;
  if (approval.requestSha256 !== sha256Hex(order.bytes)) {
    ctx.fail(
      path,
      `decides on request ${approval.requestSha256}, not on this order's request ${sha256Hex(order.bytes)}`,
      item,
    );
  }
  const signed = await checkSignature(
    ctx,
    {
      kind: 'approval',
      statementPath: path,
      statement: bytes,
      signaturePath: approvalSignaturePath(n),
      item,
      signatureItem: `${item} signature`,
    },
    signingTime,
  );
  const { signer } = signed;
  const requester = order.requester;
  // The same person may hold an investigator and an approver certificate: same agency and actor id, or same key.
  const sameAgencyId =
    signer.domain === 'authority' && signer.agency === requester.agency && signer.id === requester.id;
  if (signer.uri === requester.uri || signer.keyFingerprint === requester.keyFingerprint || sameAgencyId) {
    ctx.fail(
      path,
      `signed by the requester ${signer.uri} itself; an approval must come from someone other than the requester`,
      item,
    );
  }
  if (signer.kind !== 'approver') ctx.fail(path, `signed by ${signer.uri}, which is not an approver`, item);
  ctx.expectEqual(path, '"approverUri"', approval.approverUri, signer.uri, 'the signer certificate', item);
  ctx.expectEqual(
    path,
    '"role"',
    approval.role,
    approverRoleValue(signer.role ?? ''),
    "the approver's certificate",
    item,
  );
  if (signer.agency !== requester.agency) {
    ctx.fail(
      path,
      `approver ${signer.uri} is of agency ${signer.agency}, not the requester's agency ${requester.agency}`,
      item,
    );
  }
  const twin = earlier.findIndex(
    (e) => e.signer.uri === signer.uri || e.signer.keyFingerprint === signer.keyFingerprint,
  );
  if (twin >= 0)
    ctx.fail(path, `approver ${signer.uri} already decided in approval ${twin + 1}; approvers must be distinct`, item);
  if (approval.decision !== 'APPROVAL_DECISION_APPROVED') {
    ctx.fail(path, `the order was rejected by ${signer.uri}; no evidence may be delivered for a rejected order`, item);
  }
  if (approval.decidedAt < order.request.createdAt || approval.decidedAt > receivedAt) {
    ctx.fail(
      path,
      `"decidedAt" ${approval.decidedAt} is not between the request (${order.request.createdAt}) and the receipt (${receivedAt})`,
      item,
    );
  }
  ctx.list.pass(
    item,
    `${approval.kind === 'APPROVAL_KIND_STANDARD' ? 'approved' : approval.kind} by ${signer.uri} at ${approval.decidedAt}`,
  );
  return { ...signed, statement: bytes, value: approval };
}

function roleName(role: string): string {
  return role
    .replace(/^APPROVER_ROLE_/, '')
    .toLowerCase()
    .replace(/_/g, '-');
}
