// Selective disclosure (docs/package-format.md §9): a package holding only the chosen records, each with its
// inclusion proof to the provider-signed Merkle root, and every signed file unchanged, so the sub-package verifies
// on its own without revealing anything about the other records but their number.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { BagArchiveError, BagWriter, openBagArchive } from '#evx/bagit';
import { hashLeaf } from '#evx/merkle';
import { FormatError, hex } from './canonical.util.js';
import { encodeDisclosure, parseDisclosure, type DisclosedRecord } from './disclosure.codec.js';
import { InclusionProofCollector } from './inclusion-proofs.util.js';
import {
  MAX_TAG_FILE_BYTES,
  PACKAGE_PATHS,
  packageBagInfo,
  packageBaseName,
  recordMetadataPath,
  recordPayloadPath,
} from './package-format.js';
import { ArchivePackageFiles, FolderPackageFiles, type PackageFiles } from './package-files.reader.js';
import { APPROVAL_FILE } from './package-items.js';
import { parseCustody, parseOrigin } from './package-statements.codec.js';
import { oneChunk } from './package-records.writer.js';
import { parseRecordMetadata } from './record-metadata.codec.js';
import { openTarOutput } from './tar-output.util.js';

/** The package cannot be disclosed from: it is inconsistent (verify it to learn why) or not a package at all. */
export class DisclosureError extends Error {
  override readonly name = 'DisclosureError';
}

export interface DisclosedPackage {
  readonly packageId: string;
  readonly recordCount: number;
  readonly disclosed: readonly number[];
  readonly size: number;
  readonly sha256: string;
}

/**
 * Writes to `out` (a new tar file) a disclosure of the records with the given sequence numbers (1-based, as in
 * their file names). The source may be a package tar or folder, or itself a disclosure holding those records.
 * @throws RangeError for an empty or out-of-range selection; DisclosureError when the source is inconsistent
 */
export async function disclosePackage(
  source: string,
  sequenceNumbers: readonly number[],
  out: string,
): Promise<DisclosedPackage> {
  const info = await stat(source);
  try {
    // A tar is read in place (checked against the archive rules first), never copied out.
    const files = info.isFile()
      ? new ArchivePackageFiles(await openBagArchive(source))
      : new FolderPackageFiles(source);
    return await discloseFrom(files, sequenceNumbers, out);
  } catch (error) {
    // What is wrong with the source package is the package's problem, not the caller's.
    if (error instanceof FormatError || error instanceof BagArchiveError) throw new DisclosureError(error.message);
    throw error;
  }
}

async function discloseFrom(
  files: PackageFiles,
  sequenceNumbers: readonly number[],
  out: string,
): Promise<DisclosedPackage> {
  const origin = parseOrigin(await required(files, PACKAGE_PATHS.origin));
  const custody = parseCustody(await required(files, PACKAGE_PATHS.custody));
  const n = origin.recordCount;
  const chosen = [...new Set(sequenceNumbers)].sort((a, b) => a - b);
  if (chosen.length === 0) throw new RangeError('choose at least one record to disclose');
  const outside = chosen.find((seq) => !Number.isSafeInteger(seq) || seq < 1 || seq > n);
  if (outside !== undefined)
    throw new RangeError(`record ${outside} does not exist: the package has records 1 to ${n}`);

  const existing = await files.read(PACKAGE_PATHS.disclosure, MAX_TAG_FILE_BYTES);
  const records = existing ? reuseProofs(existing, chosen) : await proveRecords(files, chosen, n, origin.merkleRoot);

  const output = await openTarOutput(out);
  const writer = BagWriter.toTar(output.stream, {
    baseName: packageBaseName(custody.packageId, true),
    baggingDate: new Date(custody.receivedAt),
    bagInfo: packageBagInfo(custody, { kept: chosen.length, total: n }),
  });
  try {
    for (const seq of chosen) await copyRecord(files, writer, seq);
    for (const path of await evxFiles(files)) writer.addTagFile(path, await required(files, path));
    writer.addTagFile(
      PACKAGE_PATHS.disclosure,
      encodeDisclosure({ packageId: custody.packageId, recordCount: n, records }),
    );
    await writer.finish();
    const file = await output.done();
    return { packageId: custody.packageId, recordCount: n, disclosed: chosen, ...file };
  } catch (error) {
    await writer.abort();
    await output.fail();
    throw error;
  }
}

/** One pass over every record's metadata: leaf hashes into the tree, keeping only what the proofs need. */
async function proveRecords(
  files: PackageFiles,
  chosen: readonly number[],
  n: number,
  merkleRoot: string,
): Promise<DisclosedRecord[]> {
  const collector = new InclusionProofCollector(
    chosen.map((seq) => seq - 1),
    n,
  );
  for (let seq = 1; seq <= n; seq++) collector.append(hashLeaf(await required(files, recordMetadataPath(seq))));
  if (hex(collector.root()) !== merkleRoot) {
    throw new DisclosureError(
      'the records do not hash to the Merkle root the provider signed; verify the package to see which record is wrong',
    );
  }
  const proofs = collector.proofs();
  return chosen.map((seq) => ({ sequenceNumber: seq, inclusionProof: (proofs.get(seq - 1) ?? []).map(hex) }));
}

function reuseProofs(disclosureBytes: Uint8Array, chosen: readonly number[]): DisclosedRecord[] {
  const disclosure = parseDisclosure(disclosureBytes);
  return chosen.map((seq) => {
    const record = disclosure.records.find((r) => r.sequenceNumber === seq);
    if (!record) throw new RangeError(`record ${seq} is not in this disclosure; disclose it from the full package`);
    return record;
  });
}

/** Copies a record's two files, checking the payload against its metadata on the way. */
async function copyRecord(files: PackageFiles, writer: BagWriter, seq: number): Promise<void> {
  const metadataBytes = await required(files, recordMetadataPath(seq));
  const metadata = parseRecordMetadata(metadataBytes);
  const payloadPath = recordPayloadPath(seq);
  const payload = await files.stream(payloadPath);
  if (payload === undefined) throw new DisclosureError(`${payloadPath} is missing`);
  const hash = createHash('sha256');
  async function* checked(): AsyncGenerator<Uint8Array> {
    for await (const chunk of payload as AsyncIterable<Buffer>) {
      hash.update(chunk);
      yield chunk;
    }
    if (hash.digest('hex') !== metadata.payloadSha256) {
      throw new DisclosureError(`${payloadPath} does not match the SHA-256 in its metadata; verify the package`);
    }
  }
  await writer.addPayload(payloadPath, checked(), metadata.payloadSize);
  await writer.addPayload(recordMetadataPath(seq), oneChunk(metadataBytes), metadataBytes.length);
}

/** The signed and log files to carry over unchanged (the disclosure document is made anew). */
async function evxFiles(files: PackageFiles): Promise<string[]> {
  const fixed = Object.values(PACKAGE_PATHS).filter((path) => path !== PACKAGE_PATHS.disclosure);
  const approvals = (await files.list()).filter((path) => APPROVAL_FILE.test(path));
  return [...fixed, ...approvals];
}

async function required(files: PackageFiles, path: string): Promise<Uint8Array> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await files.read(path, MAX_TAG_FILE_BYTES);
  } catch (error) {
    throw new DisclosureError(`${path}: ${(error as Error).message}`);
  }
  if (bytes === undefined) throw new DisclosureError(`${path} is missing: this is not an evidence package`);
  return bytes;
}
