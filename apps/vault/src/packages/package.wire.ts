import { timestampFromDate, type EvidencePackage, type PackageState } from '#evx/proto';
import type { EvidencePackageEntity } from '../persistence/evidence-package.entities.js';
import { parseSignatureEnvelope } from '#evx/evidence-package';
import { PackageChain } from './package-chain.js';

/** A package row as evx.v1.EvidencePackage. */
export function packageToWire(row: EvidencePackageEntity): EvidencePackage {
  const chain = PackageChain.fromStored(row.recordCount, row.chainHead, row.merkleFrontier);
  const some = row.recordCount > 0;
  return {
    packageId: row.packageId,
    authorisationId: row.authorisationId,
    taskId: row.taskId,
    uploadId: row.uploadId,
    state: row.state as PackageState,
    durableSequenceNumber: String(row.durableSeq),
    recordCount: String(row.recordCount),
    payloadBytes: String(row.payloadBytes),
    chainHead: some ? Buffer.from(chain.chainHead) : Buffer.alloc(0),
    merkleRoot: some ? Buffer.from(chain.merkleRoot) : Buffer.alloc(0),
    originSignature: row.completedAt ? signatureToWire(row.originSignature) : null,
    custodySignature: row.completedAt ? signatureToWire(row.custodySignature) : null,
    logIndex: String(row.logIndex ?? 0),
    createdAt: timestampFromDate(new Date(row.createdAt)),
    completedAt: row.completedAt ? timestampFromDate(new Date(row.completedAt)) : null,
    sealedAt: row.sealedAt ? timestampFromDate(new Date(row.sealedAt)) : null,
  };
}

function signatureToWire(file: string | null) {
  if (!file) return null;
  const envelope = parseSignatureEnvelope(Buffer.from(file, 'utf8'));
  return {
    signerUri: envelope.signerUri,
    algorithm: envelope.algorithm,
    value: Buffer.from(envelope.value),
    certificateSha256: Buffer.from(envelope.certificateSha256, 'hex'),
  };
}
