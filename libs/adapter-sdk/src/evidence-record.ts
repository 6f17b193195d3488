// One evidence record as an adapter produces it, and the two forms the SDK derives from it: the EvidenceRecord
// messages on the wire (chunked at 1 MiB) and the record's canonical metadata bytes, which are what the hash chain
// and the Merkle tree hash (docs/package-format.md §3-4), computed with libs/evidence-package's own functions.
import { createHash } from 'node:crypto';
import { encodeRecordMetadata } from '#evx/evidence-package';
import { timestampFromDate, WIRE_LIMITS, type EvidenceRecord, type RequestType as WireRequestType } from '#evx/proto';
import { PROTO_ENUM_PREFIX as P, type RequestType } from '#evx/workflow';

export interface EvidenceRecordInput {
  /** The order's category this record answers, e.g. 'TRAFFIC_DATA'. */
  readonly requestType: RequestType;
  /** The order's selector it answers. */
  readonly selectorId: string;
  /** When the recorded event happened; inside the order's time range when it has one. Millisecond precision. */
  readonly recordTime: Date;
  /** Media type of the payload, e.g. 'application/json'. */
  readonly contentType: string;
  /** The data, byte for byte as it is to be kept (a string is UTF-8 encoded). */
  readonly payload: Uint8Array | string;
}

export interface PreparedRecord {
  readonly sequenceNumber: number;
  readonly payloadSize: number;
  /** What one record weighs on the wire: one message per chunk of at most 1 MiB. */
  readonly messages: readonly EvidenceRecord[];
  /** The record's canonical metadata (data/records/NNNNNNNN.json) for position `sequenceNumber` in the package. */
  metadataAt(packagePosition: number): Uint8Array;
}

export function payloadBytes(payload: Uint8Array | string): Buffer {
  return typeof payload === 'string'
    ? Buffer.from(payload, 'utf8')
    : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

export function prepareRecord(
  input: EvidenceRecordInput,
  sequenceNumber: number,
  chunkBytes = WIRE_LIMITS.maxChunkBytes,
): PreparedRecord {
  const payload = payloadBytes(input.payload);
  const sha256 = createHash('sha256').update(payload).digest();
  const requestType = `${P.RequestType}${input.requestType}` as WireRequestType;
  const recordTime = new Date(Math.floor(input.recordTime.getTime()));
  const common = {
    sequenceNumber: String(sequenceNumber),
    requestType,
    selectorId: input.selectorId,
    recordTime: timestampFromDate(recordTime),
    contentType: input.contentType,
    payloadSize: String(payload.length),
    payloadSha256: sha256,
  };
  const messages: EvidenceRecord[] = [];
  for (let offset = 0; offset === 0 || offset < payload.length; offset += chunkBytes) {
    messages.push({ ...common, chunkOffset: String(offset), payload: payload.subarray(offset, offset + chunkBytes) });
  }
  return {
    sequenceNumber,
    payloadSize: payload.length,
    messages,
    metadataAt: (packagePosition) =>
      encodeRecordMetadata({
        sequenceNumber: packagePosition,
        requestType,
        selectorId: input.selectorId,
        recordTime: recordTime.toISOString(),
        contentType: input.contentType,
        payloadSize: payload.length,
        payloadSha256: sha256.toString('hex'),
      }),
  };
}
