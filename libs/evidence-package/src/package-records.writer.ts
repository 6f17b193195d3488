// Streams records into the bag: each payload straight to the tar (hashed on the way), then its metadata document,
// while the chain and the Merkle tree advance. Nothing of a payload is kept once it is written.
import { createHash } from 'node:crypto';
import type { BagWriter } from '#evx/bagit';
import { FormatError, formatTime } from './canonical.util.js';
import { MAX_RECORD_BYTES, MAX_RECORDS, recordMetadataPath, recordPayloadPath } from './package-format.js';
import { RecordAccumulator } from './record.accumulator.js';
import { encodeRecordMetadata } from './record-metadata.codec.js';

export interface PackageRecordInput {
  /** An evx.v1.RequestType value name, e.g. REQUEST_TYPE_TRAFFIC_DATA. */
  readonly requestType: string;
  readonly selectorId: string;
  readonly recordTime: Date;
  readonly contentType: string;
  /** Exact payload size; the payload must yield exactly this many bytes. */
  readonly payloadSize: number;
  /** The bytes exactly as uploaded, whole or in chunks (a Readable is an async iterable). */
  readonly payload: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** The uploader's SHA-256 of the payload (hex), checked when given. */
  readonly payloadSha256?: string;
  /**
   * The SHA-256 of exactly the bytes `payload` yields, computed by the caller from the same source (e.g. a worker
   * thread hashing the same file while this thread writes the package); the payload is then not hashed here. It is
   * still checked against `payloadSha256`.
   */
  readonly payloadDigest?: Promise<string>;
}

export interface RecordsSummary {
  readonly count: number;
  readonly payloadBytes: number;
  readonly chainHead: Uint8Array;
  readonly merkleRoot: Uint8Array;
}

export async function addRecords(
  writer: BagWriter,
  records: AsyncIterable<PackageRecordInput> | Iterable<PackageRecordInput>,
): Promise<RecordsSummary> {
  const accumulator = new RecordAccumulator();
  let payloadBytes = 0;
  for await (const record of records) {
    const sequenceNumber = accumulator.count + 1;
    if (sequenceNumber > MAX_RECORDS) throw new FormatError(`format v1 holds at most ${MAX_RECORDS} records`);
    if (!Number.isSafeInteger(record.payloadSize) || record.payloadSize < 0 || record.payloadSize > MAX_RECORD_BYTES) {
      throw new FormatError(`record ${sequenceNumber}: payloadSize must be 0 to ${MAX_RECORD_BYTES} bytes`);
    }
    const payloadSha256 = await addHashedPayload(writer, recordPayloadPath(sequenceNumber), record);
    if (record.payloadSha256 !== undefined && record.payloadSha256 !== payloadSha256) {
      throw new FormatError(
        `record ${sequenceNumber}: payload hashes to ${payloadSha256}, the uploader said ${record.payloadSha256}`,
      );
    }
    let metadata: Uint8Array;
    try {
      metadata = encodeRecordMetadata({
        sequenceNumber,
        requestType: record.requestType,
        selectorId: record.selectorId,
        recordTime: formatTime(record.recordTime),
        contentType: record.contentType,
        payloadSize: record.payloadSize,
        payloadSha256,
      });
    } catch (error) {
      if (error instanceof FormatError) throw new FormatError(`record ${sequenceNumber}: ${error.message}`);
      throw error;
    }
    await writer.addPayload(recordMetadataPath(sequenceNumber), oneChunk(metadata), metadata.length);
    accumulator.add(metadata);
    payloadBytes += record.payloadSize;
  }
  return {
    count: accumulator.count,
    payloadBytes,
    chainHead: accumulator.chainHead,
    merkleRoot: accumulator.merkleRoot,
  };
}

/**
 * Writes the payload and returns its SHA-256: the bag writer's own manifest digest when the bag lists SHA-256 (one
 * pass over the bytes for both), else hashed on the way in.
 */
async function addHashedPayload(writer: BagWriter, path: string, record: PackageRecordInput): Promise<string> {
  if (record.payloadDigest && writer.algorithms.length === 1 && writer.algorithms[0] === 'sha256') {
    const digests = record.payloadDigest.then((sha256) => ({ sha256 }));
    // Awaited only after the bytes are written; if writing fails first, its failure is the one reported.
    digests.catch(() => undefined);
    const written = await writer.addPayload(path, chunksOf(record.payload), record.payloadSize, digests);
    return written.digests.sha256 as string;
  }
  if (writer.algorithms.includes('sha256')) {
    const written = await writer.addPayload(path, chunksOf(record.payload), record.payloadSize);
    return written.digests.sha256 as string;
  }
  const hash = createHash('sha256');
  await writer.addPayload(path, hashed(record.payload, hash), record.payloadSize);
  return hash.digest('hex');
}

async function* chunksOf(
  source: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) yield source;
  else yield* source;
}

async function* hashed(
  source: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  hash: ReturnType<typeof createHash>,
): AsyncGenerator<Uint8Array> {
  const chunks = source instanceof Uint8Array ? [source] : source;
  for await (const chunk of chunks) {
    hash.update(chunk);
    yield chunk;
  }
}

/** BagWriter takes streams; a small document is a stream of one chunk. */
export async function* oneChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
