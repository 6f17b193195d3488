// One signed statement: the signature file parses, the signature verifies over prefix || statement, and the
// certificate vouched for the signer at the signing time under the trust folder's anchors.
import { FormatError } from './canonical.util.js';
import type { StatementKind } from './package-format.js';
import { signerIdentityAt, TrustError, type SignerIdentity } from './signer-identity.js';
import { parseSignatureEnvelope, verifySignatureValue } from './statement.signer.js';
import type { VerifyContext } from './verify.context.js';

export interface SignedItem {
  readonly kind: StatementKind;
  readonly statementPath: string;
  readonly statement: Uint8Array;
  readonly signaturePath: string;
  /** e.g. "approval 2 (judge)", "origin statement". */
  readonly item: string;
  /** e.g. "approval 2 (judge) signature", "origin signature". */
  readonly signatureItem: string;
}

export interface CheckedSignature {
  readonly signer: SignerIdentity;
  /** The signature file's bytes (their SHA-256 is what the custody statement and the commitment cover). */
  readonly signatureFile: Uint8Array;
}

export async function checkSignature(
  ctx: VerifyContext,
  signed: SignedItem,
  signingTime: Date,
): Promise<CheckedSignature> {
  const { signatureItem } = signed;
  const { bytes, value: envelope } = await ctx.doc(signed.signaturePath, parseSignatureEnvelope, signatureItem);
  const leaf = envelope.certificates[0] as Uint8Array;
  try {
    verifySignatureValue(signed.kind, signed.statement, envelope.value, leaf);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    // The signature alone cannot say which of the two files changed; the bag's checksums can.
    const statementAltered = ctx.findings.altered(signed.statementPath);
    if (statementAltered && !ctx.findings.altered(signed.signaturePath)) {
      ctx.fail(signed.statementPath, 'altered after signing: its signature no longer verifies', signed.item);
    }
    ctx.fail(signed.signaturePath, `signature invalid over ${signed.statementPath}: ${error.message}`, signatureItem);
  }
  let signer: SignerIdentity;
  try {
    signer = signerIdentityAt(leaf, ctx.trust, signingTime, ctx.now);
  } catch (error) {
    if (error instanceof TrustError || error instanceof FormatError)
      ctx.fail(signed.signaturePath, error.message, signatureItem);
    throw error;
  }
  checkChain(ctx, signed.signaturePath, signatureItem, envelope.certificates.slice(1), signer);
  if (signer.revokedAt) {
    ctx.list.note(
      `${signed.item}: certificate ${signer.uri} was revoked at ${signer.revokedAt.toISOString()}, after the signing time ${signingTime.toISOString()}; the signature stands`,
    );
  }
  return { signer, signatureFile: bytes };
}

/** Certificates after the signer's may only be the CAs of its own domain, as the trust folder holds them. */
function checkChain(
  ctx: VerifyContext,
  path: string,
  item: string,
  extra: readonly Uint8Array[],
  signer: SignerIdentity,
): void {
  const cas = ctx.trust.cas(signer.domain);
  const known = cas ? [cas.intermediate.certificate.raw, cas.root.certificate.raw] : [];
  extra.forEach((der, i) => {
    if (!known.some((raw) => raw.equals(Buffer.from(der)))) {
      ctx.fail(
        path,
        `certificate ${i + 2} is not a CA certificate of the ${signer.domain} trust domain in the trust folder`,
        item,
      );
    }
  });
}
