// The log anchoring (docs/package-format.md §8): the checkpoint is signed by the log key of the trust folder for the
// expected origin, and the tlog-proof shows that the commitment recomputed from this package is an entry of it.
import { hashLeaf } from '#evx/merkle';
import { InclusionProofError, openCheckpoint, parseTlogProof, TlogError, verifyTlogProof } from '#evx/tlog';
import { FormatError, sha256Hex } from './canonical.util.js';
import { PACKAGE_PATHS } from './package-format.js';
import { packageCommitmentLeaf, type CustodyStatement, type OriginStatement } from './package-statements.codec.js';
import type { VerifyContext } from './verify.context.js';

export interface LogFacts {
  readonly origin: string;
  readonly index: number;
  readonly treeSize: number;
}

export async function checkLog(
  ctx: VerifyContext,
  origin: { statement: Uint8Array; signatureFile: Uint8Array; value: OriginStatement },
  custody: { bytes: Uint8Array; signatureFile: Uint8Array; value: CustodyStatement },
): Promise<LogFacts> {
  const checkpointBytes = await ctx.bytes(PACKAGE_PATHS.checkpoint, 64 * 1024);
  const checkpointText = Buffer.from(checkpointBytes).toString('utf8');
  let treeSize: number;
  try {
    treeSize = openCheckpoint(checkpointBytes, ctx.log.verifier, ctx.log.origin).checkpoint.size;
  } catch (error) {
    if (error instanceof TlogError)
      ctx.fail(PACKAGE_PATHS.checkpoint, `${error.message} (expected log ${ctx.log.origin})`);
    throw error;
  }
  const proofBytes = await ctx.bytes(PACKAGE_PATHS.tlogProof, 64 * 1024);
  const proof = tlog(ctx, 'malformed', () => parseTlogProof(proofBytes));
  if (proof.checkpoint !== checkpointText) {
    // The checkpoint file's signature verified above, so unless the bag says otherwise the proof is at fault.
    if (ctx.findings.altered(PACKAGE_PATHS.checkpoint) && !ctx.findings.altered(PACKAGE_PATHS.tlogProof)) {
      ctx.fail(PACKAGE_PATHS.checkpoint, `is not the checkpoint embedded in ${PACKAGE_PATHS.tlogProof}`);
    }
    ctx.fail(
      PACKAGE_PATHS.tlogProof,
      `its embedded checkpoint is not ${PACKAGE_PATHS.checkpoint} (signed by the log key)`,
    );
  }
  const leaf = commitmentLeaf(ctx, origin, custody);
  const verified = tlog(ctx, `inclusion proof does not verify against checkpoint size ${treeSize}`, () =>
    verifyTlogProof(proofBytes, hashLeaf(leaf), ctx.log.verifier, ctx.log.origin),
  );
  ctx.list.pass(
    'log',
    `the package commitment (leaf hash ${Buffer.from(hashLeaf(leaf)).toString('hex')}) is entry ${verified.index} of log ${ctx.log.origin}, checkpoint size ${verified.checkpoint.size}, signed by the log key of the trust folder`,
  );
  return { origin: ctx.log.origin, index: verified.index, treeSize: verified.checkpoint.size };
}

function commitmentLeaf(
  ctx: VerifyContext,
  origin: { statement: Uint8Array; signatureFile: Uint8Array; value: OriginStatement },
  custody: { bytes: Uint8Array; signatureFile: Uint8Array; value: CustodyStatement },
): Uint8Array {
  try {
    return packageCommitmentLeaf({
      packageId: custody.value.packageId,
      authorisationId: custody.value.authorisationId,
      taskId: custody.value.taskId,
      providerId: custody.value.providerId,
      recordCount: origin.value.recordCount,
      chainHead: origin.value.chainHead,
      merkleRoot: origin.value.merkleRoot,
      originSha256: sha256Hex(origin.statement),
      originSignatureSha256: sha256Hex(origin.signatureFile),
      custodySha256: sha256Hex(custody.bytes),
      custodySignatureSha256: sha256Hex(custody.signatureFile),
    });
  } catch (error) {
    if (error instanceof FormatError) ctx.fail(PACKAGE_PATHS.custody, `cannot form the commitment: ${error.message}`);
    throw error;
  }
}

/** Runs a #evx/tlog step; its errors fail the log proof. An inclusion failure is described by `context`. */
function tlog<T>(ctx: VerifyContext, context: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof TlogError)) throw error;
    const detail = error instanceof InclusionProofError ? `${context} (${error.reason})` : error.message;
    ctx.fail(PACKAGE_PATHS.tlogProof, detail);
  }
}
