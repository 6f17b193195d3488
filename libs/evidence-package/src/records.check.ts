// The records: every payload matches its metadata, and the metadata documents chain and hash to what the provider
// signed. A full package is checked through the hash chain and the Merkle root; a disclosure record by record,
// through inclusion proofs to the signed root (docs/package-format.md §4, §9).
import { createHash } from 'node:crypto';
import { hashLeaf, MerkleProofError, verifyInclusion } from '#evx/merkle';
import { fromHex32, hex } from './canonical.util.js';
import { parseDisclosure } from './disclosure.codec.js';
import { MAX_RECORD_BYTES, PACKAGE_PATHS, recordMetadataPath, recordPayloadPath } from './package-format.js';
import { RECORD_FILE } from './package-items.js';
import type { CustodyStatement, OriginStatement } from './package-statements.codec.js';
import { RecordAccumulator } from './record.accumulator.js';
import { parseRecordMetadata } from './record-metadata.codec.js';
import { CheckFailure, type PackageScope } from './verification.result.js';
import type { VerifyContext } from './verify.context.js';

const MAX_METADATA_BYTES = 64 * 1024;

export async function checkRecords(
  ctx: VerifyContext,
  origin: OriginStatement,
  custody: CustodyStatement,
  files: readonly string[],
): Promise<PackageScope> {
  const present = presentRecords(ctx, files);
  if (files.includes(PACKAGE_PATHS.disclosure)) return checkDisclosed(ctx, origin, custody, present);
  const n = origin.recordCount;
  const accumulator = new RecordAccumulator();
  const presentSet = new Set(present);
  for (let seq = 1; seq <= n; seq++) {
    if (!presentSet.has(seq)) ctx.fail(recordPayloadPath(seq), `is missing; the origin statement signs ${n} records`);
    accumulator.add(await checkRecordFiles(ctx, seq));
  }
  const extra = present.find((seq) => seq > n);
  if (extra !== undefined)
    ctx.fail(recordPayloadPath(extra), `is not part of the package: the origin statement signs ${n} records`);
  ctx.list.pass('records', `${n} records; every payload matches the size and SHA-256 in its metadata`);
  compareSigned(ctx, 'hash chain', hex(accumulator.chainHead), origin.chainHead, n);
  ctx.list.pass('hash chain', `head ${origin.chainHead} over ${n} records equals the provider-signed chain head`);
  compareSigned(ctx, 'Merkle root', hex(accumulator.merkleRoot), origin.merkleRoot, n);
  ctx.list.pass('Merkle root', `root ${origin.merkleRoot} over ${n} records equals the provider-signed Merkle root`);
  return { kind: 'full', recordCount: n, recordsPresent: n };
}

async function checkDisclosed(
  ctx: VerifyContext,
  origin: OriginStatement,
  custody: CustodyStatement,
  present: readonly number[],
): Promise<PackageScope> {
  const path = PACKAGE_PATHS.disclosure;
  const { value: disclosure } = await ctx.doc(path, parseDisclosure);
  ctx.expectEqual(path, '"packageId"', disclosure.packageId, custody.packageId, 'the custody statement');
  ctx.expectEqual(path, '"recordCount"', disclosure.recordCount, origin.recordCount, 'the origin statement');
  const listed = disclosure.records.map((r) => r.sequenceNumber);
  const listedSet = new Set(listed);
  const presentSet = new Set(present);
  const unlisted = present.find((seq) => !listedSet.has(seq));
  if (unlisted !== undefined) ctx.fail(recordPayloadPath(unlisted), 'is present but not listed in the disclosure');
  const root = fromHex32(origin.merkleRoot);
  for (const record of disclosure.records) {
    const seq = record.sequenceNumber;
    if (!presentSet.has(seq)) ctx.fail(recordPayloadPath(seq), 'is listed in the disclosure but missing');
    const metadata = await checkRecordFiles(ctx, seq);
    try {
      verifyInclusion(hashLeaf(metadata), seq - 1, origin.recordCount, record.inclusionProof.map(fromHex32), root);
    } catch (error) {
      if (!(error instanceof MerkleProofError)) throw error;
      const metadataPath = recordMetadataPath(seq);
      if (ctx.findings.altered(metadataPath)) {
        ctx.fail(
          metadataPath,
          'altered: the record is no longer proven by its inclusion proof to the provider-signed Merkle root',
        );
      }
      ctx.fail(
        path,
        `record ${seq}: inclusion proof does not verify against the provider-signed Merkle root (${error.message})`,
      );
    }
  }
  ctx.list.pass(
    'records',
    `${listed.length} of ${origin.recordCount} records disclosed; each payload matches its metadata and each record is proven included under the provider-signed Merkle root`,
  );
  return {
    kind: 'disclosure',
    recordCount: origin.recordCount,
    recordsPresent: listed.length,
    disclosedSequenceNumbers: listed,
  };
}

/** Checks the record's two files and returns its metadata bytes (the record's canonical bytes). */
async function checkRecordFiles(ctx: VerifyContext, seq: number): Promise<Uint8Array> {
  const metadataPath = recordMetadataPath(seq);
  const payloadPath = recordPayloadPath(seq);
  const item = `record ${seq} metadata`;
  const bytes = await ctx.bytes(metadataPath, MAX_METADATA_BYTES, item);
  const metadata = ctx.parse(metadataPath, bytes, parseRecordMetadata, item);
  ctx.expectEqual(metadataPath, '"sequenceNumber"', metadata.sequenceNumber, seq, 'its file name', item);
  const { size, sha256 } = await hashPayload(ctx, payloadPath, seq);
  if (size !== metadata.payloadSize || sha256 !== metadata.payloadSha256) {
    // Either file may have changed; the bag's checksums say which one, when they still can.
    if (ctx.findings.altered(metadataPath) && !ctx.findings.altered(payloadPath)) {
      ctx.fail(
        metadataPath,
        `altered: it gives the payload as ${metadata.payloadSize} bytes with SHA-256 ${metadata.payloadSha256}, the payload has ${size} bytes with SHA-256 ${sha256}`,
        item,
      );
    }
    const what =
      size !== metadata.payloadSize
        ? `size mismatch: metadata says ${metadata.payloadSize} bytes, the payload has ${size}`
        : `sha256 mismatch: metadata says ${metadata.payloadSha256}, the payload hashes to ${sha256}`;
    ctx.fail(payloadPath, what, `record ${seq}`);
  }
  return bytes;
}

async function hashPayload(ctx: VerifyContext, path: string, seq: number): Promise<{ size: number; sha256: string }> {
  const item = `record ${seq}`;
  // The BagIt check has already read and hashed the payload (once for both checks): its digest is the same SHA-256
  // of the same bytes.
  const known = ctx.findings.digest(path);
  if (known !== undefined) {
    if (known.size > MAX_RECORD_BYTES) ctx.fail(path, `larger than ${MAX_RECORD_BYTES} bytes`, item);
    return known;
  }
  const hash = createHash('sha256');
  let size = 0;
  try {
    const stream = await ctx.files.stream(path);
    if (stream === undefined) ctx.fail(path, 'is missing', item);
    for await (const chunk of stream) {
      size += chunk.length;
      if (size > MAX_RECORD_BYTES) ctx.fail(path, `larger than ${MAX_RECORD_BYTES} bytes`, item);
      hash.update(chunk);
    }
  } catch (error) {
    if (error instanceof CheckFailure) throw error;
    ctx.fail(path, `cannot be read: ${(error as Error).message}`, item);
  }
  return { size, sha256: hash.digest('hex') };
}

function presentRecords(ctx: VerifyContext, files: readonly string[]): number[] {
  const byNumber = new Map<number, Set<string>>();
  for (const file of files) {
    const match = RECORD_FILE.exec(file);
    if (!match) continue;
    const seq = Number(match[1]);
    byNumber.set(seq, (byNumber.get(seq) ?? new Set()).add(match[2] as string));
  }
  for (const [seq, kinds] of byNumber) {
    if (seq === 0) ctx.fail(recordPayloadPath(0), 'record numbers start at 1', 'record 0');
    if (!kinds.has('json')) ctx.fail(recordMetadataPath(seq), 'is missing', `record ${seq} metadata`);
    if (!kinds.has('bin')) ctx.fail(recordPayloadPath(seq), 'is missing', `record ${seq}`);
  }
  return [...byNumber.keys()].sort((a, b) => a - b);
}

/** A chain or root mismatch cannot say which record changed; the bag's checksums can, unless they were redone. */
function compareSigned(ctx: VerifyContext, what: string, computed: string, signed: string, n: number): void {
  if (computed === signed) return;
  for (let seq = 1; seq <= n; seq++) {
    const path = recordMetadataPath(seq);
    if (ctx.findings.altered(path)) {
      ctx.fail(
        path,
        `altered: the ${what} over the records no longer matches the provider-signed one`,
        `record ${seq} metadata`,
      );
    }
  }
  ctx.fail(
    PACKAGE_PATHS.origin,
    `the ${what} computed over the ${n} records is ${computed}, the provider signed ${signed}: a record's metadata was altered, or records were added, removed or reordered`,
    what,
  );
}
