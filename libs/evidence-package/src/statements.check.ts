// The package-level statements: the provider's origin signature, the vault's custody countersignature and what it
// covers, the custody events, and the unsigned descriptor, which must repeat the signed facts exactly.
import type { CheckedAuthorisation } from './authorisation.check.js';
import { sha256Hex } from './canonical.util.js';
import { parseCustodyEvents, RECEIVED_EVENT } from './custody-events.codec.js';
import { approvalPath, approvalSignaturePath, PACKAGE_PATHS } from './package-format.js';
import {
  parseDescriptor,
  parseOrigin,
  type CustodyStatement,
  type OriginStatement,
  type SignedFileHashes,
} from './package-statements.codec.js';
import { checkSignature, type CheckedSignature } from './signature.check.js';
import type { VerifyContext } from './verify.context.js';

export interface CheckedOrigin extends CheckedSignature {
  readonly statement: Uint8Array;
  readonly value: OriginStatement;
}

export async function checkOrigin(
  ctx: VerifyContext,
  custody: CustodyStatement,
  requestBytes: Uint8Array,
  signingTime: Date,
): Promise<CheckedOrigin> {
  const path = PACKAGE_PATHS.origin;
  const { bytes, value: origin } = await ctx.doc(path, parseOrigin);
  const signed = await checkSignature(
    ctx,
    {
      kind: 'origin',
      statementPath: path,
      statement: bytes,
      signaturePath: PACKAGE_PATHS.originSignature,
      item: 'origin statement',
      signatureItem: 'origin signature',
    },
    signingTime,
  );
  const adapter = signed.signer;
  if (adapter.kind !== 'adapter' || adapter.provider !== origin.providerId) {
    ctx.fail(
      PACKAGE_PATHS.originSignature,
      `signed by ${adapter.uri}, which is not an adapter of provider ${origin.providerId}`,
    );
  }
  ctx.expectEqual(path, '"adapterUri"', origin.adapterUri, adapter.uri, 'the signer certificate');
  ctx.expectEqual(path, '"providerId"', origin.providerId, custody.providerId, 'the custody statement');
  ctx.expectEqual(path, '"authorisationId"', origin.authorisationId, custody.authorisationId, 'the custody statement');
  ctx.expectEqual(path, '"taskId"', origin.taskId, custody.taskId, 'the custody statement');
  ctx.expectEqual(path, '"requestSha256"', origin.requestSha256, sha256Hex(requestBytes), `${PACKAGE_PATHS.request}`);
  if (origin.signedAt > custody.receivedAt) {
    ctx.fail(path, `"signedAt" ${origin.signedAt} is after the receipt of the evidence (${custody.receivedAt})`);
  }
  ctx.list.pass(
    'origin',
    `${origin.recordCount} records, chain head and Merkle root signed by ${adapter.uri} (provider ${adapter.provider})`,
  );
  return { ...signed, statement: bytes, value: origin };
}

/**
 * The custody countersignature, checked first of all signatures: its receipt time is the signing time of the whole
 * package, and its ids are what the other statements are compared with.
 */
export async function checkCustodySignature(
  ctx: VerifyContext,
  custody: { bytes: Uint8Array; value: CustodyStatement },
  signingTime: Date,
): Promise<CheckedSignature> {
  const path = PACKAGE_PATHS.custody;
  const value = custody.value;
  const signed = await checkSignature(
    ctx,
    {
      kind: 'custody',
      statementPath: path,
      statement: custody.bytes,
      signaturePath: PACKAGE_PATHS.custodySignature,
      item: 'custody statement',
      signatureItem: 'custody signature',
    },
    signingTime,
  );
  const vault = signed.signer;
  if (vault.kind !== 'service' || vault.name !== 'vault') {
    ctx.fail(PACKAGE_PATHS.custodySignature, `signed by ${vault.uri}, not by the vault service (evx://service/vault)`);
  }
  ctx.expectEqual(path, '"custodianUri"', value.custodianUri, vault.uri, 'the signer certificate');
  if (signingTime.getTime() > ctx.now.getTime()) {
    ctx.fail(path, `"receivedAt" ${value.receivedAt} is later than the verification time ${ctx.now.toISOString()}`);
  }
  ctx.list.pass(
    'custody signature',
    `countersigned by ${vault.uri} on receipt at ${value.receivedAt} (the signing time)`,
  );
  return signed;
}

/** The custody statement covers exactly the signed files present, and their signature files. */
export function checkCustodyCoverage(
  ctx: VerifyContext,
  custody: CustodyStatement,
  origin: CheckedOrigin,
  authorisation: CheckedAuthorisation,
): void {
  const covered = (
    statementPath: string,
    signaturePath: string,
    statement: Uint8Array,
    signature: Uint8Array,
    hashes: SignedFileHashes,
  ) => {
    coveredFile(ctx, statementPath, statement, hashes.statementSha256);
    coveredFile(ctx, signaturePath, signature, hashes.signatureSha256);
  };
  covered(PACKAGE_PATHS.origin, PACKAGE_PATHS.originSignature, origin.statement, origin.signatureFile, custody.origin);
  const { request, approvals } = authorisation;
  covered(
    PACKAGE_PATHS.request,
    PACKAGE_PATHS.requestSignature,
    request.statement,
    request.signatureFile,
    custody.authorisation.request,
  );
  if (custody.authorisation.approvals.length !== approvals.length) {
    ctx.fail(
      PACKAGE_PATHS.custody,
      `countersigns ${custody.authorisation.approvals.length} approvals, the package holds ${approvals.length}`,
    );
  }
  approvals.forEach((approval, i) => {
    const hashes = custody.authorisation.approvals[i] as SignedFileHashes;
    covered(approvalPath(i + 1), approvalSignaturePath(i + 1), approval.statement, approval.signatureFile, hashes);
  });
  ctx.list.pass(
    'custody coverage',
    'the countersignature covers exactly the order, its approvals and the origin statement present, with their signatures',
  );
}

function coveredFile(ctx: VerifyContext, path: string, bytes: Uint8Array, expected: string): void {
  const actual = sha256Hex(bytes);
  if (actual !== expected) {
    ctx.fail(
      path,
      `not the file the vault countersigned: its SHA-256 is ${actual}, the custody statement says ${expected}`,
    );
  }
}

export async function checkCustodyEvents(ctx: VerifyContext, custody: CustodyStatement): Promise<void> {
  const path = PACKAGE_PATHS.custodyEvents;
  const bytes = await ctx.bytes(path);
  coveredFile(ctx, path, bytes, custody.custodyEventsSha256);
  const events = ctx.parse(path, bytes, parseCustodyEvents);
  const last = events[events.length - 1];
  if (
    !last ||
    last.event !== RECEIVED_EVENT ||
    last.at !== custody.receivedAt ||
    last.actorUri !== custody.custodianUri
  ) {
    ctx.fail(path, `the last event must be "${RECEIVED_EVENT}" by ${custody.custodianUri} at ${custody.receivedAt}`);
  }
  ctx.list.pass('custody events', `${events.length} events up to the receipt, covered by the custody countersignature`);
}

export async function checkDescriptor(
  ctx: VerifyContext,
  custody: CustodyStatement,
  origin: OriginStatement,
): Promise<void> {
  const path = PACKAGE_PATHS.descriptor;
  const { value } = await ctx.doc(path, parseDescriptor);
  const signed = {
    packageId: [custody.packageId, 'the custody statement'],
    authorisationId: [custody.authorisationId, 'the custody statement'],
    taskId: [custody.taskId, 'the custody statement'],
    providerId: [custody.providerId, 'the custody statement'],
    uploadId: [origin.uploadId, 'the origin statement'],
    recordCount: [origin.recordCount, 'the origin statement'],
    chainHead: [origin.chainHead, 'the origin statement'],
    merkleRoot: [origin.merkleRoot, 'the origin statement'],
  } as const;
  for (const [name, [expected, source]] of Object.entries(signed)) {
    ctx.expectEqual(path, `"${name}"`, value[name as keyof typeof signed], expected, source);
  }
  ctx.list.pass('package descriptor', 'repeats the signed facts exactly');
}
